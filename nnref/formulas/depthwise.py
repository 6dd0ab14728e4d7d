"""Closed forms for DepthwiseConv2d: a convolution with groups = channels."""
from ..core.opcounts import OpCounts
from ..core.validate import check_bool
from ._registry import formula, ints
from .conv import conv_counts, padded


def depthwise(channels, kernel_size, input_shape, stride=1, padding=0, dilation=1,
              depth_multiplier=1, bias=True, padding_taps="dense") -> OpCounts:
    """Counts of a depthwise convolution of ``channels`` channels, depth multiplier m.

    Parameters
    ----------
    channels, depth_multiplier : int
        C and m: output channel ``c·m + j`` convolves input channel c alone.
    kernel_size, stride, padding, dilation : int or tuple of 2 int
    input_shape : tuple of int
        (N, C, H, W).
    bias : bool
    padding_taps : {"dense", "skip"}

    Notes
    -----
    :func:`.conv.conv` with groups = C and Co = C·m: each of the N·C·m·Ho·Wo outputs has
    T = kh·kw taps in its one input channel. The first product initialises the
    accumulator: mul T, add T − 1, +1 add with a bias. With ``"skip"`` only the t taps
    inside the input count: mul t, add t − 1 (+1 with a bias), nothing when t = 0.
    """
    c, m = ints("depthwise", channels=channels, depth_multiplier=depth_multiplier)
    return conv_counts(c, c * m, kernel_size, input_shape, stride, padding, dilation, c, bias,
                       padding_taps, "depthwise")


def depthwise_seed(c: int, k: int, ho: int, wo: int, bias: bool = False) -> int:
    """Total FLOPs of a K×K depthwise Conv2d over C channels (m = 1, batch 1, dense).

    Notes
    -----
    Each of the Ho·Wo·C outputs reads K² taps of its own channel: K² multiplies and
    K² − 1 adds (the first product initialises the sum), so ``(2K² − 1)·Ho·Wo·C``, or
    ``2K²·Ho·Wo·C`` with bias (one more add per output).
    """
    c, k, ho, wo = ints("depthwise_seed", c=c, k=k, ho=ho, wo=wo)
    bias = check_bool(bias, "bias", "depthwise_seed")
    return (2 * k * k - (0 if bias else 1)) * ho * wo * c


@formula("DepthwiseConv2d")
def depthwise_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a DepthwiseConv2d) on ``input_shape``: :func:`depthwise`."""
    return depthwise(layer.in_channels, layer.kernel_size, padded(layer, input_shape),
                     layer.stride, layer.padding, layer.dilation, layer.depth_multiplier,
                     layer.bias is not None, layer.padding_taps)
