"""Counting: OpCounts, closed-form formulas, other tools' conventions, reports.

Submodules (``formulas``, ``report``, ``render``, ``conventions``, ``plot``) load on
first use.
"""
from importlib import import_module

from .opcounts import KINDS, OpCounts, format_flops, format_si

_SUBMODULES = ("formulas", "report", "render", "conventions", "plot")

__all__ = ["KINDS", "OpCounts", "format_flops", "format_si", *_SUBMODULES]


def __getattr__(name):
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
