"""Convolutions: Conv1d, Conv2d, Conv3d (PyTorch's arguments, NC(D)(H)W, OI(D)(H)W weights).

Along each spatial axis with input size ``i``, kernel ``k``, stride ``s``, padding ``p``
(zeros on both sides) and dilation ``d``, the output size is

    o = floor((i + 2p − d·(k − 1) − 1) / s) + 1

(:func:`nnref.core.shapes.conv_out`). Two algorithms give the same values and the same
counts: ``"im2col"`` (windows unrolled into rows, then the counted GEMM) and
``"naive"`` (a direct loop over output elements and taps).

Counts: :func:`nnref.formulas.conv.conv`.
"""
from __future__ import annotations

import warnings
from math import prod

import numpy as np

from ..core.opcounts import OpCounts
from ..core.shapes import PADDING_TAPS, TORCH_PADDING_MODES, check_conv_input, conv_out
from ..core.validate import as_tuple, check_bool, check_int, check_str, make_rng
from .base import Layer, lift, lift3, uniform_init

ALGORITHMS = ("im2col", "naive")


def padding_arguments(owner: str, padding_mode, padding_taps) -> tuple:
    """torch's ``padding_mode`` and nnref's ``padding_taps``, checked.

    ``padding_mode="dense"`` or ``"skip"`` is the old spelling of ``padding_taps``: it still
    works, with a DeprecationWarning (``padding_mode`` is torch's name, for what the
    padding holds).
    """
    if isinstance(padding_mode, str) and padding_mode in PADDING_TAPS:
        warnings.warn(f"{owner}: padding_mode={padding_mode!r} is deprecated: nnref's option is "
                      f"now padding_taps (padding_mode is torch's); use "
                      f"padding_taps={padding_mode!r}", DeprecationWarning, stacklevel=3)
        padding_mode, padding_taps = "zeros", padding_mode
    return (check_str(padding_mode, "padding_mode", owner, TORCH_PADDING_MODES),
            check_str(padding_taps, "padding_taps", owner, PADDING_TAPS))


def conv_output_shape(layer, input_shape) -> tuple:
    """(N, Co, *o) for input (N, Cin, *i), checked against ``layer``'s configuration.

    Along each axis ``o = floor((i + 2p − d·(k − 1) − 1) / s) + 1``
    (:func:`nnref.core.shapes.conv_out`).
    """
    shape = layer.check_shape(input_shape)
    check_conv_input(layer.kind, shape, layer.in_channels, layer.kernel_size, layer.padding,
                     layer.dilation)
    return (shape[0], layer.out_channels) + tuple(
        conv_out(i, k, s, p, d) for i, k, s, p, d in
        zip(shape[2:], layer.kernel_size, layer.stride, layer.padding, layer.dilation, strict=True))


def conv_operands(layer, x) -> tuple:
    """``(x, w, b, y)`` for a conv-family forward: contiguous input, weight and bias checked
    and cast to the input's dtype (``b`` None without bias), and an empty output."""
    x = np.ascontiguousarray(x)
    w = layer.param("weight", layer.weight_shape, x.dtype)
    b = layer.param("bias", (layer.out_channels,), x.dtype, present=None)
    return x, w, b, np.empty(layer.output_shape(x.shape), x.dtype)


def window_arguments(layer, in_channels, out_channels, kernel_size, stride, padding, dilation,
                     groups) -> None:
    """Check the arguments every convolution shares and store them under torch's names, the
    per-axis ones as tuples of ``layer.ndim`` ints."""
    owner, nd = layer.kind, layer.ndim
    layer.in_channels = check_int(in_channels, "in_channels", owner)
    layer.out_channels = check_int(out_channels, "out_channels", owner)
    layer.groups = check_int(groups, "groups", owner)
    for name in ("in_channels", "out_channels"):
        if getattr(layer, name) % layer.groups:
            raise ValueError(f"{owner}: {name}={getattr(layer, name)} is not divisible by "
                             f"groups={layer.groups}; expected a multiple of groups")
    layer.kernel_size = as_tuple(kernel_size, nd, "kernel_size", owner)
    layer.stride = as_tuple(stride, nd, "stride", owner)
    layer.padding = as_tuple(padding, nd, "padding", owner, minimum=0)
    layer.dilation = as_tuple(dilation, nd, "dilation", owner)


def init_weights(layer, bias, rng, fan_in: int) -> None:
    """``layer.weight`` (of ``layer.weight_shape``) and ``layer.bias`` (or None, if not
    ``bias``), torch's default U(−1/√fan_in, 1/√fan_in), from ``rng``."""
    has_bias = check_bool(bias, "bias", layer.kind)
    rng = make_rng(rng)
    layer.weight = uniform_init(rng, layer.weight_shape, fan_in)
    layer.bias = uniform_init(rng, (layer.out_channels,), fan_in) if has_bias else None


