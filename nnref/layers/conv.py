"""Convolutions: Conv1d, Conv2d, Conv3d (PyTorch's arguments, NC(D)(H)W, OI(D)(H)W weights).

Along each spatial axis with input size ``i``, kernel ``k``, stride ``s``, padding ``p``
(zeros on both sides) and dilation ``d``, the output size is

    o = floor((i + 2p − d·(k − 1) − 1) / s) + 1

(:func:`nnref.core.shapes.conv_out`). Two algorithms give the same values and the same
counts: ``"im2col"`` (the counted GEMM of the weights and the windows, which it mostly
reads in place from the input, else unrolled into rows a bounded chunk at a time; a
convolution with ``groups == in_channels`` runs the depthwise kernel) and ``"naive"`` (a
direct loop over output elements and taps).

Counts: :func:`nnref.formulas.conv.conv`.
"""
from __future__ import annotations

import os
import warnings
from math import prod

import numpy as np

from ..core.opcounts import OpCounts
from ..core.shapes import (PADDING_STRINGS, PADDING_TAPS, TORCH_PADDING_MODES, check_conv_input,
                           conv_out, same_padding)
from ..core.validate import as_tuple, check_bool, check_int, check_str, make_rng
from .base import Layer, lift, lift3, uniform_init

ALGORITHMS = ("im2col", "naive")


def padding_arguments(owner: str, padding_mode, padding_taps) -> tuple:
    """torch's ``padding_mode`` and nnref's ``padding_taps``, checked.

    ``padding_mode="dense"`` or ``"skip"`` is the old spelling of ``padding_taps``: it still
    works, with a DeprecationWarning (``padding_mode`` is torch's name, for what the
    padding holds). ``padding_taps="skip"`` needs zero padding: with ``"reflect"``,
    ``"replicate"`` or ``"circular"`` the padding holds input values, so its taps are
    real products and are always computed.
    """
    if isinstance(padding_mode, str) and padding_mode in PADDING_TAPS:
        warnings.warn(f"{owner}: padding_mode={padding_mode!r} is deprecated: nnref's option is "
                      f"now padding_taps (padding_mode is torch's); use "
                      f"padding_taps={padding_mode!r}", DeprecationWarning, stacklevel=3)
        padding_mode, padding_taps = "zeros", padding_mode
    mode = check_str(padding_mode, "padding_mode", owner, TORCH_PADDING_MODES)
    taps = check_str(padding_taps, "padding_taps", owner, PADDING_TAPS)
    if taps == "skip" and mode != "zeros":
        raise ValueError(f"{owner}: padding_taps='skip' is invalid with padding_mode={mode!r}: "
                         "that padding holds input values, whose products are always "
                         "computed; expected padding_mode='zeros' or padding_taps='dense'")
    return mode, taps


def padding_argument(owner: str, padding, kernel_size, stride, dilation) -> tuple:
    """``(padding, extra_padding)``: torch's ``padding`` (ints, ``"valid"`` or ``"same"``) as
    the per-axis padding on both sides and the extra padding at the end of each axis.

    ``"same"`` (stride 1 only, as in torch) pads ``d·(k − 1)`` in all per axis, one more
    at the end when that is odd (:func:`nnref.core.shapes.same_padding`).
    """
    nd = len(kernel_size)
    if isinstance(padding, str):
        check_str(padding, "padding", owner, PADDING_STRINGS)
        if padding == "valid":
            return (0,) * nd, (0,) * nd
        if any(s != 1 for s in stride):
            raise ValueError(f"{owner}: padding='same' is invalid with stride={stride}; expected "
                             "stride 1 (torch does not support 'same' for strided convolutions)")
        pads = [same_padding(k, d) for k, d in zip(kernel_size, dilation, strict=True)]
        return tuple(left for left, _ in pads), tuple(right - left for left, right in pads)
    return as_tuple(padding, nd, "padding", owner, minimum=0), (0,) * nd


def check_padding_args(layer) -> None:
    """Refuse ``padding_taps="skip"`` with the asymmetric padding of ``padding="same"``."""
    if layer.padding_taps == "skip" and any(layer.extra_padding):
        raise ValueError(f"{layer.kind}: padding_taps='skip' is invalid with padding='same' for "
                         f"kernel_size={layer.kernel_size}, dilation={layer.dilation}: its "
                         "padding is asymmetric (one more at the end); expected "
                         "padding_taps='dense', or an odd dilated kernel")


