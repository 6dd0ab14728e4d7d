"""nnref in test suites and derivations; each name loads on first use.

    >>> from nnref.testing import assert_counts           # a count against nnref's, explained
    >>> from nnref.testing import strategies               # hypothesis: layers + torch twins
    >>> from nnref.testing.tools import run_tools          # the real tools, live
    >>> from nnref.testing import check_formula            # your formula against the kernels
    >>> check_formula("Conv2d", "(2*Cin*K**2 - 1)*Ho*Wo*Co", sweep=20, fix={"bias": 0}).exact
    True

The pytest plugin (``nnref.testing.plugin``, entry point ``pytest11``) gives the
``nnref_oracle`` fixture. hypothesis, torch and the tools are needed only by the parts
that use them.
"""
from importlib import import_module
from types import MappingProxyType

#: public name -> the module of this package that defines it
_LAZY = MappingProxyType({"assert_counts": "assertions", "CountMismatch": "assertions",
                          "expected_counts": "assertions", "torch_twin": "twins",
                          "run_tools": "tools", "check_formula": "formula",
                          "FormulaCheck": "formula", "Formula": "formula"})

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
