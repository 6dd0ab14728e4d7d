"""Closed forms for max and average pooling, from the in-bound taps of every window.

Notes
-----
Window ``j`` of an axis reads the inputs ``j·s − p + m·d`` (m = 0 … k − 1) that fall
inside ``[0, i)``; padding is never read. A window of ``t`` in-bound taps (t is the
product of its per-axis counts) costs

* max: cmp ``t − 1`` (the first tap initialises the maximum); a window with t = 0,
  possible only with dilation, is −inf and costs nothing;
* avg: add ``t − 1`` (the first tap initialises the sum) and div 1. Its windows are
  never empty (no dilation, padding <= k/2), and ``count_include_pad`` changes only
  the divisor, never a count.

Sums over windows factor into per-axis sums: with ``t_a(j)`` the in-bound taps of
window ``j`` along axis ``a`` (:func:`nnref.core.shapes.window_taps`; both sums per axis
from :func:`nnref.core.shapes.axis_taps`), over P = N·C planes,

    total taps        T = P · Π_a Σ_j t_a(j)
    non-empty windows W = P · Π_a #{j : t_a(j) > 0}

so max pooling costs cmp = T − W, and average pooling add = T − windows, div = windows.
Output sizes, with ``ceil_mode``, come from :func:`nnref.core.shapes.pool_out`.
"""
from math import prod

from ..core.opcounts import OpCounts
from ..core.shapes import axis_taps, pool_out
from ..core.validate import as_tuple, check_bool, check_shape
from ._registry import formula, ints


def pool_taps(planes, sizes, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
              owner="pool_taps") -> tuple:
    """``(T, W, windows)`` of pooling ``planes`` planes of spatial ``sizes`` (module Notes).

    Per-axis arguments are an int or a tuple of ``len(sizes)`` ints; ``stride=None`` is
    the kernel size. A window that does not fit is a ValueError naming the sizes.
    """
    (planes,) = ints(owner, planes=planes)
    sizes = check_shape(sizes, owner, "sizes")
    n = len(sizes)
    k = as_tuple(kernel_size, n, "kernel_size", owner)
    s = k if stride is None else as_tuple(stride, n, "stride", owner)
    p = as_tuple(padding, n, "padding", owner, minimum=0)
    d = as_tuple(dilation, n, "dilation", owner)
    ceil_mode = check_bool(ceil_mode, "ceil_mode", owner)
    taps = nonempty = windows = planes
    for axis in zip(sizes, k, s, p, d, strict=True):
        o = pool_out(*axis, ceil_mode)
        if o < 1:
            raise ValueError(f"{owner}: sizes={sizes} give no window along an axis with "
                             f"kernel_size={k}, padding={p}, dilation={d}; expected larger sizes")
        total, live = axis_taps(*axis, o)
        taps, nonempty, windows = taps * total, nonempty * live, windows * o
    return taps, nonempty, windows


def max_pool(planes, sizes, kernel_size, stride=None, padding=0, dilation=1,
             ceil_mode=False) -> OpCounts:
    """Counts of max pooling ``planes`` planes of spatial ``sizes``: cmp T − W."""
    taps, nonempty, _ = pool_taps(planes, sizes, kernel_size, stride, padding, dilation,
                                  ceil_mode, "max_pool")
    return OpCounts(cmp=taps - nonempty)


def avg_pool(planes, sizes, kernel_size, stride=None, padding=0, ceil_mode=False) -> OpCounts:
    """Counts of average pooling ``planes`` planes of spatial ``sizes``: add T − windows,
    div windows (``count_include_pad`` changes only the divisor)."""
    taps, _, windows = pool_taps(planes, sizes, kernel_size, stride, padding, 1, ceil_mode,
                                 "avg_pool")
    return OpCounts(add=taps - windows, div=windows)


def _planes_sizes(layer, shape) -> tuple:
    return prod(shape[:-layer.spatial]), shape[-layer.spatial:]


@formula("MaxPool1d", "MaxPool2d", "MaxPool3d")
def max_pool_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a MaxPool*d) on ``input_shape``: :func:`max_pool`."""
    return max_pool(*_planes_sizes(layer, input_shape), layer.kernel_size, layer.stride,
                    layer.padding, layer.dilation, layer.ceil_mode)


@formula("AvgPool1d", "AvgPool2d", "AvgPool3d")
def avg_pool_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an AvgPool*d) on ``input_shape``: :func:`avg_pool`."""
    return avg_pool(*_planes_sizes(layer, input_shape), layer.kernel_size, layer.stride,
                    layer.padding, layer.ceil_mode)
