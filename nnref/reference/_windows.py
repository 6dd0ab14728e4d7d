"""Shared window machinery of the traced reference: convolutions, pooling and dense.

A family module (:mod:`.conv`, :mod:`.pool`, :mod:`.dense`, ...) builds a :class:`Plan`,
the windows of every output; :func:`run` computes each output from its window with
:class:`~nnref.reference._scalar.Traced` scalars, so the counts are the operations
actually done. The windows are enumerated here, sharing no code with the kernels nor
with :mod:`nnref.core.shapes`; the step-through (:mod:`nnref.trace.steps`) walks the very
same windows with :func:`plan` and :func:`evaluate`.

Notes
-----
Along one spatial axis with input size ``i``, kernel ``k``, stride ``s``, padding ``p``
and dilation ``d``, window ``j`` reads positions ``j·s − p + m·d``, ``m = 0 … k−1``, and
exists while it fits in the padded input ``[−p, i + p)``. With ``ceil_mode`` one more
window that runs past the right padding is kept if it starts inside ``[−p, i)`` and
the window before it did not end exactly at ``i + p``.

:func:`evaluate` computes each output from the taps it reads, in order, the first tap
starting the accumulator:

* convolution and dense: ``y = x₀·w₀ + x₁·w₁ + … (+ b)``. "dense" padding reads the
  padding taps as traced zeros, "skip" reads only in-bound taps; without taps the
  output is the bias (or 0);
* max pooling: ``max(x₀, x₁, …)`` over in-bound taps (−inf without any);
* average pooling: ``(x₀ + x₁ + …) / n``, where ``n`` is the number of in-bound taps or,
  with ``count_include_pad``, the window clipped to the padded input.

Counts: :func:`nnref.formulas.conv.conv`, :func:`nnref.formulas.dense.dense`,
:func:`nnref.formulas.pool.max_pool`, :func:`nnref.formulas.pool.avg_pool`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

import numpy as np

from ._registry import PLANS, checked_input
from ._scalar import Tally, Traced, maximum


@dataclass(frozen=True)
class Site:
    """One kernel position of a window."""

    kernel: tuple  # position in the kernel: conv (ci, *k), pool (*k), dense (i,)
    input: tuple  # index into x; spatial entries outside the input are padding
    in_padding: bool
    weight: tuple | None  # index into the weight, None for pools


@dataclass(frozen=True)
class Window:
    """The sites of one output element, in the order they are read."""

    index: tuple  # index into y
    sites: tuple  # every kernel position, padding included
    bias: float | None
    divisor: int | None  # average pooling only


def axis_windows(i: int, k: int, s: int, p: int, d: int, ceil_mode: bool = False,
                 end: int | None = None) -> list:
    """The tap positions (k of them, maybe outside ``[0, i)``) of every window along an axis;
    ``end`` is the padding after the input (``p`` unless given: ``padding="same"`` may add
    one)."""
    span = d * (k - 1) + 1
    end = p if end is None else end
    out, j = [], 0
    while True:
        start = j * s - p
        fits = start + span <= i + end
        if fits or (ceil_mode and start < i and start - s + span < i + p):
            out.append(tuple(start + m * d for m in range(k)))
        if not fits:
            return out
        j += 1


def per_axis(layer, name: str, n: int, default: int) -> tuple:
    v = getattr(layer, name, default)
    return tuple(int(a) for a in v) if isinstance(v, (tuple, list)) else (int(v),) * n


class Plan:
    """How a layer reads its input: the windows of every output and their arithmetic.

    ``op`` is "sum" (convolution, dense), "max" or "avg". ``outer`` lists, per output
    plane, ``(out_prefix, bias, sources)`` with ``sources`` the ``(input_prefix,
    kernel_prefix, weight_prefix)`` read by every window of the plane; ``axes`` holds the
    per-axis windows of :func:`axis_windows` and ``sizes`` the spatial input sizes.
    ``source``, if given, maps the index of a padding site to the input element it holds
    (a convolution's reflect, replicate or circular padding); else padding holds zeros.
    """

    def __init__(self, kind, op, out_shape, outer, axes, sizes, weight=None,
                 reads_padding=False, divisor=None, source=None):
        self.kind, self.op, self.out_shape = kind, op, tuple(out_shape)
        self.outer, self.axes, self.sizes = outer, axes, sizes
        self.weight, self.reads_padding, self.divisor = weight, reads_padding, divisor
        self.source = source

    def windows(self):
        """Every output's :class:`Window`, in row-major order of ``y``."""
        for out_prefix, bias, sources in self.outer:
            for pos in product(*(enumerate(ax) for ax in self.axes)):
                j = tuple(a for a, _ in pos)
                taps = [t for _, t in pos]
                sites = []
                for in_prefix, k_prefix, w_prefix in sources:
                    for kk in product(*(range(len(t)) for t in taps)):
                        sp = tuple(t[m] for t, m in zip(taps, kk, strict=True))
                        pad = any(not 0 <= v < n for v, n in zip(sp, self.sizes, strict=True))
                        sites.append(Site(k_prefix + kk, in_prefix + sp, pad,
                                          None if w_prefix is None else w_prefix + kk))
                div = self.divisor(taps) if self.divisor else None
                yield Window(out_prefix + j, tuple(sites), bias, div)

    def reads(self, window_taps) -> int:
        """The taps read by one window given its per-axis positions."""
        n = 1
        for t, size in zip(window_taps, self.sizes, strict=True):
            n *= len(t) if self.reads_padding else sum(1 for v in t if 0 <= v < size)
        return n * len(self.outer[0][2]) if self.outer else 0

    def count_steps(self, per_tap: bool) -> int:
        """Outputs, or with ``per_tap`` the taps read (at least 1 per output)."""
        if not per_tap:
            return math.prod(self.out_shape)
        per_plane = sum(max(1, self.reads([t for t in pos])) for pos in product(*self.axes))
        return len(self.outer) * per_plane


def evaluate(plan: Plan, window: Window, x: np.ndarray, tally: Tally, on_tap=None) -> float:
    """The traced value of one output; ``on_tap(site, x, w, product, partial)`` sees each tap."""
    acc = None
    for site in window.sites:
        if site.in_padding and not plan.reads_padding:
            continue
        if site.in_padding:
            xv = 0.0 if plan.source is None else float(x[plan.source(site.input)])
        else:
            xv = float(x[site.input])
        t = Traced(xv, tally)
        wv = prod = None
        if plan.op == "sum":
            wv = float(plan.weight[site.weight])
            p = t * wv
            prod = p.value
            acc = p if acc is None else acc + p
        elif plan.op == "max":
            acc = t if acc is None else maximum(acc, t)  # NaN wins, as in torch
        else:
            acc = t if acc is None else acc + t
        if on_tap is not None:
            on_tap(site, xv, wv, prod, acc.value)
    if plan.op == "sum":
        if acc is None:  # a "skip" window entirely on padding
            return 0.0 if window.bias is None else window.bias
        return (acc if window.bias is None else acc + window.bias).value
    if acc is None:
        return -math.inf if plan.op == "max" else math.nan
    return acc.value if plan.op == "max" else (acc / float(window.divisor)).value


def plan(layer, x) -> Plan:
    """The :class:`Plan` of ``layer`` on ``x``, after the layer's own input checks.

    ``layer`` must have a window plan (a TypeError lists the layers that do).
    """
    f = PLANS.resolve(layer, "plan")
    return f(layer, checked_input(layer, x))


def run(p: Plan, x) -> tuple:
    """``(y, ops)``: every output of plan ``p`` on ``x``, one traced window at a time."""
    x = np.asarray(x)
    tally = Tally()
    y = np.empty(p.out_shape, dtype=x.dtype)
    for win in p.windows():
        y[win.index] = evaluate(p, win, x, tally)
    return y, tally.counts()
