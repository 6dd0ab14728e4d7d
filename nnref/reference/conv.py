"""Traced reference of Conv1d/2d/3d: every output a dot product over its window.

Notes
-----
Output ``y[n, co, *j]`` of group ``g = co // (Co/groups)`` reads input channels
``g·Cin/groups + ci`` at the taps ``j·s − p + m·d`` of every axis:

    y = x₀·w₀ + x₁·w₁ + … (+ b)

"dense" padding reads the taps on padding as traced zeros, "skip" reads only the
in-bound taps; a window without any is the bias (or 0). The windows are run by
:mod:`._windows`. Counts: :func:`nnref.formulas.conv.conv`.
"""
from __future__ import annotations

from ._registry import windowed
from ._windows import Plan, axis_windows, per_axis


def sum_plan(layer, x, weight, bias, sources, stride, padding, dilation) -> Plan:
    """The plan of a convolution-like layer: ``sources(n, co)`` lists the
    ``(input_prefix, kernel_prefix, weight_prefix)`` that output channel ``co`` reads."""
    sizes = x.shape[2:]
    axes = [axis_windows(i, k, s, p, d) for i, k, s, p, d in
            zip(sizes, weight.shape[2:], stride, padding, dilation, strict=True)]
    outer = [((n, co), None if bias is None else float(bias[co]), sources(n, co))
             for n in range(x.shape[0]) for co in range(weight.shape[0])]
    out = (x.shape[0], weight.shape[0]) + tuple(len(a) for a in axes)
    dense = getattr(layer, "padding_taps", "dense") == "dense"
    return Plan(layer.kind, "sum", out, outer, axes, sizes, weight, reads_padding=dense)


@windowed("Conv1d", "Conv2d", "Conv3d")
def conv_plan(layer, x) -> Plan:
    """The windows of a convolution with ``groups`` groups."""
    nd = x.ndim - 2
    w = layer.param("weight", layer.weight_shape, x.dtype)
    b = layer.param("bias", (w.shape[0],), x.dtype, present=None)
    cpg = w.shape[1]  # input channels per group
    copg = w.shape[0] // (x.shape[1] // cpg)  # output channels per group

    def sources(n, co):
        return [((n, co // copg * cpg + ci), (ci,), (co, ci)) for ci in range(cpg)]

    return sum_plan(layer, x, w, b, sources, per_axis(layer, "stride", nd, 1),
                    per_axis(layer, "padding", nd, 0), per_axis(layer, "dilation", nd, 1))
