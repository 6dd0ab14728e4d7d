"""Traced reference of Upsample (UpsamplingNearest2d, UpsamplingBilinear2d): plain Python.

Notes
-----
Written from torch's upsampling kernels, sharing no code with nnref's kernels nor with
:mod:`nnref.core.shapes`. The output size is ``size`` or ``int(i·scale_factor)``. Per
resized axis, the ratio and the coordinate of each output index are computed in the
input's dtype (as torch does, so that the source indices are exactly torch's), each
operation recorded in the tally as it runs; the blend along every axis of the mode runs
on traced scalars. Nearest modes read their source element and record nothing.
Counts: :func:`nnref.formulas.upsample.interpolate`.
"""
from __future__ import annotations

import math
from itertools import product

import numpy as np

from ._registry import traced
from ._scalar import Tally, Traced


def _coordinates(i, o, align_corners, scale, dt, tally):
    """Per output index: (i₀, i₁, λ₀, λ₁) along one axis, each float operation recorded."""
    if o == i:
        return [(k, k, 1.0, 0.0) for k in range(o)]
    if align_corners:
        r = dt(0)
        if o > 1:
            r = dt(i - 1) / dt(o - 1)
            tally.record("div")
    else:
        r = dt(1.0 / scale) if scale else dt(i) / dt(o)
        tally.record("div")
    out = []
    for k in range(o):
        if align_corners:
            s = dt(k) * r
            tally.record("mul")
        else:
            s = (dt(k) + dt(0.5)) * r - dt(0.5)
            tally.record("add")
            tally.record("mul")
            tally.record("sub")
            tally.record("cmp")
            s = dt(0) if s < 0 else s
        lo = min(math.floor(np.float32(s)), i - 1)  # torch's floorf
        lam = s - dt(lo)
        tally.record("sub")
        tally.record("cmp")
        lam = dt(0) if lam < 0 else lam
        out.append((lo, min(lo + 1, i - 1), float(dt(1) - lam), float(lam)))
        tally.record("sub")
    return out


def _nearest(i, o, scale, exact):
    r = np.float32(1.0 / scale) if scale else np.float32(i) / np.float32(o)
    if exact:
        return [min(math.floor(np.float32((k + 0.5) * float(r))), i - 1) for k in range(o)]
    if o in (i, 2 * i):
        return [k * i // o for k in range(o)]
    return [min(math.floor(np.float32(k) * r), i - 1) for k in range(o)]


@traced("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d")
def upsample(layer, x):
    """``(y, ops)``: every output from its source element(s), one at a time."""
    nd, dt = x.ndim - 2, x.dtype.type
    sizes = x.shape[2:]
    if layer.size is not None:
        outs = layer.size if isinstance(layer.size, tuple) else (layer.size,) * nd
        scales = (None,) * nd
    else:
        f = layer.scale_factor if isinstance(layer.scale_factor, tuple) else (layer.scale_factor,) * nd
        outs = tuple(int(i * float(v)) for i, v in zip(sizes, f))
        scales = (None,) * nd if layer.recompute_scale_factor else f
    tally = Tally()
    y = np.empty(x.shape[:2] + tuple(outs), x.dtype)
    if layer.mode.startswith("nearest"):
        idx = [_nearest(i, o, s, layer.mode == "nearest-exact") for i, o, s in zip(sizes, outs, scales)]
        for lead in np.ndindex(*x.shape[:2]):
            for j in product(*map(range, outs)):
                y[lead + j] = x[lead + tuple(ix[jj] for ix, jj in zip(idx, j))]
        return y, tally.counts()
    tables = [_coordinates(i, o, bool(layer.align_corners), s, dt, tally)
              for i, o, s in zip(sizes, outs, scales)]

    def blend(plane, axis, j):
        """``t(i₀)·λ₀ + t(i₁)·λ₁`` along ``axis``, ``t`` the blend of the axes after it."""
        lo, hi, w0, w1 = tables[axis][j[axis]]
        if axis == nd - 1:
            return Traced(float(plane[lo]), tally) * w0 + Traced(float(plane[hi]), tally) * w1
        return blend(plane[lo], axis + 1, j) * w0 + blend(plane[hi], axis + 1, j) * w1

    for lead in np.ndindex(*x.shape[:2]):
        for j in product(*map(range, outs)):
            y[lead + j] = blend(x[lead], 0, j).value
    return y, tally.counts()
