"""Counted max and average pooling: per-axis window tables, then the shared reduction.

Along each axis, window ``j`` reads the in-bound taps ``j·s − p + m·d`` of
:func:`nnref.core.shapes.pool_windows`; :func:`._windows.reduce_windows` does the
counted arithmetic. A 2-D max pool without dilation, of stride 1 or 2 along a row (the
pool of every ResNet), runs :func:`max2d`, the same taps in the same order with the loop
along an output row innermost, so that it vectorises. Counts:
:func:`nnref.formulas.pool.max_pool`, :func:`~nnref.formulas.pool.avg_pool`.
"""
import math

import numpy as np

from ..core.shapes import pool_windows
from ._numba import CMP, NKINDS, njit
from ._windows import AVG, MAX, reduce_windows


@njit(inline="always")
def _max_taps(o, even, odd, r0, r1, kw, c0, step):
    """Interior outputs of a row, every column tap in bounds: ``o[j]`` is the maximum of
    input ``(r, j·step + c0 + c)`` over the rows r0 ≤ r < r1, then the columns c < kw, in
    that order: the first tap initialises it, each further one is compared (``v > m``,
    counted; NaN wins as in torch). With ``step`` 2, ``even`` and ``odd`` hold the even
    and odd elements of the input rows, so that every load is unit-stride; with ``step``
    1, both are the input plane. Returns the comparisons."""
    ncmp = 0
    for r in range(r0, r1):
        for c in range(kw):
            e = c0 + c  # input column j·step + e
            src = odd if e % step else even
            xs = src[r, e // step:]
            if r == r0 and c == 0:
                for j in range(o.size):
                    o[j] = xs[j]
            else:
                for j in range(o.size):
                    v = xs[j]
                    m = o[j]
                    ncmp += 1
                    o[j] = v if (v > m) | math.isnan(v) else m
    return ncmp


@njit
def max2d(x, out, kh, kw, sh, sw, ph, pw):
    """Max pool ``x`` (N, C, H, W) into ``out`` (N, C, OH, OW), window kh × kw, stride
    (sh, sw) with ``sw`` 1 or 2, padding (ph, pw), no dilation; return the counter table.
    A counter row per plane; each output's in-bound taps in order (rows, then columns),
    the first initialising it, as :func:`._windows.reduce_windows` takes them. With ``sw``
    2 the plane is first copied as the even and the odd elements of its rows. Serial: on
    ResNet-50's pool (64 × 112², 3 × 3, stride 2) it takes 0.7 ms where the generic
    reduction took 1.7 and a parallel version 0.4, but it compiles in 1.7 s rather than
    4.6, which counts on a cold cache (``nnref count``'s first run)."""
    N, C, H, W = x.shape
    OH, OW = out.shape[2], out.shape[3]
    jlo = min(OW, (pw + sw - 1) // sw)  # the first output whose columns are all in bounds
    jhi = max(jlo, min(OW, (W + pw - kw) // sw + 1))  # past the last
    counts = np.zeros((max(N * C, 1), NKINDS), np.int64)
    for t in range(N * C):
        n, ch = t // C, t % C
        plane = x[n, ch]
        if sw == 2:
            even = np.empty((H, (W + 1) // 2), x.dtype)
            odd = np.empty((H, max(1, W // 2)), x.dtype)
            for r in range(H):
                xr, er, dr = plane[r], even[r], odd[r]
                for q in range(W // 2):
                    er[q] = xr[2 * q]
                    dr[q] = xr[2 * q + 1]
                if W % 2:
                    er[W // 2] = xr[W - 1]
        else:
            even = odd = plane
        ncmp = 0
        for oh in range(OH):
            r0, r1 = max(0, oh * sh - ph), min(H, oh * sh - ph + kh)
            orow = out[n, ch, oh]
            for ow in range(OW):  # the edges: the columns in bounds only
                if jlo <= ow < jhi:
                    continue
                c0, c1 = max(0, ow * sw - pw), min(W, ow * sw - pw + kw)
                m = plane[r0, c0]
                for r in range(r0, r1):
                    for c in range(c0, c1):
                        if r == r0 and c == c0:
                            continue
                        v = plane[r, c]
                        ncmp += 1
                        m = v if (v > m) | math.isnan(v) else m
                orow[ow] = m
            if jhi > jlo:
                ncmp += _max_taps(orow[jlo:jhi], even, odd, r0, r1, kw, sw * jlo - pw, sw)
        counts[t, CMP] = ncmp
    return counts


def pool(x, out, kernel_size, stride, padding, dilation, count_include_pad, op):
    """Pool ``x`` (N, C, D, H, W) into ``out`` (N, C, OD, OH, OW); return the counter table.

    Per-axis arguments are 3-tuples; ``op`` is "max" or "avg". ``count_include_pad``
    sets the average's divisor (torch's rule); it changes no count.
    """
    if (op == "max" and x.shape[2] == 1 and kernel_size[0] == 1 and tuple(dilation) == (1, 1, 1)
            and stride[2] in (1, 2) and out.flags.c_contiguous and x.flags.c_contiguous):
        (N, C, _, H, W), (OH, OW) = x.shape, out.shape[3:]
        return max2d(x.reshape(N, C, H, W), out.reshape(N, C, OH, OW), kernel_size[1],
                     kernel_size[2], stride[1], stride[2], padding[1], padding[2])
    tables = [np.array(pool_windows(i, k, s, p, d, o, count_include_pad), np.int64).reshape(-1, 4)
              for i, k, s, p, d, o in zip(x.shape[2:], kernel_size, stride, padding, dilation,
                                          out.shape[2:], strict=True)]
    return reduce_windows(x, out, *tables, MAX if op == "max" else AVG)
