"""Closed forms for max and average pooling, from the in-bound taps of every window.

A window's taps are the product of its per-axis taps, so sums over windows factor into
per-axis sums: with ``t_a(j)`` the in-bound taps of window ``j`` along axis ``a``
(:func:`nnref.shapes.window_taps`; both sums per axis from :func:`nnref.shapes.axis_taps`),

    total taps       T = N·C · Π_a Σ_j t_a(j)
    non-empty windows W = N·C · Π_a #{j : t_a(j) > 0}

Max pooling costs cmp ``t − 1`` per non-empty window (an empty one, possible only with
dilation, costs nothing), so cmp = T − W. Average pooling costs add ``t − 1`` and
div 1 per window; its windows are never empty (no dilation, padding <= k/2).
"""
from math import prod
from types import MappingProxyType

from ...shapes import axis_taps, pool_out
from ..opcounts import OpCounts
from ._args import layer_shape

_MAX = ("MaxPool1d", "MaxPool2d", "MaxPool3d")
_AVG = ("AvgPool1d", "AvgPool2d", "AvgPool3d")


def pool(layer, input_shape) -> tuple:
    """``(T, W, windows)`` for ``layer`` (a MaxPool*d or AvgPool*d) on ``input_shape``."""
    shape = layer_shape(layer, input_shape, _MAX + _AVG, "pool")
    n = layer.spatial
    taps = nonempty = windows = prod(shape[:-n])
    for i, k, s, p, d in zip(shape[-n:], layer.kernel_size, layer.stride, layer.padding,
                             layer.dilation, strict=True):
        o = pool_out(i, k, s, p, d, layer.ceil_mode)
        total, live = axis_taps(i, k, s, p, d, o)
        taps, nonempty, windows = taps * total, nonempty * live, windows * o
    return taps, nonempty, windows


def max_pool(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a MaxPool*d) on ``input_shape``: cmp T − W."""
    taps, nonempty, _ = pool(layer, input_shape)
    return OpCounts(cmp=taps - nonempty)


def avg_pool(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an AvgPool*d) on ``input_shape``: add T − windows, div windows."""
    taps, _, windows = pool(layer, input_shape)
    return OpCounts(add=taps - windows, div=windows)


FOR_LAYER = MappingProxyType({**dict.fromkeys(_MAX, max_pool), **dict.fromkeys(_AVG, avg_pool)})
