"""Counted GEMM: ``out[i, j] = Σ_k a[i, k]·b[j, k]`` (+ bias), both operands row-major.

Both operands hold their reduction axis last (``b`` is the transposed right operand),
so every output element is a contiguous dot product that LLVM vectorises (the safe
``reassoc`` flag lets it split the sum into lanes). Outputs are computed in 2×2 tiles
of dot products, so each loaded element of ``a`` and ``b`` feeds two products.

Each dot product starts from its first product (k = 0) and accumulates the others;
the bias, if any, is added after. Every product and sum is counted at its site. Counts:
the rule of the calling family (:func:`nnref.formulas.conv.conv`,
:func:`nnref.formulas.dense.dense`, ...).

:func:`gemm_nt` splits the work into tasks of (2 rows × ``COLS`` columns), each with its
own counter row. :func:`gemm_block` is the serial core, for kernels that run many small
GEMMs inside their own parallel loop (grouped im2col convolution); it adds its counts
to the counter row of the task that calls it.

This is shared machinery: the family kernels (:mod:`.conv`, :mod:`.pointwise`,
:mod:`.dense`, :mod:`.recurrent`) call it.
"""
import numpy as np

from ._numba import ADD, MUL, NKINDS, njit, prange

#: Bias modes: none, one per row of ``out`` (conv), one per column (dense).
BIAS_NONE, BIAS_ROW, BIAS_COL = 0, 1, 2
#: Columns of ``out`` per task of :func:`gemm_nt`.
COLS = 64


@njit
def gemm_block(a, b, bias, bias_mode, out, i0, i1, j0, j1, row):
    """Fill ``out[i0:i1, j0:j1]``; add the products and sums, counted where they happen,
    to the task's counter ``row``."""
    K = a.shape[1]
    nmul = 0
    nadd = 0
    for i in range(i0, i1, 2):
        pair = i + 1 < i1
        a0 = a[i]
        a1 = a[i + 1] if pair else a[i]
        for j in range(j0, j1, 2):
            b0 = b[j]
            if pair and j + 1 < j1:  # the 2x2 tile
                b1 = b[j + 1]
                c00 = a0[0] * b0[0]
                nmul += 1
                c01 = a0[0] * b1[0]
                nmul += 1
                c10 = a1[0] * b0[0]
                nmul += 1
                c11 = a1[0] * b1[0]
                nmul += 1
                for k in range(1, K):
                    c00 += a0[k] * b0[k]
                    nmul += 1
                    nadd += 1
                    c01 += a0[k] * b1[k]
                    nmul += 1
                    nadd += 1
                    c10 += a1[k] * b0[k]
                    nmul += 1
                    nadd += 1
                    c11 += a1[k] * b1[k]
                    nmul += 1
                    nadd += 1
                out[i, j] = c00
                out[i, j + 1] = c01
                out[i + 1, j] = c10
                out[i + 1, j + 1] = c11
            else:  # edges: one dot product at a time
                for ii in range(i, min(i + 2, i1)):
                    for jj in range(j, min(j + 2, j1)):
                        ai = a[ii]
                        bj = b[jj]
                        c = ai[0] * bj[0]
                        nmul += 1
                        for k in range(1, K):
                            c += ai[k] * bj[k]
                            nmul += 1
                            nadd += 1
                        out[ii, jj] = c
    if bias_mode == BIAS_ROW:
        for i in range(i0, i1):
            for j in range(j0, j1):
                out[i, j] += bias[i]
                nadd += 1
    elif bias_mode == BIAS_COL:
        for i in range(i0, i1):
            for j in range(j0, j1):
                out[i, j] += bias[j]
                nadd += 1
    row[MUL] += nmul
    row[ADD] += nadd


@njit(parallel=True)
def gemm_nt(a, b, bias, bias_mode, out):
    """Fill ``out`` (M, N) with ``a`` (M, K) times ``b`` (N, K) transposed; return counts.

    ``bias`` has length M (``bias_mode=BIAS_ROW``), N (``BIAS_COL``) or is ignored.
    K must be at least 1.
    """
    M = a.shape[0]
    N = b.shape[0]
    nrow = (M + 1) // 2
    ncol = (N + COLS - 1) // COLS
    counts = np.zeros((max(nrow * ncol, 1), NKINDS), np.int64)
    for t in prange(nrow * ncol):
        i0 = 2 * (t // ncol)
        j0 = COLS * (t % ncol)
        gemm_block(a, b, bias, bias_mode, out, i0, min(i0 + 2, M), j0, min(j0 + COLS, N), counts[t])
    return counts
