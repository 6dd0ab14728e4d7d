"""Counted pointwise (1×1) convolution: one counted GEMM per batch element.

``out[n, o, p] = Σ_c W[o, c]·x[n, c, p]`` (+ bias) over the P flattened spatial
positions, computed by :func:`~nnref.kernels._gemm.gemm_nt` with ``x[n]`` transposed to
(P, C). Counts: :func:`nnref.formulas.pointwise.pointwise`.
"""
import numpy as np

from ._numba import njit, prange
from ._gemm import BIAS_NONE, BIAS_ROW, gemm_nt


@njit(parallel=True)
def _transpose(x, xt):
    """``xt`` (P, C) = ``x`` (C, P) transposed (a copy, no arithmetic)."""
    C, P = x.shape
    for p in prange(P):
        for c in range(C):
            xt[p, c] = x[c, p]


def pointwise(x, w, bias, out):
    """Fill ``out`` (N, Co, P) from ``x`` (N, C, P) and ``w`` (Co, C); return the counter table.

    ``bias`` (Co,) or None.
    """
    N, C, P = x.shape
    mode = BIAS_NONE if bias is None else BIAS_ROW
    b = np.zeros(w.shape[0], x.dtype) if bias is None else bias
    xt = np.empty((P, C), x.dtype)
    tables = []
    for n in range(N):
        _transpose(x[n], xt)
        tables.append(gemm_nt(w, xt, b, mode, out[n]))
    return np.concatenate(tables)
