"""Closed forms for PointwiseConv2d: a 1×1 convolution."""
from ..core.opcounts import OpCounts
from ..core.validate import check_bool
from ._registry import formula, ints
from .conv import conv_counts


def pointwise(in_channels, out_channels, input_shape, bias=True) -> OpCounts:
    """Counts of a 1×1 convolution of an input of ``input_shape`` (N, Cin, H, W).

    Notes
    -----
    :func:`.conv.conv` with a 1×1 kernel (stride 1, no padding): each of the N·Co·H·W
    outputs is a dot product over the Cin channels at its position. The first product
    initialises the sum: mul Cin, add Cin − 1, +1 add with a bias.
    """
    return conv_counts(in_channels, out_channels, 1, input_shape, 1, 0, 1, 1, bias, "dense",
                       "pointwise")


def pointwise_seed(cin: int, ho: int, wo: int, co: int, bias: bool = False) -> int:
    """Total FLOPs of a 1×1 Conv2d (batch 1).

    Notes
    -----
    Each of the Ho·Wo·Co outputs is a dot product over Cin channels: Cin multiplies and
    Cin − 1 adds (the first product initialises the sum), so ``(2·Cin − 1)·Ho·Wo·Co``, or
    ``2·Cin·Ho·Wo·Co`` with bias (one more add per output).
    """
    cin, ho, wo, co = ints("pointwise_seed", cin=cin, ho=ho, wo=wo, co=co)
    bias = check_bool(bias, "bias", "pointwise_seed")
    return (2 * cin - (0 if bias else 1)) * ho * wo * co


@formula("PointwiseConv2d")
def pointwise_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a PointwiseConv2d) on ``input_shape``: :func:`pointwise`."""
    return pointwise(layer.in_channels, layer.out_channels, input_shape, layer.bias is not None)
