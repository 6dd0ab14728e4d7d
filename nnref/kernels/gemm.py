"""Counted GEMM: ``out[i, j] = Σ_k a[i, k]·b[j, k]`` (+ bias), both operands row-major.

Both operands hold their reduction axis last (``b`` is the transposed right operand),
so every output element is a contiguous dot product that LLVM vectorises. Work is
split into tasks of two output rows; each task keeps its own counter row.

Per output element: the first product initialises the accumulator (mul 1), each
further tap does mul 1 and add 1, and a bias adds 1 more add.
"""
import numpy as np

from ._numba import ADD, MUL, NKINDS, njit, prange

#: Bias modes: none, one per row of ``out`` (conv), one per column (dense).
BIAS_NONE, BIAS_ROW, BIAS_COL = 0, 1, 2


@njit(parallel=True)
def gemm_nt(a, b, bias, bias_mode, out):
    """Fill ``out`` (M, N) with ``a`` (M, K) times ``b`` (N, K) transposed; return counts.

    ``bias`` has length M (``bias_mode=BIAS_ROW``), N (``BIAS_COL``) or is ignored.
    """
    M, K = a.shape
    N = b.shape[0]
    ntask = (M + 1) // 2
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        i0 = 2 * t
        i1 = min(i0 + 2, M)
        nmul = 0
        nadd = 0
        for j0 in range(0, N, 2):
            if i1 - i0 == 2 and j0 + 1 < N:
                a0 = a[i0]
                a1 = a[i0 + 1]
                b0 = b[j0]
                b1 = b[j0 + 1]
                c00 = a0[0] * b0[0]
                c01 = a0[0] * b1[0]
                c10 = a1[0] * b0[0]
                c11 = a1[0] * b1[0]
                nmul += 4
                for k in range(1, K):
                    c00 += a0[k] * b0[k]
                    c01 += a0[k] * b1[k]
                    c10 += a1[k] * b0[k]
                    c11 += a1[k] * b1[k]
                    nmul += 4
                    nadd += 4
                out[i0, j0] = c00
                out[i0, j0 + 1] = c01
                out[i0 + 1, j0] = c10
                out[i0 + 1, j0 + 1] = c11
            else:
                for i in range(i0, i1):
                    for j in range(j0, min(j0 + 2, N)):
                        c = a[i, 0] * b[j, 0]
                        nmul += 1
                        for k in range(1, K):
                            c += a[i, k] * b[j, k]
                            nmul += 1
                            nadd += 1
                        out[i, j] = c
        if bias_mode == BIAS_ROW:
            for i in range(i0, i1):
                for j in range(N):
                    out[i, j] += bias[i]
                    nadd += 1
        elif bias_mode == BIAS_COL:
            for i in range(i0, i1):
                for j in range(N):
                    out[i, j] += bias[j]
                    nadd += 1
        counts[t, MUL] = nmul
        counts[t, ADD] = nadd
    return counts
