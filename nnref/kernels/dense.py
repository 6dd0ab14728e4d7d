"""Counted dense (fully connected) layer: ``y = x·Wᵀ + b`` through the counted GEMM.

Each of the M rows of ``x`` (M, I) is multiplied by each row of ``W`` (O, I), both with
the reduction axis last, which is :func:`._gemm.matmul_nt` with a bias per column.
Counts: :func:`nnref.formulas.dense.dense`.
"""
import numpy as np

from ._gemm import BIAS_COL, BIAS_NONE, matmul_nt


def dense(x, w, bias, out):
    """Fill ``out`` (M, O) with ``x`` (M, I) · ``w`` (O, I)ᵀ (+ ``bias`` (O,) or None).

    Returns the counter table.
    """
    if bias is None:
        return matmul_nt(np.ascontiguousarray(x), np.ascontiguousarray(w), np.zeros(0, x.dtype),
                         BIAS_NONE, out)
    return matmul_nt(np.ascontiguousarray(x), np.ascontiguousarray(w), bias, BIAS_COL, out)
