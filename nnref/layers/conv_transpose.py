"""Transposed convolutions: ConvTranspose1d/2d/3d (torch's arguments, NC(D)(H)W, I O/g (D)(H)W weights).

Input ``j`` of an axis reaches, through tap ``m``, position ``f = j·s + m·d`` of the full
output, which is cropped by ``p`` on both sides and extended by ``output_padding`` ``q``:

    o = (i − 1)·s − 2p + d·(k − 1) + q + 1

(:func:`nnref.core.shapes.conv_transpose_out`); output ``j`` is full position ``j + p``.
Two algorithms give the same values and the same counts: ``"col2im"`` (the counted GEMM
of the weights and the input, every input element times every tap, then col2im sums the
columns of each output) and ``"naive"`` (the textbook scatter, each input element times
each tap accumulated into the output).

Counts: :func:`nnref.formulas.conv_transpose.conv_transpose`.
"""
from __future__ import annotations

import copy
from math import prod

from ..core.opcounts import OpCounts
from ..core.shapes import (PADDING_TAPS, check_conv_transpose_input, check_output_padding,
                           conv_transpose_out)
from ..core.validate import as_tuple, check_array, check_str
from .base import Layer, lift, lift3
from .conv import conv_operands, init_weights, window_arguments

ALGORITHMS = ("col2im", "naive")
#: torch's ConvTranspose pads with zeros only.
PADDING_MODES = ("zeros",)


