"""Counted GEMM of two row-major operands, ``out = a·bᵀ`` (+ bias), with no packing.

When both operands already have the reduction axis last, ``a`` (M, K) and ``b`` (N, K),
as the weights and im2col's column matrix do, each output is the dot product of a row of
``a`` and a row of ``b``, and both rows are read unit-stride as they are: nothing has to
be transposed into panels first. That matters when one side is small: a layer-4 ResNet
convolution (512 × 4608 weights, 49 positions) spends as long packing its weights for
:func:`._gemm.gemm` as multiplying them.

:func:`dots4` is the micro-kernel: a 4 × 4 block of dot products, 16 partial sums in
local scalars, so that every element loaded is used four times::

    for k:                           # along both rows (LLVM vectorises this loop)
        c[i, j] += a[i, k] · b[j, k]     # for the 16 (i, j) of the block
        nmul += 16; nadd += 16           # one increment per executed row of 16

The first product of each dot product initialises it (k = 0: 16 products, no sum),
every later one is added, and the bias is added once at the end, each counted where it
happens. A task is a block of rows × a block of columns (from the shapes alone), which
walks the reduction in chunks of KC (the partial sums wait in ``out``), so its rows of
``a`` and ``b`` stay in cache. Rows and columns beyond a multiple of 4 run as single dot
products (:func:`dot1`). Counts: those of :func:`._gemm.gemm_block`, of which this is a
faster order of the same operations. :mod:`._gemm` routes products here (and the last
few columns of its tiled ones); this module imports nothing of it.
"""
import numpy as np

from ._numba import ADD, MUL, NKINDS, njit, prange
from ._tile import BIAS_COL, BIAS_ROW

#: Bytes of one row's chunk of the reduction: 8 rows of it (4 of a, 4 of b) fill 16 KiB.
CHUNK_BYTES = 4096
#: Most rows and columns of a task.
TASK = 64


