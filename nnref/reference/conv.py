"""Traced reference of Conv1d/2d/3d: every output a dot product over its window.

Notes
-----
Output ``y[n, co, *j]`` of group ``g = co // (Co/groups)`` reads input channels
``g·Cin/groups + ci`` at the taps ``j·s − p + m·d`` of every axis:

    y = x₀·w₀ + x₁·w₁ + … (+ b)

"dense" padding reads the taps on padding as traced zeros, "skip" reads only the
in-bound taps; a window without any is the bias (or 0). With ``padding_mode``
"reflect", "replicate" or "circular" a padding tap reads the input element it mirrors,
repeats or wraps to (and is always computed); ``padding="same"`` may pad one more at
the end of an axis. The windows are run by :mod:`._windows`. Counts:
:func:`nnref.formulas.conv.conv`.
"""
from __future__ import annotations

from ._registry import windowed
from ._windows import Plan, axis_windows, per_axis


def _mirror(j: int, n: int) -> int:
    """torch's reflect padding: ..., 2, 1, [0, 1, …, n − 1], n − 2, ..."""
    return -j if j < 0 else 2 * (n - 1) - j if j >= n else j


#: Where each non-zero padding mode reads a position ``j`` outside ``[0, n)``.
_MODES = {"reflect": _mirror, "replicate": lambda j, n: min(max(j, 0), n - 1),
          "circular": lambda j, n: j % n}


def sum_plan(layer, x, weight, bias, sources, stride, padding, dilation) -> Plan:
    """The plan of a convolution-like layer: ``sources(n, co)`` lists the
    ``(input_prefix, kernel_prefix, weight_prefix)`` that output channel ``co`` reads."""
    sizes = x.shape[2:]
    extra = getattr(layer, "extra_padding", None) or (0,) * len(sizes)
    axes = [axis_windows(i, k, s, p, d, end=p + e) for i, k, s, p, d, e in
            zip(sizes, weight.shape[2:], stride, padding, dilation, extra, strict=True)]
    outer = [((n, co), None if bias is None else float(bias[co]), sources(n, co))
             for n in range(x.shape[0]) for co in range(weight.shape[0])]
    out = (x.shape[0], weight.shape[0]) + tuple(len(a) for a in axes)
    dense = getattr(layer, "padding_taps", "dense") == "dense"
    where = _MODES.get(getattr(layer, "padding_mode", "zeros"))
    source = None if where is None else (lambda index: index[:2] + tuple(
        where(j, n) for j, n in zip(index[2:], sizes, strict=True)))
    return Plan(layer.kind, "sum", out, outer, axes, sizes, weight, reads_padding=dense,
                source=source)


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
