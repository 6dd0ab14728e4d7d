"""nnref as an oracle in other projects' test suites: assertions, strategies, live tools.

Everything loads on first use (hypothesis, torch and the tools are optional), one line
per public name::

    from nnref.testing import assert_counts
    from nnref.testing import strategies   # hypothesis: layers with their torch twins
"""
from importlib import import_module

#: public name -> module of nnref.testing that defines it
_NAMES = {
    "assert_counts": "assertions",
    "CountMismatch": "assertions",
    "expected_counts": "assertions",
    "torch_twin": "twins",
    "run_tools": "tools",
}
_MODULES = ("assertions", "plugin", "strategies", "tools", "twins")

__all__ = [*_NAMES, *_MODULES]


def __getattr__(name):
    if name in _NAMES:
        return getattr(import_module(f".{_NAMES[name]}", __name__), name)
    if name in _MODULES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
