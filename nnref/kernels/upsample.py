"""Counted interpolation: per-axis coordinate tables, then the blend (linear modes), or a
gather (nearest modes, no arithmetic).

:func:`axis_tables` computes, once per call and per resized axis, the ratio and for every
output index j the source coordinate, its two inputs and their weights, each operation
counted (one counter row per axis); the two inputs of an axis whose size does not change
are j itself, with weights 1 and 0, and nothing is computed. The integer part of the
coordinate (torch's ``floorf``, taken in float32) and the index clamps are index
arithmetic, as every kernel's addressing is: not counted. :func:`blend1`, :func:`blend2`
and :func:`blend3` then blend along every axis of the mode, ``t(i₀)·λ₀ + t(i₁)·λ₁`` with
``t`` the blend of the next axis, as torch nests them; a task is one plane (1-D), one
(plane, output row) (2-D) or one (plane, output slice) (3-D). :func:`gather` copies
nearest inputs, one empty counter row per (plane, output slice).

Counts: :func:`nnref.formulas.upsample.interpolate`.
"""
import numpy as np

from ._numba import ADD, CMP, DIV, MUL, NKINDS, SUB, njit, prange, record

#: Indices of the typed constants of :func:`axis_tables`.
I_1, O_1, I_F, O_F, HALF, ZERO, ONE = range(7)


@njit
def axis_table(isize, osize, align_corners, scale, j, c, i0, i1, l0, l1, row):
    """Fill one axis' inputs ``i0``, ``i1`` and weights ``l0``, ``l1`` (length ``osize``).

    ``j``: the output indices as floats of the input's dtype; ``c``: typed constants
    (see the module); ``scale`` > 0 is the scale factor torch's kernel gets, else 0.
    """
    if osize == isize:  # torch copies: no coordinate, weights 1 and 0
        for k in range(osize):
            i0[k] = k
            i1[k] = k
            l0[k] = c[ONE]
            l1[k] = c[ZERO]
        return
    tmp = c[4:5].copy()  # a typed scalar slot, for conversions
    if align_corners:
        r = c[ZERO]
        if osize > 1:
            r = c[I_1] / c[O_1]
            row[DIV] += 1
    elif scale > 0:
        tmp[0] = 1.0 / scale  # in double, then the input's type, as torch
        row[DIV] += 1
        r = tmp[0]
    else:
        r = c[I_F] / c[O_F]
        row[DIV] += 1
    for k in range(osize):
        if align_corners:
            s = j[k] * r
            row[MUL] += 1
        else:
            s = j[k] + c[HALF]
            row[ADD] += 1
            s = s * r
            row[MUL] += 1
            s = s - c[HALF]
            row[SUB] += 1
            row[CMP] += 1
            if s < c[ZERO]:
                s = c[ZERO]
        lo = min(int(np.floor(np.float32(s))), isize - 1)  # index arithmetic
        tmp[0] = lo
        lam = s - tmp[0]
        row[SUB] += 1
        row[CMP] += 1
        if lam < c[ZERO]:
            lam = c[ZERO]
        i0[k] = lo
        i1[k] = lo + 1 if lo < isize - 1 else lo
        l1[k] = lam
        l0[k] = c[ONE] - lam
        row[SUB] += 1


@njit(parallel=True)
def blend1(x, t, out):
    """Linear: ``out[p, j] = x[p, i₀]·λ₀ + x[p, i₁]·λ₁``; one task per plane p."""
    a0, a1, w0, w1 = t
    P, O = out.shape
    counts = np.zeros((max(P, 1), NKINDS), np.int64)
    for p in prange(P):
        nmul = 0
        nadd = 0
        xp, o = x[p], out[p]
        for k in range(O):
            u = xp[a0[k]] * w0[k]
            v = xp[a1[k]] * w1[k]
            nmul += 2
            o[k] = u + v
            nadd += 1
        counts[p, MUL] = nmul
        counts[p, ADD] = nadd
    return counts


@njit(parallel=True)
def blend2(x, th, tw, out):
    """Bilinear: rows blended along W, then the two rows along H; one task per (plane, row)."""
    h0, h1, p0, p1 = th
    a0, a1, w0, w1 = tw
    P, OH, OW = out.shape
    counts = np.zeros((max(P * OH, 1), NKINDS), np.int64)
    for t in prange(P * OH):
        p, oh = t // OH, t % OH
        r0, r1, o = x[p, h0[oh]], x[p, h1[oh]], out[p, oh]
        hp, hq = p0[oh], p1[oh]
        nmul = 0
        nadd = 0
        for k in range(OW):
            u = r0[a0[k]] * w0[k] + r0[a1[k]] * w1[k]
            v = r1[a0[k]] * w0[k] + r1[a1[k]] * w1[k]
            nmul += 4
            nadd += 2
            o[k] = u * hp + v * hq
            nmul += 2
            nadd += 1
        record(counts[t], add=nadd, mul=nmul)
    return counts