def task_size(n: int, unit: int, most: int) -> int:
    """Rows (or columns) of a task: a quarter of ``n`` rounded up to ``unit``, within
    [unit, most], so that small products still make several tasks. Shapes only."""
    quarter = -(-n // 4)
    return max(unit, min(most, -(-quarter // unit) * unit))


@njit
def dots4(a0, a1, a2, a3, b0, b1, b2, b3, kc, first, o, oi, oj):
    """The 4 × 4 dot products of rows ``a0…a3`` and ``b0…b3`` over one chunk of ``kc``
    reductions into ``o[oi:oi+4, oj:oj+4]``; with ``first`` the chunk holds k = 0, whose
    products initialise them, else they start from ``o``. Returns (products, sums)."""
    nmul = 0
    nadd = 0
    k0 = 0
    if first:
        x0, x1, x2, x3, y0, y1, y2, y3 = a0[0], a1[0], a2[0], a3[0], b0[0], b1[0], b2[0], b3[0]
        c00, c01, c02, c03 = x0 * y0, x0 * y1, x0 * y2, x0 * y3
        c10, c11, c12, c13 = x1 * y0, x1 * y1, x1 * y2, x1 * y3
        c20, c21, c22, c23 = x2 * y0, x2 * y1, x2 * y2, x2 * y3
        c30, c31, c32, c33 = x3 * y0, x3 * y1, x3 * y2, x3 * y3
        nmul += 16
        k0 = 1
    else:
        c00, c01, c02, c03 = o[oi, oj], o[oi, oj + 1], o[oi, oj + 2], o[oi, oj + 3]
        c10, c11, c12, c13 = o[oi + 1, oj], o[oi + 1, oj + 1], o[oi + 1, oj + 2], o[oi + 1, oj + 3]
        c20, c21, c22, c23 = o[oi + 2, oj], o[oi + 2, oj + 1], o[oi + 2, oj + 2], o[oi + 2, oj + 3]
        c30, c31, c32, c33 = o[oi + 3, oj], o[oi + 3, oj + 1], o[oi + 3, oj + 2], o[oi + 3, oj + 3]
    for k in range(k0, kc):
        x0, x1, x2, x3, y0, y1, y2, y3 = a0[k], a1[k], a2[k], a3[k], b0[k], b1[k], b2[k], b3[k]
        c00 += x0 * y0
        c01 += x0 * y1
        c02 += x0 * y2
        c03 += x0 * y3
        c10 += x1 * y0
        c11 += x1 * y1
        c12 += x1 * y2
        c13 += x1 * y3
        c20 += x2 * y0
        c21 += x2 * y1
        c22 += x2 * y2
        c23 += x2 * y3
        c30 += x3 * y0
        c31 += x3 * y1
        c32 += x3 * y2
        c33 += x3 * y3
        nmul += 16
        nadd += 16
    o[oi, oj], o[oi, oj + 1], o[oi, oj + 2], o[oi, oj + 3] = c00, c01, c02, c03
    o[oi + 1, oj], o[oi + 1, oj + 1], o[oi + 1, oj + 2], o[oi + 1, oj + 3] = c10, c11, c12, c13
    o[oi + 2, oj], o[oi + 2, oj + 1], o[oi + 2, oj + 2], o[oi + 2, oj + 3] = c20, c21, c22, c23
    o[oi + 3, oj], o[oi + 3, oj + 1], o[oi + 3, oj + 2], o[oi + 3, oj + 3] = c30, c31, c32, c33
    return nmul, nadd


@njit(inline="always")
def dot1(ar, br, kc, first, o, oi, oj):
    """One dot product of rows ``ar`` and ``br`` over a chunk, as :func:`dots4`."""
    nmul = 0
    nadd = 0
    k0 = 0
    if first:
        c = ar[0] * br[0]
        nmul += 1
        k0 = 1
    else:
        c = o[oi, oj]
    for k in range(k0, kc):
        c += ar[k] * br[k]
        nmul += 1
        nadd += 1
    o[oi, oj] = c
    return nmul, nadd


@njit(parallel=True)
def gemm_dots(a, b, bias, bias_mode, out, col0, kb, ti, tj):
    """``out[:, col0:col0+N]`` = ``a`` (M, K) · ``b`` (N, K)ᵀ (+ bias); one task per
    ``ti × tj`` block, the reduction in chunks of ``kb``. Returns the counter table."""
    M, K = a.shape
    N = b.shape[0]
    o = out[:, col0:col0 + N]
    mt = (M + ti - 1) // ti
    nt = (N + tj - 1) // tj
    counts = np.zeros((max(mt * nt, 1), NKINDS), np.int64)
    for t in prange(mt * nt):
        i0, j0 = (t // nt) * ti, (t % nt) * tj
        i1, j1 = min(i0 + ti, M), min(j0 + tj, N)
        i4, j4 = i0 + (i1 - i0) // 4 * 4, j0 + (j1 - j0) // 4 * 4
        nmul = 0
        nadd = 0
        for k0 in range(0, K, kb):
            kc = min(kb, K - k0)
            first = k0 == 0
            for j in range(j0, j4, 4):
                b0, b1, b2, b3 = b[j, k0:], b[j + 1, k0:], b[j + 2, k0:], b[j + 3, k0:]
                for i in range(i0, i4, 4):
                    m, s = dots4(a[i, k0:], a[i + 1, k0:], a[i + 2, k0:], a[i + 3, k0:],
                                 b0, b1, b2, b3, kc, first, o, i, j)
                    nmul += m
                    nadd += s
            for i in range(i0, i1):  # the edges: rows past i4 × all columns, columns past j4
                for j in range(j4 if i < i4 else j0, j1):
                    m, s = dot1(a[i, k0:], b[j, k0:], kc, first, o, i, j)
                    nmul += m
                    nadd += s
        if bias_mode == BIAS_ROW or bias_mode == BIAS_COL:
            for i in range(i0, i1):
                for j in range(j0, j1):
                    o[i, j] += bias[i] if bias_mode == BIAS_ROW else bias[j]
                    nadd += 1
        counts[t, MUL] = nmul
        counts[t, ADD] = nadd
    return counts


def gemm_rows_nt(a, b, bias, bias_mode, out, col0=0):
    """Fill ``out[:, col0:col0+N]`` with ``a`` (M, K) times ``b`` (N, K) transposed, both
    C-contiguous; return the counter table. ``bias`` as :func:`._gemm.gemm`."""
    (M, K), N = a.shape, b.shape[0]
    if min(M, N, K) < 1 or b.shape[1] != K or out.shape[0] != M or out.shape[1] < col0 + N:
        raise ValueError(f"gemm_rows_nt: shapes {a.shape} · {b.shape}ᵀ into {out.shape} at "
                         f"column {col0} are invalid; expected (M, K) · (N, K)ᵀ into (M, >= col0 + N)")
    if not (a.flags.c_contiguous and b.flags.c_contiguous and out.flags.c_contiguous):
        raise ValueError("gemm_rows_nt: a, b and out must be C-contiguous")
    kb = max(1, CHUNK_BYTES // a.itemsize)
    return gemm_dots(a, b, bias, bias_mode, out, col0, kb, task_size(M, 4, TASK),
                     task_size(N, 4, TASK))
