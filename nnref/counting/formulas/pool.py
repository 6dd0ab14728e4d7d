"""Closed forms for max and average pooling, from the in-bound taps of every window.

A window's taps are the product of its per-axis taps, so sums over windows factor into
per-axis sums: with ``t_a(j)`` the in-bound taps of window ``j`` along axis ``a``
(:func:`nnref.shapes.window_taps`),

    total taps       T = N·C · Π_a Σ_j t_a(j)
    non-empty windows W = N·C · Π_a #{j : t_a(j) > 0}

Max pooling costs cmp ``t − 1`` per non-empty window (an empty one, possible only with
dilation, costs nothing), so cmp = T − W. Average pooling costs add ``t − 1`` and
div 1 per window; its windows are never empty (no dilation, padding <= k/2).
"""
from math import prod

from ...shapes import pool_out, window_taps
from ..opcounts import OpCounts


def axis_taps(i: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> list:
    """In-bound taps of every window along one axis."""
    return [window_taps(i, k, s, p, d, j) for j in range(pool_out(i, k, s, p, d, ceil_mode))]


def pool(layer, input_shape) -> tuple:
    """``(T, W, windows)`` for ``layer`` (a MaxPool*d or AvgPool*d) on ``input_shape``."""
    n = layer.spatial
    planes = prod(int(v) for v in input_shape[:-n])
    per_axis = [axis_taps(int(i), k, s, p, d, layer.ceil_mode) for i, k, s, p, d in zip(
        input_shape[-n:], layer.kernel_size, layer.stride, layer.padding, layer.dilation)]
    taps = planes * prod(sum(t) for t in per_axis)
    nonempty = planes * prod(sum(1 for v in t if v > 0) for t in per_axis)
    windows = planes * prod(len(t) for t in per_axis)
    return taps, nonempty, windows


def max_pool(layer, input_shape) -> OpCounts:
    taps, nonempty, _ = pool(layer, input_shape)
    return OpCounts(cmp=taps - nonempty)


def avg_pool(layer, input_shape) -> OpCounts:
    taps, _, windows = pool(layer, input_shape)
    return OpCounts(add=taps - windows, div=windows)


FOR_LAYER = {
    **{f"MaxPool{n}d": max_pool for n in (1, 2, 3)},
    **{f"AvgPool{n}d": avg_pool for n in (1, 2, 3)},
}
