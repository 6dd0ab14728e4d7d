"""Closed forms for convolutions with any number of spatial axes, and the seed derivation.

Notes
-----
Each output element is a dot product over the taps of its window, T = (Cin/groups)·∏k
of them (input channel of its group × kernel positions), computed as

    y = x₀·w₀ + x₁·w₁ + … (+ b)

The first product initialises the accumulator, so a window of T taps costs mul T and
add T − 1, plus 1 add with a bias. How taps on padding count is ``padding_taps``:

* ``"dense"``: all T taps count, those on padding too (products with zero, as im2col
  does);
* ``"skip"``: only the t taps inside the input count: mul t, add t − 1 (+1 with a bias,
  so add t); a window with t = 0 does nothing at all (its output is the bias, or 0).

``algorithm="im2col"`` and ``"naive"`` execute the same operations. Output sizes come
from :func:`nnref.core.shapes.conv_out`. Everything is Python ints.
"""
from math import prod

from ..core.opcounts import OpCounts
from ..core.shapes import PADDING_TAPS, axis_taps, check_conv_input, conv_out
from ..core.validate import as_tuple, check_bool, check_shape, check_str
from ._registry import formula, ints


def conv(in_channels, out_channels, kernel_size, input_shape, stride=1, padding=0, dilation=1,
         groups=1, bias=True, padding_taps="dense") -> OpCounts:
    """Counts of a convolution of an input of ``input_shape`` (N, Cin, *S), any number of axes.

    Parameters
    ----------
    in_channels, out_channels, groups : int
        Cin, Co (both divisible by ``groups``) and the number of groups.
    kernel_size, stride, padding, dilation : int or tuple of int
        One int per spatial axis of ``input_shape``, or one int for all.
    input_shape : tuple of int
        (N, Cin, *S), at least one spatial axis.
    bias : bool
    padding_taps : {"dense", "skip"}

    Bad arguments are a TypeError or ValueError naming them.

    Notes
    -----
    Summed over windows, the module's rule gives, with W = N·Co·∏o windows (o from
    :func:`~nnref.core.shapes.conv_out`) and T = (Cin/groups)·∏k taps per window, dense
    padding gives

        mul = W·T,   add = W·(T − 1) + W·[bias].

    In skip mode the in-bound taps of a window are a product over axes of per-axis
    counts t_a(j_a) (:func:`~nnref.core.shapes.window_taps`), so sums over windows separate:
    Σ t = N·Co·(Cin/groups)·∏_a Σ_j t_a(j), and the number of windows with t > 0 is
    N·Co·∏_a #{j : t_a(j) > 0} (both per axis from :func:`~nnref.core.shapes.axis_taps`).
    Then mul = Σ t and add = Σ t − #{t > 0}, or Σ t with a bias.
    """
    return conv_counts(in_channels, out_channels, kernel_size, input_shape, stride, padding,
                       dilation, groups, bias, padding_taps, "conv")


def conv_counts(in_channels, out_channels, kernel_size, input_shape, stride, padding, dilation,
                groups, bias, padding_taps, owner) -> OpCounts:
    """:func:`conv` with the name ``owner`` in its error messages (depthwise, pointwise)."""
    cin, co, g, shape, k, s, p, d, bias, skip = conv_arguments(
        owner, in_channels, out_channels, groups, input_shape, kernel_size, stride, padding,
        dilation, bias, padding_taps)
    check_conv_input(owner, shape, cin, k, p, d)
    n, cg = shape[0], cin // g
    outs = [conv_out(*a) for a in zip(shape[2:], k, s, p, d, strict=True)]
    if not skip:
        windows = n * co * prod(outs)
        mul = windows * cg * prod(k)
        return OpCounts(mul=mul, add=mul - windows + (windows if bias else 0))
    per_axis = [axis_taps(*a) for a in zip(shape[2:], k, s, p, d, outs, strict=True)]
    mul = n * co * cg * prod(total for total, _ in per_axis)
    return OpCounts(mul=mul, add=mul if bias else mul - n * co * prod(live for _, live in per_axis))


def conv_arguments(owner, in_channels, out_channels, groups, input_shape, kernel_size, stride,
                   padding, dilation, bias, padding_taps) -> tuple:
    """The arguments every convolution formula shares, checked: ``(cin, co, g, shape, k, s,
    p, d, bias, skip)`` as Python values, per-axis ones as tuples (one int per spatial axis)."""
    cin, co, g = ints(owner, in_channels=in_channels, out_channels=out_channels, groups=groups)
    for name, c in (("in_channels", cin), ("out_channels", co)):
        if c % g:
            raise ValueError(f"{owner}: {name}={c} is not divisible by groups={g}; "
                             "expected a multiple of groups")
    shape = check_shape(input_shape, owner)
    nd = len(shape) - 2
    if nd < 1:
        raise ValueError(f"{owner}: input_shape={shape} is invalid; expected (N, Cin, *S) with "
                         "at least one spatial axis")
    k, s, d = (as_tuple(v, nd, n, owner) for v, n in
               ((kernel_size, "kernel_size"), (stride, "stride"), (dilation, "dilation")))
    p = as_tuple(padding, nd, "padding", owner, minimum=0)
    skip = check_str(padding_taps, "padding_taps", owner, PADDING_TAPS) == "skip"
    return cin, co, g, shape, k, s, p, d, check_bool(bias, "bias", owner), skip


def conv2d_seed(cin: int, k: int, ho: int, wo: int, co: int, bias: bool = False) -> int:
    """Total FLOPs of a K×K Conv2d, batch 1, no groups, dense padding (the seed derivation).

    Notes
    -----
    Each of the Ho·Wo·Co outputs is a dot product of Cin·K² taps: Cin·K² multiplies and
    Cin·K² − 1 adds (the first product initialises the sum), i.e. 2·Cin·K² − 1 FLOPs.
    A bias adds one more add, giving 2·Cin·K² per output:

        (2·Cin·K² − 1)·Ho·Wo·Co,   or   2·Cin·K²·Ho·Wo·Co with bias.
    """
    cin, k, ho, wo, co = ints("conv2d_seed", cin=cin, k=k, ho=ho, wo=wo, co=co)
    bias = check_bool(bias, "bias", "conv2d_seed")
    return (2 * cin * k * k - (0 if bias else 1)) * ho * wo * co


def padded(layer, input_shape) -> tuple:
    """``input_shape`` with the extra end padding of ``padding="same"`` (1 where the
    dilated kernel is even) added to each spatial size: a tap there is a dense tap."""
    extra = getattr(layer, "extra_padding", (0,) * (len(input_shape) - 2))
    return tuple(input_shape[:2]) + tuple(i + e for i, e in zip(input_shape[2:], extra))


@formula("Conv1d", "Conv2d", "Conv3d")
def conv_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a Conv1d/2d/3d) on ``input_shape``: :func:`conv`.

    Any ``padding_mode`` counts as zeros: reflect, replicate and circular padding is data
    movement, and its taps are always computed (``padding_taps="skip"`` needs zeros).
    """
    return conv(layer.in_channels, layer.out_channels, layer.kernel_size,
                padded(layer, input_shape), layer.stride, layer.padding, layer.dilation,
                layer.groups, layer.bias is not None, layer.padding_taps)
