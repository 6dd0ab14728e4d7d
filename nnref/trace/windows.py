"""Traced window-level reference: convolutions, pooling and dense, one output at a time.

Every output element is computed from its window with :class:`~nnref.trace.scalar.Traced`
scalars, so the counts are the operations actually done. The windows are enumerated
here, sharing no code with the kernels nor with :mod:`nnref.shapes`; the step-through
(:mod:`nnref.trace.steps`) walks the very same windows with :func:`plan` and :func:`evaluate`.

Notes
-----
Along one spatial axis with input size ``i``, kernel ``k``, stride ``s``, padding ``p``
and dilation ``d``, window ``j`` reads positions ``j·s − p + m·d``, ``m = 0 … k−1``, and
exists while it fits in the padded input ``[−p, i + p)``. With ``ceil_mode`` one more
window that runs past the right padding is kept if it starts inside ``[−p, i)`` and
the window before it did not end exactly at ``i + p``.

Arithmetic per output, with ``t`` the taps read:

* convolution and dense: ``y = x₀·w₀ + x₁·w₁ + … (+ b)``: mul t, add t − 1, add 1 with a
  bias. "dense" padding reads the padding taps as 0 (they count), "skip" reads only
  in-bound taps; without taps the output is the bias (or 0) and costs nothing;
* max pooling: ``max(x₀, x₁, …)``: cmp t − 1 over in-bound taps (−inf if t = 0);
* average pooling: ``(x₀ + x₁ + …) / n``: add t − 1, div 1, where ``n`` is ``t`` or, with
  ``count_include_pad``, the window clipped to the padded input.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product
from types import MappingProxyType

import numpy as np

from ..layers.validate import check_array
from .scalar import Tally, Traced, maximum


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


def axis_windows(i: int, k: int, s: int, p: int, d: int, ceil_mode: bool = False) -> list:
    """The tap positions (k of them, maybe outside ``[0, i)``) of every window along an axis."""
    span = d * (k - 1) + 1
    out, j = [], 0
    while True:
        start = j * s - p
        fits = start + span <= i + p
        if fits or (ceil_mode and start < i and start - s + span < i + p):
            out.append(tuple(start + m * d for m in range(k)))
        if not fits:
            return out
        j += 1


def _per_axis(layer, name: str, n: int, default: int) -> tuple:
    v = getattr(layer, name, default)
    return tuple(int(a) for a in v) if isinstance(v, (tuple, list)) else (int(v),) * n


class Plan:
    """How a layer reads its input: the windows of every output and their arithmetic.

    ``op`` is "sum" (convolution, dense), "max" or "avg". ``outer`` lists, per output
    plane, ``(out_prefix, bias, sources)`` with ``sources`` the ``(input_prefix,
    kernel_prefix, weight_prefix)`` read by every window of the plane; ``axes`` holds the
    per-axis windows of :func:`axis_windows` and ``sizes`` the spatial input sizes.
    """

    def __init__(self, kind, op, out_shape, outer, axes, sizes, weight=None,
                 reads_padding=False, divisor=None):
        self.kind, self.op, self.out_shape = kind, op, tuple(out_shape)
        self.outer, self.axes, self.sizes = outer, axes, sizes
        self.weight, self.reads_padding, self.divisor = weight, reads_padding, divisor

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
        xv = 0.0 if site.in_padding else float(x[site.input])
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


# -- plans per layer family -------------------------------------------------------------


def _conv(layer, x):
    nd = x.ndim - 2
    n_batch, cin = x.shape[:2]
    w = layer.param("weight", layer.weight_shape, x.dtype)
    b = layer.param("bias", (w.shape[0],), x.dtype, present=None)
    cpg = w.shape[1]
    groups = cin // cpg
    copg = w.shape[0] // groups
    stride, padding = _per_axis(layer, "stride", nd, 1), _per_axis(layer, "padding", nd, 0)
    dilation = _per_axis(layer, "dilation", nd, 1)
    sizes = x.shape[2:]
    axes = [axis_windows(i, k, s, p, d) for i, k, s, p, d in
            zip(sizes, w.shape[2:], stride, padding, dilation, strict=True)]
    outer = [((n, co), None if b is None else float(b[co]),
              [((n, co // copg * cpg + ci), (ci,), (co, ci)) for ci in range(cpg)])
             for n in range(n_batch) for co in range(w.shape[0])]
    out = (n_batch, w.shape[0]) + tuple(len(a) for a in axes)
    dense = getattr(layer, "padding_mode", "dense") == "dense"
    return Plan(layer.kind, "sum", out, outer, axes, sizes, w, reads_padding=dense)


def _pool(layer, x, nd):
    lead, sizes = x.shape[:-nd], x.shape[-nd:]
    k = _per_axis(layer, "kernel_size", nd, 1)
    padding = _per_axis(layer, "padding", nd, 0)
    ceil = bool(getattr(layer, "ceil_mode", False))
    axes = [axis_windows(i, kk, s, p, d, ceil) for i, kk, s, p, d in zip(
        sizes, k, _per_axis(layer, "stride", nd, 1), padding, _per_axis(layer, "dilation", nd, 1),
        strict=True)]
    outer = [(c, None, [(c, (), None)]) for c in np.ndindex(*lead)]
    out = lead + tuple(len(a) for a in axes)
    if "Max" in layer.kind:
        return Plan(layer.kind, "max", out, outer, axes, sizes)

    def divisor(taps):
        n = 1
        for t, i, p in zip(taps, sizes, padding, strict=True):
            if layer.count_include_pad:  # torch: the window clipped to [−p, i + p)
                n *= min(t[0] + len(t), i + p) - t[0]
            else:
                n *= sum(1 for v in t if 0 <= v < i)
        return n

    return Plan(layer.kind, "avg", out, outer, axes, sizes, divisor=divisor)


def _dense(layer, x):
    w = layer.param("weight", (layer.out_features, layer.in_features), x.dtype)
    b = layer.param("bias", (w.shape[0],), x.dtype, present=None)
    n_in = x.shape[-1]
    outer = [(lead + (o,), None if b is None else float(b[o]),
              [(lead + (i,), (i,), (o, i)) for i in range(n_in)])
             for lead in np.ndindex(*x.shape[:-1]) for o in range(w.shape[0])]
    return Plan(layer.kind, "sum", x.shape[:-1] + (w.shape[0],), outer, [], (), w)


PLANS = MappingProxyType({
    **{f"Conv{n}d": _conv for n in (1, 2, 3)},
    "DepthwiseConv2d": _conv,
    "PointwiseConv2d": _conv,
    **{f"{op}Pool{n}d": (lambda layer, x, n=n: _pool(layer, x, n))
       for op in ("Max", "Avg") for n in (1, 2, 3)},
    "Dense": _dense,
    "Linear": _dense,
})


def plan(layer, x) -> Plan:
    """The :class:`Plan` of ``layer`` on ``x``, after the layer's own input checks."""
    f = next((PLANS[c.__name__] for c in type(layer).__mro__ if c.__name__ in PLANS), None)
    if f is None:
        raise TypeError(f"layer={layer!r} is invalid; expected one of {sorted(PLANS)}")
    x = check_array(x, layer.kind)
    layer.output_shape(x.shape)  # a ValueError naming the shape if the layer cannot take it
    return f(layer, x)


def reference(layer, x):
    """The traced ``(y, ops)`` of ``layer`` on ``x``.

    Parameters
    ----------
    layer : Layer
        One of the layers in :data:`REFERENCES`.
    x : ndarray of shape (N, C, *S), (C, *S) for pools, or (*, I) for dense
        float32 or float64; ``y`` has its dtype.

    Returns
    -------
    y : ndarray
    ops : OpCounts
    """
    p = plan(layer, x)
    x = np.asarray(x)
    tally = Tally()
    y = np.empty(p.out_shape, dtype=x.dtype)
    for win in p.windows():
        y[win.index] = evaluate(p, win, x, tally)
    return y, tally.counts()


REFERENCES = MappingProxyType({name: reference for name in PLANS})
