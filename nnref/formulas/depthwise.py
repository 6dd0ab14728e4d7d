"""Closed forms for DepthwiseConv2d: a convolution with groups = channels.

Seed derivation, for a K×K kernel over C channels (m = 1): each of the Ho·Wo·C outputs
reads K² taps of its own channel, K² multiplies and K² − 1 adds, so
``(2K² − 1)·Ho·Wo·C`` FLOPs, ``2K²·Ho·Wo·C`` with bias. The rule is :func:`.conv.conv`'s.
"""
from ..core.opcounts import OpCounts
from ..core.validate import check_bool
from ._registry import formula, ints
from .conv import conv_counts


def depthwise(channels, kernel_size, input_shape, stride=1, padding=0, dilation=1,
              depth_multiplier=1, bias=True, padding_mode="dense") -> OpCounts:
    """Counts of a depthwise convolution: :func:`conv` with groups = channels, Co = C·m."""
    c, m = ints("depthwise", channels=channels, depth_multiplier=depth_multiplier)
    return conv_counts(c, c * m, kernel_size, input_shape, stride, padding, dilation, c, bias,
                       padding_mode, "depthwise")


def depthwise_seed(c: int, k: int, ho: int, wo: int, bias: bool = False) -> int:
    """Total FLOPs of a K×K depthwise Conv2d over C channels (m = 1, batch 1, dense).

    Notes
    -----
    Each of the Ho·Wo·C outputs reads K² taps of its own channel: K² multiplies and
    K² − 1 adds, so ``(2K² − 1)·Ho·Wo·C``, or ``2K²·Ho·Wo·C`` with bias.
    """
    c, k, ho, wo = ints("depthwise_seed", c=c, k=k, ho=ho, wo=wo)
    bias = check_bool(bias, "bias", "depthwise_seed")
    return (2 * k * k - (0 if bias else 1)) * ho * wo * c


@formula("DepthwiseConv2d")
def depthwise_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a DepthwiseConv2d) on ``input_shape``: :func:`depthwise`."""
    return depthwise(layer.in_channels, layer.kernel_size, input_shape, layer.stride, layer.padding,
                     layer.dilation, layer.depth_multiplier, layer.bias is not None,
                     layer.padding_mode)
