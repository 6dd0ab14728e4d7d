"""Closed forms for transposed convolutions with any number of spatial axes.

Notes
-----
A transposed convolution multiplies every input element by every tap of its group's
output channels and accumulates each product into the output position it reaches:
input ``j`` of an axis, tap ``m``, reaches full position ``f = j·s + m·d``, and output
``o`` is full position ``o + p`` (the full output is cropped by the padding ``p`` on
both sides and extended by ``output_padding`` on the right). A position reached by
``c`` products costs

    mul c (one per input element and tap),   add c − 1

because the first product written to it initialises it and each later one is added;
then one add for the bias in each output some product reaches. An output that no
product reaches (between strided taps, or in the ``output_padding`` beyond the full
output) costs nothing: it is the bias, or 0.

With ``padding_taps="dense"`` (both algorithms) every product is computed and
accumulated, those landing on the cropped padding too (as the GEMM of ``"col2im"``
computes them): the positions are those of the full output. With ``"skip"`` (naive
only) the products landing on the cropped padding are not computed: the positions are
those of the output. The col2im form executes the same operations in another order: a
GEMM sums the Cin/g products of each (position, input, tap) column (Cin/g − 1 adds),
col2im the t columns of a position (t − 1), and t·(Cin/g − 1) + t − 1 = c − 1.
Everything is Python ints.
"""
from math import prod

from ..core.opcounts import OpCounts
from ..core.shapes import check_conv_transpose_input, check_output_padding, scatter_taps
from ._registry import formula
from .conv import conv_arguments


def conv_transpose(in_channels, out_channels, kernel_size, input_shape, stride=1, padding=0,
                   output_padding=0, groups=1, bias=True, dilation=1,
                   padding_taps="dense") -> OpCounts:
    """Counts of a transposed convolution of an input of ``input_shape`` (N, Cin, *S).

    Parameters
    ----------
    in_channels, out_channels, groups : int
        Cin, Co (both divisible by ``groups``) and the number of groups.
    kernel_size, stride, padding, output_padding, dilation : int or tuple of int
        One int per spatial axis of ``input_shape``, or one int for all (torch's order:
        ``output_padding`` before ``groups``, ``dilation`` after ``bias``).
    input_shape : tuple of int
        (N, Cin, *S), at least one spatial axis.
    bias : bool
    padding_taps : {"dense", "skip"}

    Bad arguments are a TypeError or ValueError naming them.

    Notes
    -----
    Per axis ``a`` with input size ``i``, let ``T_a`` be the number of (input, tap) pairs
    landing in the counted positions (the full output ``[0, (i − 1)·s + d·(k − 1) + 1)``
    for dense, the output ``[p, p + o)`` for skip) and ``R_a`` the number of those
    positions some pair reaches, and ``R°_a`` the number of outputs some pair reaches
    (:func:`~nnref.core.shapes.scatter_taps`). The pairs and positions of several axes are
    products of their per-axis ones, so over the N·Co output planes, each reading Cin/g
    input channels,

        mul = N·Co·(Cin/g)·∏_a T_a
        add = mul − N·Co·∏_a R_a + [bias]·N·Co·∏_a R°_a.

    Dense, ``T_a = i·k``: mul = N·Cin·∏i · (Co/g)·∏k, every input element times every tap.
    """
    owner = "conv_transpose"
    cin, co, g, shape, k, s, p, d, bias, skip = conv_arguments(
        owner, in_channels, out_channels, groups, input_shape, kernel_size, stride, padding,
        dilation, bias, padding_taps)
    q = check_output_padding(owner, output_padding, s, d)
    outs = check_conv_transpose_input(owner, shape, cin, k, s, p, q, d)
    planes = shape[0] * co
    counted, outputs = [], []
    for i, kk, ss, pp, dd, o in zip(shape[2:], k, s, p, d, outs, strict=True):
        full = (i - 1) * ss + dd * (kk - 1) + 1
        counted.append(scatter_taps(i, kk, ss, dd, pp, pp + o) if skip else
                       scatter_taps(i, kk, ss, dd, 0, full))
        outputs.append(scatter_taps(i, kk, ss, dd, pp, pp + o)[1])
    mul = planes * (cin // g) * prod(total for total, _ in counted)
    add = mul - planes * prod(reached for _, reached in counted)
    return OpCounts(mul=mul, add=add + (planes * prod(outputs) if bias else 0))


@formula("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
def conv_transpose_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a ConvTranspose1d/2d/3d) on ``input_shape``: :func:`conv_transpose`."""
    return conv_transpose(layer.in_channels, layer.out_channels, layer.kernel_size, input_shape,
                          layer.stride, layer.padding, layer.output_padding, layer.groups,
                          layer.bias is not None, layer.dilation, layer.padding_taps)
