"""The counting vocabulary under its first names, kept for existing code.

``nnref.counting.formulas`` is :mod:`nnref.formulas`, ``.conventions`` is
:mod:`nnref.conventions`, ``.opcounts`` and ``.report`` are in :mod:`nnref.core`, and
``.render`` and ``.plot`` are in :mod:`nnref.reports`. Each loads on first use.
"""
from importlib import import_module
from types import MappingProxyType

from ..core.opcounts import KINDS, OpCounts, format_flops, format_si

_MOVED = MappingProxyType({"formulas": "nnref.formulas", "conventions": "nnref.conventions",
          "opcounts": "nnref.core.opcounts", "report": "nnref.core.report",
          "render": "nnref.reports.render", "plot": "nnref.reports.plot"})

__all__ = ["KINDS", "OpCounts", "format_flops", "format_si", *_MOVED]


def __getattr__(name):
    if name in _MOVED:
        return import_module(_MOVED[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