def padded_shape(layer, shape: tuple) -> tuple:
    """``shape`` with the extra end padding of ``padding="same"`` added to its spatial sizes
    (unchanged if it has not the layer's number of axes: the caller then refuses it)."""
    if len(shape) != len(layer.extra_padding) + 2 or not any(layer.extra_padding):
        return shape
    return shape[:2] + tuple(i + e for i, e in zip(shape[2:], layer.extra_padding))


def conv_output_shape(layer, input_shape) -> tuple:
    """(N, Co, *o) for input (N, Cin, *i), checked against ``layer``'s configuration.

    Along each axis ``o = floor((i + e + 2p − d·(k − 1) − 1) / s) + 1``, with e the extra
    end padding of ``padding="same"`` (:func:`nnref.core.shapes.conv_out`). Reflect
    padding needs p < i, circular p <= i, as in torch.
    """
    shape = layer.check_shape(input_shape)
    padded = padded_shape(layer, shape)
    check_conv_input(layer.kind, padded, layer.in_channels, layer.kernel_size, layer.padding,
                     layer.dilation)
    limit = {"reflect": 0, "circular": 1}.get(layer.padding_mode)
    if limit is not None and any(p + e > i - 1 + limit for i, p, e in
                                 zip(shape[2:], layer.padding, layer.extra_padding, strict=True)):
        raise ValueError(f"{layer.kind}: padding={layer.padding} with "
                         f"padding_mode={layer.padding_mode!r} is invalid for input shape "
                         f"{shape}; expected padding {'below' if not limit else 'at most'} the "
                         "input size on every axis")
    return (shape[0], layer.out_channels) + tuple(
        conv_out(i, k, s, p, d) for i, k, s, p, d in
        zip(padded[2:], layer.kernel_size, layer.stride, layer.padding, layer.dilation,
            strict=True))


#: numpy's names of torch's non-zero padding modes.
_NP_PAD = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def conv_operands(layer, x) -> tuple:
    """``(x, w, b, y, padding)`` for a conv-family forward: the input, contiguous and, for
    padding the kernel does not do itself, padded explicitly (reflect, replicate and
    circular modes, the extra end zeros of ``padding="same"``: data movement, no counts);
    weight and bias checked and cast to the input's dtype (``b`` None without bias); an
    empty output; the zero padding left for the kernel on both sides."""
    y = np.empty(layer.output_shape(x.shape), x.dtype)
    w = layer.param("weight", layer.weight_shape, x.dtype)
    b = layer.param("bias", (layer.out_channels,), x.dtype, present=None)
    padding = tuple(layer.padding)
    mode, extra = getattr(layer, "padding_mode", "zeros"), getattr(layer, "extra_padding", ())
    if mode != "zeros":
        x = np.pad(x, [(0, 0)] * 2 + [(p, p + e) for p, e in zip(padding, extra, strict=True)],
                   mode=_NP_PAD[mode])
        padding = (0,) * len(padding)
    elif any(extra):
        x = np.pad(x, [(0, 0)] * 2 + [(0, e) for e in extra])
    return np.ascontiguousarray(x), w, b, y, padding


def column_buffer_bytes(setting, owner: str) -> int:
    """The im2col column buffer in bytes: ``setting`` (an int, or None for the
    NNREF_COLUMN_BUFFER environment variable, e.g. ``"64M"``, or else 32 MiB)."""
    from ..kernels.conv import COLUMN_BUFFER

    if setting is None:
        text = os.environ.get("NNREF_COLUMN_BUFFER", "").strip()
        if not text:
            return COLUMN_BUFFER
        scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:].upper(), 1)
        digits = text[:-1] if scale > 1 else text
        if not digits.isdigit() or int(digits) < 1:
            raise ValueError(f"{owner}: NNREF_COLUMN_BUFFER={text!r} is invalid; expected a "
                             "positive number of bytes, optionally with K, M or G, e.g. 64M")
        return int(digits) * scale
    return check_int(setting, "column_buffer", owner)


