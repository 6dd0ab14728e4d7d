"""Counted matrix products between tensors: batched GEMM (matmul, bmm) and baddbmm's blend.

:func:`batched_gemm` multiplies, for every output batch ``t``, ``a[ia[t]]`` (M, K) by
``b[ib[t]]`` (N, K, the right operand transposed) with the counted GEMM core
(:func:`._gemm.gemm_block`): each output element is a dot product whose first product
initialises the sum. A task is one (batch, block of ``ROWS`` output rows), chosen from the
shapes. :func:`scale_add` is baddbmm's ``beta·input + alpha·product``, one task per chunk of
``CHUNK`` elements. Counts: :mod:`nnref.formulas.matmul`.
"""
import numpy as np

from ._numba import ADD, MUL, NKINDS, njit, prange
from ._gemm import BIAS_NONE, gemm_block, gemm_nt

#: Output rows per task of :func:`batched_gemm`.
ROWS = 16
#: Multiplications per batch (M·N·K) from which a product runs through the tiled GEMM.
TILED = 1 << 15
#: Elements per task of :func:`scale_add`.
CHUNK = 1 << 15


def batched_gemm(a, b, ia, ib, out):
    """Fill ``out`` (T, M, N) with ``a[ia[t]] @ b[ib[t]]ᵀ``; ``a`` (Ba, M, K), ``b`` (Bb, N, K)
    C-contiguous. Returns the counter table."""
    T, M, N = out.shape
    if T == 0 or M * N * a.shape[2] < TILED:
        return batched_blocks(a, b, ia, ib, out)
    none = np.zeros(0, a.dtype)
    return np.concatenate([gemm_nt(a[ia[t]], b[ib[t]], none, BIAS_NONE, out[t]) for t in range(T)])


@njit(parallel=True)
def batched_blocks(a, b, ia, ib, out):
    """:func:`batched_gemm` as dot products, one task per (batch, block of rows)."""
    T, M, N = out.shape
    blocks = (M + ROWS - 1) // ROWS
    no_bias = np.zeros(0, a.dtype)
    counts = np.zeros((max(T * blocks, 1), NKINDS), np.int64)
    for t in prange(T * blocks):
        bi, r0 = t // blocks, ROWS * (t % blocks)
        gemm_block(a[ia[bi]], b[ib[bi]], no_bias, BIAS_NONE, out[bi], r0, min(r0 + ROWS, M), 0, N,
                   counts[t])
    return counts


@njit(parallel=True)
def blend(p, c, alpha, beta, scale, mode):
    """``p = beta·c + alpha·p`` in place on flat arrays, each operation counted.

    ``scale``: whether alpha·p is computed (alpha ≠ 1). ``mode``: 0 ignores ``c``
    (beta = 0), 1 adds it (beta = 1), 2 adds beta·c.
    """
    n = p.size
    ntask = (n + CHUNK - 1) // CHUNK
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        nmul = 0
        nadd = 0
        for i in range(t * CHUNK, min(n, (t + 1) * CHUNK)):
            v = p[i]
            if scale:
                v = alpha * v
                nmul += 1
            if mode == 1:
                v = c[i] + v
                nadd += 1
            elif mode == 2:
                u = beta * c[i]
                nmul += 1
                v = u + v
                nadd += 1
            p[i] = v
        counts[t, MUL] = nmul
        counts[t, ADD] = nadd
    return counts


def scale_add(p, c, alpha, beta):
    """baddbmm's blend of the flat product ``p`` (in place) with ``c``; returns the counter
    table. A multiplication by 1 is not executed; beta = 0 never reads ``c``."""
    mode = 0 if beta == 0 else (1 if beta == 1 else 2)
    dt = p.dtype.type
    return blend(p, c, dt(alpha), dt(beta), alpha != 1, mode)