@njit(parallel=True)
def blend3(x, td, th, tw, out):
    """Trilinear: along W, then H, then D; one task per (plane, output slice)."""
    d0, d1, q0, q1 = td
    h0, h1, p0, p1 = th
    a0, a1, w0, w1 = tw
    P, OD, OH, OW = out.shape
    counts = np.zeros((max(P * OD, 1), NKINDS), np.int64)
    for t in prange(P * OD):
        p, od = t // OD, t % OD
        nmul = 0
        nadd = 0
        for oh in range(OH):
            r00, r01 = x[p, d0[od], h0[oh]], x[p, d0[od], h1[oh]]
            r10, r11 = x[p, d1[od], h0[oh]], x[p, d1[od], h1[oh]]
            o = out[p, od, oh]
            for k in range(OW):
                c00 = r00[a0[k]] * w0[k] + r00[a1[k]] * w1[k]
                c01 = r01[a0[k]] * w0[k] + r01[a1[k]] * w1[k]
                c10 = r10[a0[k]] * w0[k] + r10[a1[k]] * w1[k]
                c11 = r11[a0[k]] * w0[k] + r11[a1[k]] * w1[k]
                nmul += 8
                nadd += 4
                u = c00 * p0[oh] + c01 * p1[oh]
                v = c10 * p0[oh] + c11 * p1[oh]
                nmul += 4
                nadd += 2
                o[k] = u * q0[od] + v * q1[od]
                nmul += 2
                nadd += 1
        record(counts[t], add=nadd, mul=nmul)
    return counts


@njit(parallel=True)
def gather(x, idx_d, idx_h, idx_w, out):
    """``out[p, a, b, e] = x[p, idx_d[a], idx_h[b], idx_w[e]]``: copies, no arithmetic; one
    (empty) counter row per (plane, output slice)."""
    P, OD, OH, OW = out.shape
    counts = np.zeros((max(P * OD, 1), NKINDS), np.int64)
    for t in prange(P * OD):
        p, od = t // OD, t % OD
        for oh in range(OH):
            src, o = x[p, idx_d[od], idx_h[oh]], out[p, od, oh]
            for k in range(OW):
                o[k] = src[idx_w[k]]
    return counts


def nearest_index(isize, osize, scale, exact):
    """torch's nearest source index of every output along one axis (index arithmetic).

    ``nearest``: j (O = I), j >> 1 (O = 2I), else ``min(⌊j·r⌋, I − 1)``; ``nearest-exact``:
    ``min(⌊(j + 0.5)·r⌋, I − 1)``; r in float32, ``1/scale`` or ``I/O``, floors of float32.
    """
    r = np.float32(1.0 / scale) if scale else np.float32(isize) / np.float32(osize)
    j = np.arange(osize)
    if exact:
        src = np.floor(np.float32((j + 0.5) * np.float64(r)))
    elif osize == isize:
        return j
    elif osize == 2 * isize:
        return j >> 1
    else:
        src = np.floor(j.astype(np.float32) * r)
    return np.minimum(src.astype(np.int64), isize - 1)


def axis_tables(sizes, outs, align_corners, scales, dtype):
    """The (i₀, i₁, λ₀, λ₁) table of every axis and the counter table, one row per axis."""
    rows = np.zeros((len(sizes), NKINDS), np.int64)
    tables = []
    for ax, (i, o, s) in enumerate(zip(sizes, outs, scales)):
        c = np.array([i - 1, o - 1, i, o, 0.5, 0, 1], dtype)
        t = (np.empty(o, np.int64), np.empty(o, np.int64), np.empty(o, dtype), np.empty(o, dtype))
        axis_table(i, o, align_corners, float(s or 0.0), np.arange(o).astype(dtype), c, *t, rows[ax])
        tables.append(t)
    return tables, rows


def interpolate(x, out_shape, mode, align_corners, scales):
    """``(y, counter table)`` of interpolating ``x`` (N, C, *S) to ``out_shape``."""
    nd = x.ndim - 2
    planes = x.reshape((-1,) + x.shape[2:])
    y = np.empty(out_shape, x.dtype)
    out = y.reshape((-1,) + tuple(out_shape[2:]))
    if mode.startswith("nearest"):
        idx = [nearest_index(i, o, s, mode == "nearest-exact")
               for i, o, s in zip(x.shape[2:], out_shape[2:], scales)]
        idx = [np.zeros(1, np.int64)] * (3 - nd) + idx
        lift = (-1,) + (1,) * (3 - nd)
        return y, gather(planes.reshape(lift + x.shape[2:]), *idx, out.reshape(lift + out_shape[2:]))
    tables, rows = axis_tables(x.shape[2:], out_shape[2:], align_corners, scales, x.dtype)
    blend = (blend1, blend2, blend3)[nd - 1]
    return y, np.concatenate([rows, blend(planes, *tables, out)])