class _ConvNd(Layer):
    """Shared code of Conv1d/2d/3d; subclasses set ``ndim``."""

    ndim = 0
    param_names = ("weight", "bias")

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", *, algorithm="im2col",
                 padding_taps="dense", rng=None):
        super().__init__()
        owner = self.kind
        window_arguments(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups)
        self.algorithm = check_str(algorithm, "algorithm", owner, ALGORITHMS)
        self.padding_mode, self.padding_taps = padding_arguments(owner, padding_mode, padding_taps)
        if self.algorithm == "im2col" and self.padding_taps == "skip":
            raise ValueError(f"{owner}: padding_taps='skip' is invalid with algorithm='im2col' "
                             "(im2col always computes the padding taps); expected "
                             "algorithm='naive' or padding_taps='dense'")
        init_weights(self, bias, rng, self.in_channels // self.groups * prod(self.kernel_size))

    @property
    def weight_shape(self) -> tuple:
        return (self.out_channels, self.in_channels // self.groups) + self.kernel_size

    def output_shape(self, input_shape):
        """(N, Co, *o) for input (N, Cin, *i); see the module docstring for ``o``."""
        return conv_output_shape(self, input_shape)

    def forward(self, x):
        from ..kernels.conv import conv_im2col, conv_naive

        x, w, b, y = conv_operands(self, x)
        args = (lift(x, self.ndim), lift(w, self.ndim), b, lift3(self.stride, 1),
                lift3(self.padding, 0), lift3(self.dilation, 1), self.groups)
        if self.algorithm == "naive":
            rows = conv_naive(*args, self.padding_taps == "skip", lift(y, self.ndim))
        else:
            rows = conv_im2col(*args, lift(y, self.ndim))
        return y, OpCounts.from_rows(rows)

    def extra_repr(self):
        nd = self.ndim
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}"
                + self._changed((("padding", (0,) * nd), ("dilation", (1,) * nd), ("groups", 1)))
                + (", bias=False" if self.bias is None else "")
                + self._changed((("padding_mode", "zeros"), ("algorithm", "im2col"),
                                 ("padding_taps", "dense"))))


class Conv1d(_ConvNd):
    """1-D convolution of x (N, Cin, L) with weight (Co, Cin/groups, k) into (N, Co, Lo).

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input and output; both divisible by ``groups``.
    kernel_size, stride, padding, dilation : int or tuple of 1 int
        Per-axis kernel size, stride (>= 1), zero padding on both sides (>= 0) and
        dilation (1 means none).
    groups : int
        Input and output channels are split into ``groups`` independent groups.
    bias : bool
        Whether to add a learnt bias per output channel.
    padding_mode : {"zeros"}
        torch's: what the padding holds. ("dense" and "skip", the old spelling of
        ``padding_taps``, still work with a DeprecationWarning.)
    algorithm : {"im2col", "naive"}
        Keyword only. im2col + counted GEMM, or the direct loop. Same values, same counts.
    padding_taps : {"dense", "skip"}
        Keyword only. "dense" computes the taps on padding (products with zero), "skip"
        (naive only) runs only the taps inside the input.
    rng : None, int or numpy Generator
        Source of the PyTorch-style uniform initial weights.

    Attributes
    ----------
    weight : ndarray of shape (Co, Cin/groups, k)
    bias : ndarray of shape (Co,) or None

    Notes
    -----
    Output size ``o = floor((i + 2p − d·(k − 1) − 1) / s) + 1``. Each output is
    ``y = Σ x·w (+ b)`` over the (Cin/groups)·k taps of its window.
    Counts: :func:`nnref.formulas.conv.conv`.
    """

    ndim = 1


class Conv2d(_ConvNd):
    """2-D convolution of x (N, Cin, H, W) with weight (Co, Cin/groups, kh, kw) into (N, Co, Ho, Wo).

    Arguments as :class:`Conv1d`, with per-axis values as an int or a tuple of 2 ints.

    Notes
    -----
    ``Ho = floor((H + 2p_h − d_h·(kh − 1) − 1) / s_h) + 1``, likewise ``Wo``.
    Counts: :func:`nnref.formulas.conv.conv`; the seed derivation for a square kernel:
    :func:`nnref.formulas.conv.conv2d_seed`.
    """

    ndim = 2


class Conv3d(_ConvNd):
    """3-D convolution of x (N, Cin, D, H, W) with weight (Co, Cin/groups, kd, kh, kw).

    Arguments as :class:`Conv1d`, with per-axis values as an int or a tuple of 3 ints;
    each output size follows ``o = floor((i + 2p − d·(k − 1) − 1) / s) + 1``.
    Counts: :func:`nnref.formulas.conv.conv`.
    """

    ndim = 3