class _ConvTransposeNd(Layer):
    """Shared code of ConvTranspose1d/2d/3d; subclasses set ``ndim``."""

    ndim = 0
    param_names = ("weight", "bias")

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros", *,
                 algorithm="col2im", padding_taps="dense", rng=None):
        super().__init__()
        owner = self.kind
        window_arguments(self, in_channels, out_channels, kernel_size, stride, dilation, groups)
        self.padding = as_tuple(padding, self.ndim, "padding", owner, minimum=0)
        self.output_padding = check_output_padding(owner, output_padding, self.stride,
                                                   self.dilation)
        self.padding_mode = check_str(padding_mode, "padding_mode", owner, PADDING_MODES)
        self.algorithm = check_str(algorithm, "algorithm", owner, ALGORITHMS)
        self.padding_taps = check_str(padding_taps, "padding_taps", owner, PADDING_TAPS)
        if self.algorithm == "col2im" and self.padding_taps == "skip":
            raise ValueError(f"{owner}: padding_taps='skip' is invalid with algorithm='col2im' "
                             "(its GEMM computes every tap, those landing on the cropped "
                             "padding too); expected algorithm='naive' or padding_taps='dense'")
        # torch's fan-in is the weight's dimension 1 times the kernel: (Co/g)·∏k
        init_weights(self, bias, rng, self.out_channels // self.groups * prod(self.kernel_size))

    @property
    def weight_shape(self) -> tuple:
        return (self.in_channels, self.out_channels // self.groups) + self.kernel_size

    def output_shape(self, input_shape):
        """(N, Co, *o) for input (N, Cin, *i); see the module docstring for ``o``."""
        shape = self.check_shape(input_shape)
        return (shape[0], self.out_channels) + check_conv_transpose_input(
            self.kind, shape, self.in_channels, self.kernel_size, self.stride, self.padding,
            self.output_padding, self.dilation)

    def with_output_size(self, input_shape, output_size):
        """This layer with the ``output_padding`` that gives ``output_size`` on ``input_shape``.

        torch's ``forward(input, output_size)``: ``output_size`` holds the spatial sizes
        (or N, C and them); each must lie in ``[o₀, o₀ + s − 1]``, ``o₀`` being the size
        with no output padding. The copy shares the weights.
        """
        shape = self.check_shape(input_shape)
        nd = self.ndim
        if isinstance(output_size, (tuple, list)) and len(output_size) == nd + 2:
            output_size = tuple(output_size)[2:]
        sizes = as_tuple(output_size, nd, "output_size", self.kind)
        if len(shape) != nd + 2:
            self.output_shape(shape)  # the message about the input's dimensions
        padding = []
        for ax, (i, k, s, p, d, o) in enumerate(zip(shape[2:], self.kernel_size, self.stride,
                                                    self.padding, self.dilation, sizes,
                                                    strict=True)):
            least = conv_transpose_out(i, k, s, p, d)
            if not least <= o <= least + s - 1:
                raise ValueError(f"{self.kind}: output_size={output_size!r} is invalid for input "
                                 f"shape {shape}: along axis {ax + 2} expected a size in "
                                 f"[{least}, {least + s - 1}]")
            padding.append(o - least)
        layer = copy.copy(self)
        layer.output_padding = tuple(padding)
        return layer

    def __call__(self, x, output_size=None):
        """``(y, ops)``; ``output_size`` (torch's) picks the output padding for this call."""
        if output_size is None:
            return super().__call__(x)
        x = check_array(x, self.kind)
        return self.with_output_size(x.shape, output_size)(x)

    def forward(self, x):
        from ..kernels.conv_transpose import conv_transpose_col2im, conv_transpose_naive

        x, w, b, y, _ = conv_operands(self, x)  # padding_mode "zeros": x as it is
        nd = self.ndim
        args = (lift(x, nd), lift(w, nd), b, lift3(self.stride, 1), lift3(self.padding, 0),
                lift3(self.dilation, 1), self.groups)
        if self.algorithm == "naive":
            rows = conv_transpose_naive(*args, self.padding_taps == "skip", lift(y, nd))
        else:
            rows = conv_transpose_col2im(*args, lift(y, nd))
        return y, OpCounts.from_rows(rows)

    def extra_repr(self):
        nd = self.ndim
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}"
                + self._changed((("padding", (0,) * nd), ("output_padding", (0,) * nd),
                                 ("dilation", (1,) * nd), ("groups", 1)))
                + (", bias=False" if self.bias is None else "")
                + self._changed((("algorithm", "col2im"), ("padding_taps", "dense"))))


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution of x (N, Cin, L) with weight (Cin, Co/groups, k) into (N, Co, Lo).

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input and output; both divisible by ``groups``.
    kernel_size, stride, padding, output_padding, dilation : int or tuple of 1 int
        Per-axis kernel size, stride (>= 1), padding cropped from both ends of the full
        output (>= 0), extra output on the right (>= 0, smaller than the stride or the
        dilation) and dilation (1 means none). torch's positional order: ``stride,
        padding, output_padding, groups, bias, dilation``.
    groups : int
        Input and output channels are split into ``groups`` independent groups.
    bias : bool
        Whether to add a learnt bias per output channel.
    padding_mode : {"zeros"}
        torch's; the only mode torch's transposed convolutions have.
    algorithm : {"col2im", "naive"}
        Keyword only. GEMM + col2im, or the textbook scatter. Same values, same counts.
    padding_taps : {"dense", "skip"}
        Keyword only. "dense" computes every product, those landing on the cropped
        padding too (as the GEMM does); "skip" (naive only) runs only the products that
        land inside the output.
    rng : None, int or numpy Generator
        Source of the PyTorch-style uniform initial weights.

    Attributes
    ----------
    weight : ndarray of shape (Cin, Co/groups, k)
    bias : ndarray of shape (Co,) or None

    Notes
    -----
    Output size ``o = (i − 1)·s − 2p + d·(k − 1) + q + 1``. Output ``j`` sums
    ``x[ci, i]·w[ci, co, m]`` over the pairs (input ``i``, tap ``m``) with
    ``i·s + m·d = j + p`` and the input channels ``ci`` of its group (+ b); an output
    no pair reaches is the bias (or 0). ``layer(x, output_size=...)`` is torch's
    ``forward(x, output_size)``. Counts: :func:`nnref.formulas.conv_transpose.conv_transpose`.
    """

    ndim = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution of x (N, Cin, H, W) with weight (Cin, Co/groups, kh, kw).

    Arguments as :class:`ConvTranspose1d`, with per-axis values as an int or a tuple of 2
    ints; each output size is ``o = (i − 1)·s − 2p + d·(k − 1) + q + 1``.
    Counts: :func:`nnref.formulas.conv_transpose.conv_transpose`.
    """

    ndim = 2


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution of x (N, Cin, D, H, W) with weight (Cin, Co/groups, kd, kh, kw).

    Arguments as :class:`ConvTranspose1d`, with per-axis values as an int or a tuple of 3
    ints; each output size is ``o = (i − 1)·s − 2p + d·(k − 1) + q + 1``.
    Counts: :func:`nnref.formulas.conv_transpose.conv_transpose`.
    """

    ndim = 3
