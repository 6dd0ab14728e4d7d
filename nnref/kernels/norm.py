"""Counted inference-mode batch normalization over (N, C, L).

First the fold, once per channel and call (serial, counter row 0):

    σ = sqrt(var + eps),   scale = γ / σ,   shift = β − μ·scale

then every element (one task per (batch, channel) plane, counter rows 1…):

    y = x·scale + shift

Counts: :func:`nnref.formulas.norm.batch_norm`.
"""
import math

import numpy as np

from ._numba import ADD, DIV, MUL, NKINDS, SQRT, SUB, njit, prange


@njit(parallel=True)
def batchnorm(x, mean, var, weight, bias, eps, scale, shift, out):
    """Normalize ``x`` (N, C, L) into ``out`` with per-channel statistics; return counts.

    ``mean, var, weight, bias`` have shape (C,); ``scale`` and ``shift`` (C,) are filled
    with the folded affine transform.
    """
    N, C, L = x.shape
    counts = np.zeros((1 + N * C, NKINDS), np.int64)
    nadd = nsqrt = ndiv = nmul = nsub = 0
    for c in range(C):
        sigma = var[c] + eps
        nadd += 1
        sigma = math.sqrt(sigma)
        nsqrt += 1
        scale[c] = weight[c] / sigma
        ndiv += 1
        m = mean[c] * scale[c]
        nmul += 1
        shift[c] = bias[c] - m
        nsub += 1
    counts[0, ADD] = nadd
    counts[0, SQRT] = nsqrt
    counts[0, DIV] = ndiv
    counts[0, MUL] = nmul
    counts[0, SUB] = nsub
    for t in prange(N * C):
        c = t % C
        xp = x[t // C, c]
        yp = out[t // C, c]
        a = scale[c]
        b = shift[c]
        nmul = nadd = 0
        for i in range(L):
            yp[i] = xp[i] * a + b
            nmul += 1
            nadd += 1
        counts[1 + t, MUL] = nmul
        counts[1 + t, ADD] = nadd
    return counts
