"""nnref: neural-network layers in NumPy + numba that count every operation they execute.

    >>> import numpy as np, nnref
    >>> y, ops = nnref.Conv2d(3, 8, 3)(np.ones((1, 3, 8, 8), np.float32))
    >>> ops == nnref.counting.formulas.for_layer(nnref.Conv2d(3, 8, 3), (1, 3, 8, 8))
    True

Layers, ``count`` and the subpackages load on first use, so ``import nnref`` is fast
(numba is imported only when a kernel first runs).
"""
from importlib import import_module

from . import layers as _layers
from .core.opcounts import KINDS, OpCounts, format_flops, format_si

__version__ = "0.1.0"

_SUBPACKAGES = ("api", "bridges", "cli", "conventions", "core", "counting", "formulas", "kernels",
                "layers", "models", "reference", "reports", "testing", "trace")

_API = ("compare", "count", "count_mask_modes", "count_report")
#: The torch bridge (imports torch on first use): nnref.from_torch, nnref.to_torch, nnref.exact.
_BRIDGE = ("exact", "from_torch", "to_torch")

__all__ = ["KINDS", "OpCounts", "format_flops", "format_si", *_API, *_BRIDGE, *_layers.__all__,
           *_SUBPACKAGES]


def __getattr__(name):
    if name in _SUBPACKAGES:
        return import_module(f".{name}", __name__)
    if name == "shapes":  # its first home
        return import_module(".core.shapes", __name__)
    if name in _API:
        from . import api

        return getattr(api, name)
    if name in _BRIDGE:
        return getattr(import_module(".bridges.torch", __name__), name)
    if name in _layers.__all__:
        return getattr(_layers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
