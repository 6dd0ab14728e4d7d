"""Closed forms for adaptive pooling, from the window sizes of :func:`nnref.shapes.adaptive_bounds`.

With ``w_a(j)`` the size of window ``j`` along axis ``a``, a window of ``w`` inputs costs
cmp ``w − 1`` (max) or add ``w − 1`` and div 1 (avg); summed over windows,

    Σ w = N·C · Π_a Σ_j w_a(j),    windows = N·C · Π_a o_a.
"""
from math import prod

from ...shapes import adaptive_bounds
from ..opcounts import OpCounts


def adaptive(layer, input_shape) -> tuple:
    """``(Σ w, windows)`` for ``layer`` (an Adaptive*Pool*d) on ``input_shape``."""
    n = layer.spatial
    planes = prod(int(v) for v in input_shape[:-n])
    sizes = [(int(i), int(i) if o is None else o) for i, o in zip(input_shape[-n:], layer.output_size)]
    widths = [[e - s for s, e in (adaptive_bounds(i, o, j) for j in range(o))] for i, o in sizes]
    return planes * prod(sum(w) for w in widths), planes * prod(o for _, o in sizes)


def adaptive_max(layer, input_shape) -> OpCounts:
    total, windows = adaptive(layer, input_shape)
    return OpCounts(cmp=total - windows)


def adaptive_avg(layer, input_shape) -> OpCounts:
    total, windows = adaptive(layer, input_shape)
    return OpCounts(add=total - windows, div=windows)


FOR_LAYER = {
    **{f"AdaptiveMaxPool{n}d": adaptive_max for n in (1, 2, 3)},
    **{f"AdaptiveAvgPool{n}d": adaptive_avg for n in (1, 2, 3)},
}
