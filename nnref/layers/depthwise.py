"""DepthwiseConv2d: the per-channel half of a separable convolution.

It reads like the equivalent PyTorch ``Conv2d(C, C·m, k, groups=C)`` (``in_channels``,
``out_channels``, ``kernel_size``, ``stride``, ``padding``, ``dilation``, ``groups``) and
gives the same values and counts as it, but runs its own kernel.
"""
from __future__ import annotations

from math import prod

from ..core.opcounts import OpCounts
from ..core.validate import as_tuple, check_bool, check_int, make_rng
from .base import Layer, lift, lift3, uniform_init
from .conv import (check_padding_args, conv_operands, conv_output_shape, padding_argument,
                   padding_arguments)


class DepthwiseConv2d(Layer):
    """Per-channel 2-D convolution of x (N, C, H, W) into (N, C·m, Ho, Wo).

    Parameters
    ----------
    channels : int
        Input channels C.
    kernel_size, stride, padding, dilation : int or tuple of 2 ints
        As :class:`~nnref.layers.conv.Conv2d` (padding also "valid" or "same").
    depth_multiplier : int
        m: output channel ``c·m + j`` (j < m) convolves input channel c with its own kernel.
    bias : bool
        Whether to add a learnt bias per output channel.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}
        torch's: what the padding holds (as :class:`~nnref.layers.conv.Conv2d`).
    padding_taps : {"dense", "skip"}
        Keyword only. "dense" computes the taps on padding (products with zero); "skip"
        runs only the taps inside the input.
    rng : None, int or numpy Generator
        Source of the PyTorch-style uniform initial weights.

    Attributes
    ----------
    weight : ndarray of shape (C·m, 1, kh, kw)
    bias : ndarray of shape (C·m,) or None
    in_channels, out_channels, groups : int
        C, C·m and C, as in the equivalent ``Conv2d``.

    Notes
    -----
    Same as ``Conv2d(C, C·m, kernel_size, groups=C)``; weight (C·m, 1, kh, kw).
    ``Ho = floor((H + 2p_h − d_h·(kh − 1) − 1) / s_h) + 1``, likewise ``Wo``.
    Counts: :func:`nnref.formulas.depthwise.depthwise`.
    """

    param_names = ("weight", "bias")

    def __init__(self, channels, kernel_size, depth_multiplier=1, stride=1, padding=0,
                 dilation=1, bias=True, padding_mode="zeros", *, padding_taps="dense", rng=None):
        super().__init__()
        owner = self.kind
        self.in_channels = check_int(channels, "channels", owner)
        self.depth_multiplier = check_int(depth_multiplier, "depth_multiplier", owner)
        self.out_channels = self.in_channels * self.depth_multiplier
        self.groups = self.in_channels
        self.kernel_size = as_tuple(kernel_size, 2, "kernel_size", owner)
        self.stride = as_tuple(stride, 2, "stride", owner)
        self.dilation = as_tuple(dilation, 2, "dilation", owner)
        self.padding, self.extra_padding = padding_argument(owner, padding, self.kernel_size,
                                                            self.stride, self.dilation)
        self.padding_string = padding if isinstance(padding, str) else None
        self.padding_mode, self.padding_taps = padding_arguments(owner, padding_mode, padding_taps)
        check_padding_args(self)
        has_bias = check_bool(bias, "bias", owner)
        rng = make_rng(rng)
        fan_in = prod(self.kernel_size)
        self.weight = uniform_init(rng, self.weight_shape, fan_in)
        self.bias = uniform_init(rng, (self.out_channels,), fan_in) if has_bias else None

    @property
    def weight_shape(self) -> tuple:
        return (self.out_channels, 1) + self.kernel_size

    def output_shape(self, input_shape):
        return conv_output_shape(self, input_shape)

    def forward(self, x):
        from ..kernels.depthwise import depthwise_conv

        x, w, b, y, padding = conv_operands(self, x)
        rows = depthwise_conv(lift(x, 2), lift(w, 2), b, lift3(self.stride, 1),
                              lift3(padding, 0), lift3(self.dilation, 1),
                              self.padding_taps == "skip", lift(y, 2))
        return y, OpCounts.from_rows(rows)

    def extra_repr(self):
        padding = (f", padding={self.padding_string!r}" if self.padding_string
                   else self._changed((("padding", (0, 0)),)))
        return (f"{self.in_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
                + self._changed((("depth_multiplier", 1),)) + padding
                + self._changed((("dilation", (1, 1)),))
                + (", bias=False" if self.bias is None else "")
                + self._changed((("padding_mode", "zeros"), ("padding_taps", "dense"))))