def window_arguments(layer, in_channels, out_channels, kernel_size, stride, dilation,
                     groups) -> None:
    """Check the arguments every convolution shares and store them under torch's names, the
    per-axis ones as tuples of ``layer.ndim`` ints (``padding`` is each class's own: torch's
    strings and extra end padding for Conv, a crop for ConvTranspose)."""
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
    #: Bytes of the im2col column buffer (the windows of a chunk of output rows, when they
    #: are unrolled rather than read in place), or None for NNREF_COLUMN_BUFFER or the
    #: default (:func:`column_buffer_bytes`). Any value gives the same outputs and
    #: counts; it only bounds the memory.
    column_buffer = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", *, algorithm="im2col",
                 padding_taps="dense", rng=None):
        super().__init__()
        owner = self.kind
        window_arguments(self, in_channels, out_channels, kernel_size, stride, dilation, groups)
        self.padding, self.extra_padding = padding_argument(owner, padding, self.kernel_size,
                                                            self.stride, self.dilation)
        self.padding_string = padding if isinstance(padding, str) else None
        self.algorithm = check_str(algorithm, "algorithm", owner, ALGORITHMS)
        self.padding_mode, self.padding_taps = padding_arguments(owner, padding_mode, padding_taps)
        check_padding_args(self)
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
        from ..kernels.depthwise import depthwise_conv

        x, w, b, y, padding = conv_operands(self, x)
        geometry = (lift3(self.stride, 1), lift3(padding, 0), lift3(self.dilation, 1))
        xl, wl, yl = lift(x, self.ndim), lift(w, self.ndim), lift(y, self.ndim)
        if self.algorithm == "naive":
            rows = conv_naive(xl, wl, b, *geometry, self.groups, self.padding_taps == "skip", yl)
        elif self.groups == self.in_channels:  # depthwise: its own kernel, same counts
            rows = depthwise_conv(xl, wl, b, *geometry, False, yl)
        else:
            rows = conv_im2col(xl, wl, b, *geometry, self.groups, yl,
                               column_buffer_bytes(self.column_buffer, self.kind))
        return y, OpCounts.from_rows(rows)

    def extra_repr(self):
        nd = self.ndim
        padding = (f", padding={self.padding_string!r}" if self.padding_string
                   else self._changed((("padding", (0,) * nd),)))
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}" + padding
                + self._changed((("dilation", (1,) * nd), ("groups", 1)))
                + (", bias=False" if self.bias is None else "")
                + self._changed((("padding_mode", "zeros"), ("algorithm", "im2col"),
                                 ("padding_taps", "dense"))))


class Conv1d(_ConvNd):
    """1-D convolution of x (N, Cin, L) with weight (Co, Cin/groups, k) into (N, Co, Lo).

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input and output; both divisible by ``groups``.
    kernel_size, stride, dilation : int or tuple of 1 int
        Per-axis kernel size, stride (>= 1) and dilation (1 means none).
    padding : int, tuple of 1 int, "valid" or "same"
        Padding on both sides (>= 0), as torch: "valid" is none, "same" (stride 1 only)
        keeps the input size, with one more at the end when d·(k − 1) is odd.
    groups : int
        Input and output channels are split into ``groups`` independent groups.
    bias : bool
        Whether to add a learnt bias per output channel.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}
        torch's: what the padding holds (zeros; the input mirrored without its edge; the
        edge repeated; the input wrapped around). Filling it is data movement, no counts.
        ("dense" and "skip", the old spelling of ``padding_taps``, still work with a
        DeprecationWarning.)
    algorithm : {"im2col", "naive"}
        Keyword only. im2col + counted GEMM, or the direct loop. Same values, same counts.
    padding_taps : {"dense", "skip"}
        Keyword only. "dense" computes the taps on padding (products with zero), "skip"
        (naive only) runs only the taps inside the input. "skip" needs zero padding on
        both sides: it is refused with another ``padding_mode`` (the padding then holds
        input values, real products) and with the asymmetric padding of ``"same"``.
    rng : None, int or numpy Generator
        Source of the PyTorch-style uniform initial weights.

    Attributes
    ----------
    weight : ndarray of shape (Co, Cin/groups, k)
    bias : ndarray of shape (Co,) or None
    padding, extra_padding : tuple of int
        The padding on both sides, and the extra padding at the end (1 where
        ``padding="same"`` is asymmetric); ``padding_string`` keeps "same" or "valid".

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
