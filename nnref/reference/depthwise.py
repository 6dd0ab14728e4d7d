"""Traced reference of DepthwiseConv2d: output channel ``co`` convolves input channel
``co // m`` alone (m the depth multiplier), with its own kernel.

Notes
-----
Per output, over the taps of its window in its one input channel:
``y = x₀·w₀ + x₁·w₁ + … (+ b)``; padding as in :mod:`.conv`.
Counts: :func:`nnref.formulas.depthwise.depthwise`.
"""
from __future__ import annotations

from ._registry import windowed
from ._windows import Plan, per_axis
from .conv import sum_plan


@windowed("DepthwiseConv2d")
def depthwise_plan(layer, x) -> Plan:
    """The windows of a depthwise convolution: one input channel per output channel."""
    m = layer.depth_multiplier
    w = layer.param("weight", (x.shape[1] * m, 1) + tuple(layer.kernel_size), x.dtype)
    b = layer.param("bias", (w.shape[0],), x.dtype, present=None)
    return sum_plan(layer, x, w, b, lambda n, co: [((n, co // m), (0,), (co, 0))],
                    per_axis(layer, "stride", 2, 1), per_axis(layer, "padding", 2, 0),
                    per_axis(layer, "dilation", 2, 1))
