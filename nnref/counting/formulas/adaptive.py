"""Closed forms for adaptive pooling, from the window sizes of :func:`nnref.shapes.adaptive_bounds`.

With ``w_a(j)`` the size of window ``j`` along axis ``a``, a window of ``w`` inputs costs
cmp ``w − 1`` (max) or add ``w − 1`` and div 1 (avg); summed over windows,

    Σ w = N·C · Π_a Σ_j w_a(j),    windows = N·C · Π_a o_a,

where ``Σ_j w_a(j) = i_a + o_a − gcd(i_a, o_a)`` (:func:`nnref.shapes.adaptive_total`).
"""
from math import prod
from types import MappingProxyType

from ...shapes import adaptive_total
from ..opcounts import OpCounts
from ._args import layer_shape

_MAX = ("AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d")
_AVG = ("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d")


def adaptive(layer, input_shape) -> tuple:
    """``(Σ w, windows)`` for ``layer`` (an Adaptive*Pool*d) on ``input_shape``."""
    shape = layer_shape(layer, input_shape, _MAX + _AVG, "adaptive")
    n = layer.spatial
    planes = prod(shape[:-n])
    sizes = [(i, i if o is None else o) for i, o in zip(shape[-n:], layer.output_size, strict=True)]
    return planes * prod(adaptive_total(i, o) for i, o in sizes), planes * prod(o for _, o in sizes)


def adaptive_max(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an AdaptiveMaxPool*d): cmp Σ w − windows."""
    total, windows = adaptive(layer, input_shape)
    return OpCounts(cmp=total - windows)


def adaptive_avg(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an AdaptiveAvgPool*d): add Σ w − windows, div windows."""
    total, windows = adaptive(layer, input_shape)
    return OpCounts(add=total - windows, div=windows)


FOR_LAYER = MappingProxyType({**dict.fromkeys(_MAX, adaptive_max),
                              **dict.fromkeys(_AVG, adaptive_avg)})
