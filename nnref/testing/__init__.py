"""Helpers for test suites and derivations; each loads on first use.

    >>> from nnref.testing import check_formula
    >>> check_formula("Conv2d", "(2*Cin*K**2 - 1)*Ho*Wo*Co", sweep=20, fix={"bias": 0}).exact
    True
"""
from importlib import import_module
from types import MappingProxyType

#: public name -> the module of this package that defines it
_LAZY = MappingProxyType({"check_formula": "formula", "FormulaCheck": "formula",
                          "Formula": "formula"})

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
