"""Traced reference of MaxPool1d/2d/3d and AvgPool1d/2d/3d over the last k axes.

Notes
-----
Window ``j`` of an axis reads the in-bound taps ``j·s − p + m·d`` (padding is never
read); every axis before the spatial ones is looped over.

* max: ``max(x₀, x₁, …)`` (−inf without a tap; NaN wins as in torch);
* avg: ``(x₀ + x₁ + …) / n``, with ``n`` the number of in-bound taps or, with
  ``count_include_pad``, the window clipped to the padded input ``[−p, i + p)``.

Counts: :func:`nnref.formulas.pool.max_pool`, :func:`nnref.formulas.pool.avg_pool`.
"""
from __future__ import annotations

import numpy as np

from ._registry import windowed
from ._windows import Plan, axis_windows, per_axis


def _geometry(layer, x) -> tuple:
    """``(sizes, axes, outer, out_shape)`` of a pool over the last ``len(kernel_size)`` axes:
    the per-axis windows, and one plane per index of the leading axes."""
    nd = len(layer.kernel_size)
    sizes = x.shape[-nd:]
    ceil = bool(getattr(layer, "ceil_mode", False))
    axes = [axis_windows(i, k, s, p, d, ceil) for i, k, s, p, d in zip(
        sizes, per_axis(layer, "kernel_size", nd, 1), per_axis(layer, "stride", nd, 1),
        per_axis(layer, "padding", nd, 0), per_axis(layer, "dilation", nd, 1), strict=True)]
    lead = x.shape[:-nd]
    outer = [(c, None, [(c, (), None)]) for c in np.ndindex(*lead)]
    return sizes, axes, outer, lead + tuple(len(a) for a in axes)


@windowed("MaxPool1d", "MaxPool2d", "MaxPool3d")
def max_pool_plan(layer, x) -> Plan:
    """The windows of max pooling."""
    sizes, axes, outer, out = _geometry(layer, x)
    return Plan(layer.kind, "max", out, outer, axes, sizes)


@windowed("AvgPool1d", "AvgPool2d", "AvgPool3d")
def avg_pool_plan(layer, x) -> Plan:
    """The windows of average pooling, with torch's divisor."""
    sizes, axes, outer, out = _geometry(layer, x)
    padding = per_axis(layer, "padding", len(sizes), 0)

    def divisor(taps):
        n = 1
        for t, i, p in zip(taps, sizes, padding, strict=True):
            if layer.count_include_pad:  # torch: the window clipped to [−p, i + p)
                n *= min(t[0] + len(t), i + p) - t[0]
            else:
                n *= sum(1 for v in t if 0 <= v < i)
        return n

    return Plan(layer.kind, "avg", out, outer, axes, sizes, divisor=divisor)
