"""Packing for the counted GEMM (:mod:`._gemm`): an operand copied into panels of a
tile's rows or columns, in the order the micro-kernel reads them, and the offsets at which
its elements land. A copy: no arithmetic, nothing counted."""
import functools

import numpy as np

from ._numba import njit, prange


@njit(inline="always")
def pack_panel(x, t, r0, w, k0, kc, width, dst):
    """Copy rows ``r0 … r0+w`` × reductions ``k0 … k0+kc`` of the logical operand
    (``x[r, k]``, or ``x[k, r]`` when ``t``) into the panel ``dst``, k-major with
    ``width`` slots per k. Called with ``w = width`` (a constant) for the full panels of
    a transpose."""
    if t:
        for k in range(kc):
            src = x[k0 + k, r0:r0 + w]
            d = dst[k * width:k * width + w]
            for r in range(w):
                d[r] = src[r]
    else:  # a transpose, 16 reductions at a time so that the writes stay in L1
        for k1 in range(0, kc, 16):
            n = min(16, kc - k1)
            d = dst[k1 * width:]
            for r in range(w):
                src = x[r0 + r, k0 + k1:k0 + k1 + n]
                for k in range(n):
                    d[k * width + r] = src[k]


@njit(parallel=True)
def pack(x, t, rows, depth, width, kb):
    """All of the logical operand (``rows`` × ``depth``: ``x[r, k]``, or ``x[k, r]`` when
    ``t``) as panels of ``width`` rows: block ``b`` of ``kb`` reductions starts at
    ``b·kb·R`` (R = rows rounded up to ``width``), its panel ``p`` at ``p·kb·width``
    within it, reduction ``k`` of the block at ``k·width`` within that, so element (r, k)
    is at an offset of r plus one of k (:func:`packed_offsets`). A copy: no arithmetic,
    nothing counted."""
    npanel = (rows + width - 1) // width
    R = npanel * width
    nblock = (depth + kb - 1) // kb
    out = np.empty(max(R * kb * nblock, 1), x.dtype)
    for t_ in prange(nblock * npanel):
        b, p = t_ // npanel, t_ % npanel
        k0 = b * kb
        kc = min(kb, depth - k0)
        r0 = p * width
        dst = out[k0 * R + r0 * kb:k0 * R + r0 * kb + width * kc]
        if t or r0 + width > rows:  # a copy runs as fast with a variable width
            pack_panel(x, t, r0, min(width, rows - r0), k0, kc, width, dst)
        else:  # a transpose: a constant width unrolls its loop over the rows (twice as fast)
            pack_panel(x, False, r0, width, k0, kc, width, dst)
    return out


@functools.lru_cache(maxsize=256)
def packed_offsets(rows: int, depth: int, width: int, kb: int):
    """``(ri, kk)``: element (r, k) of an operand packed by :func:`pack` is at
    ``ri[r] + kk[k]`` (uint64 arrays of ``rows`` and ``depth``). Remembered for the
    shapes, as are :func:`row_offsets` and :func:`order`: a model calls the same shapes
    every forward, and these took a third of a small GEMM's Python time (the kernels
    only read them)."""
    r, k = np.arange(rows, dtype=np.uint64), np.arange(depth, dtype=np.uint64)
    R, width, kb = np.uint64(-(-rows // width) * width), np.uint64(width), np.uint64(kb)
    return r // width * width * kb + r % width, k // kb * kb * R + k % kb * width
