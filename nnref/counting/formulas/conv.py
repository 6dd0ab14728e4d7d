"""Closed forms for convolutions (any number of spatial axes), depthwise and pointwise.

Reference arithmetic, per output element with T = (Cin/groups)·∏k taps: the first
product initialises the accumulator, so mul T and add T − 1, plus 1 add with a bias.

* ``padding_mode="dense"``: taps on padding count (products with zero, as im2col does).
* ``padding_mode="skip"``: only the t taps inside the input count: mul t, add t − 1
  (+1 with bias, so add t); a window with t = 0 does nothing at all.

Output sizes come from :func:`nnref.shapes.conv_out`. Everything is Python ints.
"""
from math import prod

from ...shapes import conv_out, window_taps
from ..opcounts import OpCounts


def _per_axis(value, nd: int) -> tuple:
    """An int or an nd-sequence of ints as an nd-tuple of Python ints."""
    if isinstance(value, (tuple, list)):
        return tuple(int(v) for v in value)
    return (int(value),) * nd


def conv(in_channels, out_channels, kernel_size, input_shape, stride=1, padding=0, dilation=1,
         groups=1, bias=True, padding_mode="dense") -> OpCounts:
    """Counts of a convolution of an input of ``input_shape`` (N, Cin, *S), any number of axes.

    Notes
    -----
    With W = N·Co·∏o windows (o from :func:`~nnref.shapes.conv_out`) and
    T = (Cin/groups)·∏k taps per window, dense padding gives

        mul = W·T,   add = W·(T − 1) + W·[bias].

    In skip mode the in-bound taps of a window are a product over axes of per-axis
    counts t_a(j_a) (:func:`~nnref.shapes.window_taps`), so sums over windows separate:
    Σ t = N·Co·(Cin/groups)·∏_a Σ_j t_a(j), and the number of windows with t > 0 is
    N·Co·∏_a #{j : t_a(j) > 0}. Then mul = Σ t and add = Σ t − #{t > 0}, or Σ t with a bias.
    """
    shape = tuple(int(s) for s in input_shape)
    nd = len(shape) - 2
    k, s, p, d = (_per_axis(v, nd) for v in (kernel_size, stride, padding, dilation))
    n, co, cg = shape[0], int(out_channels), int(in_channels) // int(groups)
    outs = [conv_out(i, *a) for i, a in zip(shape[2:], zip(k, s, p, d))]
    if padding_mode == "dense":
        windows = n * co * prod(outs)
        mul = windows * cg * prod(k)
        return OpCounts(mul=mul, add=mul - windows + (windows if bias else 0))
    if padding_mode != "skip":
        raise ValueError(f"padding_mode={padding_mode!r} is invalid; expected 'dense' or 'skip'")
    tap_sums, live = [], []
    for i, o, ka, sa, pa, da in zip(shape[2:], outs, k, s, p, d):
        taps = [window_taps(i, ka, sa, pa, da, j) for j in range(o)]
        tap_sums.append(sum(taps))
        live.append(sum(1 for t in taps if t > 0))
    mul = n * co * cg * prod(tap_sums)
    return OpCounts(mul=mul, add=mul if bias else mul - n * co * prod(live))


def depthwise(channels, kernel_size, input_shape, stride=1, padding=0, dilation=1,
              depth_multiplier=1, bias=True, padding_mode="dense") -> OpCounts:
    """Counts of a depthwise convolution: :func:`conv` with groups = channels, Co = C·m."""
    return conv(channels, channels * depth_multiplier, kernel_size, input_shape, stride, padding,
                dilation, channels, bias, padding_mode)


def pointwise(in_channels, out_channels, input_shape, bias=True) -> OpCounts:
    """Counts of a 1×1 convolution: mul Cin, add Cin − 1 (+1 with bias) per output."""
    return conv(in_channels, out_channels, 1, input_shape, 1, 0, 1, 1, bias)


def conv2d_seed(cin: int, k: int, ho: int, wo: int, co: int, bias: bool = False) -> int:
    """Total FLOPs of a K×K Conv2d, batch 1, no groups, dense padding (the seed derivation).

    Notes
    -----
    Each of the Ho·Wo·Co outputs is a dot product of Cin·K² taps: Cin·K² multiplies and
    Cin·K² − 1 adds (the first product initialises the sum), i.e. 2·Cin·K² − 1 FLOPs.
    A bias adds one more add, giving 2·Cin·K² per output:

        (2·Cin·K² − 1)·Ho·Wo·Co,   or   2·Cin·K²·Ho·Wo·Co with bias.
    """
    return (2 * cin * k * k - (0 if bias else 1)) * ho * wo * co


def depthwise_seed(c: int, k: int, ho: int, wo: int, bias: bool = False) -> int:
    """Total FLOPs of a K×K depthwise Conv2d over C channels (m = 1, batch 1, dense).

    Notes
    -----
    Each of the Ho·Wo·C outputs reads K² taps of its own channel: K² multiplies and
    K² − 1 adds, so ``(2K² − 1)·Ho·Wo·C``, or ``2K²·Ho·Wo·C`` with bias.
    """
    return (2 * k * k - (0 if bias else 1)) * ho * wo * c


def pointwise_seed(cin: int, ho: int, wo: int, co: int, bias: bool = False) -> int:
    """Total FLOPs of a 1×1 Conv2d (batch 1).

    Notes
    -----
    Each of the Ho·Wo·Co outputs is a dot product over Cin channels: Cin multiplies and
    Cin − 1 adds, so ``(2·Cin − 1)·Ho·Wo·Co``, or ``2·Cin·Ho·Wo·Co`` with bias.
    """
    return (2 * cin - (0 if bias else 1)) * ho * wo * co


def _conv_layer(layer, shape) -> OpCounts:
    return conv(layer.in_channels, layer.out_channels, layer.kernel_size, shape, layer.stride,
                layer.padding, layer.dilation, layer.groups, layer.bias is not None,
                layer.padding_mode)


def _depthwise_layer(layer, shape) -> OpCounts:
    return depthwise(layer.in_channels, layer.kernel_size, shape, layer.stride, layer.padding,
                     layer.dilation, layer.depth_multiplier, layer.bias is not None,
                     layer.padding_mode)


def _pointwise_layer(layer, shape) -> OpCounts:
    return pointwise(layer.in_channels, layer.out_channels, shape, layer.bias is not None)


FOR_LAYER = {
    "Conv1d": _conv_layer,
    "Conv2d": _conv_layer,
    "Conv3d": _conv_layer,
    "DepthwiseConv2d": _depthwise_layer,
    "PointwiseConv2d": _pointwise_layer,
}
