"""Counted pointwise (1×1) convolution: one counted GEMM per batch element.

``out[n, o, p] = Σ_c W[o, c]·x[n, c, p]`` (+ bias) over the P flattened spatial
positions: ``x[n]`` (C, P) is already the right operand of :func:`~nnref.kernels._gemm.gemm`,
so nothing is copied. Counts: :func:`nnref.formulas.pointwise.pointwise`.
"""
import numpy as np

from ._gemm import BIAS_NONE, BIAS_ROW, gemm


def pointwise(x, w, bias, out):
    """Fill ``out`` (N, Co, P) from ``x`` (N, C, P) and ``w`` (Co, C); return the counter table.

    ``bias`` (Co,) or None.
    """
    mode = BIAS_NONE if bias is None else BIAS_ROW
    b = np.zeros(w.shape[0], x.dtype) if bias is None else bias
    return np.concatenate([gemm(w, x[n], b, mode, out[n]) for n in range(x.shape[0])])
