"""PointwiseConv2d: the 1×1 half of a separable convolution.

It reads like the equivalent PyTorch ``Conv2d(Cin, Co, 1)`` and gives the same values
and counts as it, but runs its own kernel (one counted GEMM per batch element).
"""
from __future__ import annotations

from ..core.opcounts import OpCounts
from ..core.validate import check_bool, check_int, make_rng
from .base import Layer, uniform_init
from .conv import conv_operands, conv_output_shape


class PointwiseConv2d(Layer):
    """1×1 convolution of x (N, Cin, H, W) with weight (Co, Cin, 1, 1) into (N, Co, H, W).

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input and output.
    bias : bool
        Whether to add a learnt bias per output channel.
    rng : None, int or numpy Generator
        Source of the PyTorch-style uniform initial weights.

    Attributes
    ----------
    weight : ndarray of shape (Co, Cin, 1, 1)
    bias : ndarray of shape (Co,) or None

    Notes
    -----
    Same as ``Conv2d(Cin, Co, 1)``: ``y[n, o, h, w] = Σ_c x[n, c, h, w]·W[o, c] (+ b[o])``.
    Counts: :func:`nnref.formulas.pointwise.pointwise`.
    """

    param_names = ("weight", "bias")
    kernel_size, stride, padding, dilation, groups = (1, 1), (1, 1), (0, 0), (1, 1), 1
    extra_padding, padding_mode = (0, 0), "zeros"

    def __init__(self, in_channels, out_channels, bias=True, *, rng=None):
        super().__init__()
        owner = self.kind
        self.in_channels = check_int(in_channels, "in_channels", owner)
        self.out_channels = check_int(out_channels, "out_channels", owner)
        has_bias = check_bool(bias, "bias", owner)
        rng = make_rng(rng)
        self.weight = uniform_init(rng, self.weight_shape, self.in_channels)
        self.bias = uniform_init(rng, (self.out_channels,), self.in_channels) if has_bias else None

    @property
    def weight_shape(self) -> tuple:
        return (self.out_channels, self.in_channels, 1, 1)

    def output_shape(self, input_shape):
        return conv_output_shape(self, input_shape)

    def forward(self, x):
        from ..kernels.pointwise import pointwise

        x, w, b, y, _ = conv_operands(self, x)
        N, C = x.shape[:2]
        rows = pointwise(x.reshape(N, C, -1), w.reshape(self.out_channels, C), b,
                         y.reshape(N, self.out_channels, -1))
        return y, OpCounts.from_rows(rows)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}"
        return s + (", bias=False" if self.bias is None else "")
