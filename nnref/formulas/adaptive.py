"""Closed forms for adaptive pooling, from the window sizes of
:func:`nnref.core.shapes.adaptive_bounds`.

Notes
-----
Along an axis of ``i`` inputs and ``o`` outputs (``None`` keeps o = i), output ``j``
reduces the window ``[floor(j·i/o), ceil((j+1)·i/o))`` of ``w_a(j) >= 1`` inputs; a
window's size ``w`` is the product of its per-axis sizes. A window of ``w`` inputs costs

* max: cmp ``w − 1`` (the first input initialises the maximum);
* avg: add ``w − 1`` (the first input initialises the sum) and div 1 (by w).

Summed over the windows of P = N·C planes,

    Σ w = P · Π_a Σ_j w_a(j),    windows = P · Π_a o_a,

where ``Σ_j w_a(j) = i_a + o_a − gcd(i_a, o_a)`` (:func:`nnref.core.shapes.adaptive_total`),
so max costs cmp Σ w − windows, and avg add Σ w − windows, div windows.
"""
from math import prod

from ..core.opcounts import OpCounts
from ..core.shapes import adaptive_total
from ..core.validate import check_shape
from ._registry import formula, ints


def adaptive_windows(planes, sizes, output_size, owner="adaptive_windows") -> tuple:
    """``(Σ w, windows)`` of adaptive pooling ``planes`` planes of spatial ``sizes`` to
    ``output_size`` (one int >= 1 per axis)."""
    (planes,) = ints(owner, planes=planes)
    sizes = check_shape(sizes, owner, "sizes")
    outs = check_shape(output_size, owner, "output_size")
    if len(outs) != len(sizes):
        raise ValueError(f"{owner}: output_size={outs} has {len(outs)} entries for sizes={sizes}; "
                         "expected one per axis")
    return (planes * prod(adaptive_total(i, o) for i, o in zip(sizes, outs, strict=True)),
            planes * prod(outs))


def adaptive_max(planes, sizes, output_size) -> OpCounts:
    """Counts of adaptive max pooling ``planes`` planes of spatial ``sizes`` to
    ``output_size``: cmp Σ w − windows (module Notes)."""
    total, windows = adaptive_windows(planes, sizes, output_size, "adaptive_max")
    return OpCounts(cmp=total - windows)


def adaptive_avg(planes, sizes, output_size) -> OpCounts:
    """Counts of adaptive average pooling ``planes`` planes of spatial ``sizes`` to
    ``output_size``: add Σ w − windows, div windows (module Notes)."""
    total, windows = adaptive_windows(planes, sizes, output_size, "adaptive_avg")
    return OpCounts(add=total - windows, div=windows)


def _arguments(layer, shape) -> tuple:
    """(planes, sizes, output sizes) of ``layer`` on ``shape``; None keeps an axis's size."""
    n = layer.spatial
    sizes = shape[-n:]
    outs = tuple(i if o is None else o for i, o in zip(sizes, layer.output_size, strict=True))
    return prod(shape[:-n]), sizes, outs


@formula("AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d")
def adaptive_max_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an AdaptiveMaxPool*d) on ``input_shape``: :func:`adaptive_max`."""
    return adaptive_max(*_arguments(layer, input_shape))


@formula("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d")
def adaptive_avg_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an AdaptiveAvgPool*d) on ``input_shape``: :func:`adaptive_avg`."""
    return adaptive_avg(*_arguments(layer, input_shape))
