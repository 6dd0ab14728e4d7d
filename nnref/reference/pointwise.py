"""Traced reference of PointwiseConv2d: ``y[n, o, h, w] = Σ_c x[n, c, h, w]·W[o, c] (+ b)``.

Notes
-----
Each output is a dot product over the Cin channels at its own position; there is no
padding. Counts: :func:`nnref.formulas.pointwise.pointwise`.
"""
from __future__ import annotations

from ._registry import windowed
from ._windows import Plan
from .conv import sum_plan


@windowed("PointwiseConv2d")
def pointwise_plan(layer, x) -> Plan:
    """The 1×1 windows of a pointwise convolution: every input channel at one position."""
    cin = x.shape[1]
    w = layer.param("weight", (layer.out_channels, cin, 1, 1), x.dtype)
    b = layer.param("bias", (w.shape[0],), x.dtype, present=None)
    return sum_plan(layer, x, w, b, lambda n, co: [((n, c), (c,), (co, c)) for c in range(cin)],
                    (1, 1), (0, 0), (1, 1))
