"""Counted softmax along the middle axis of (A, n, B).

Each of the ``A·B`` rows of length ``n`` is computed in four passes, each operation
counted where it happens:

    m = max_k x_k          (the first element initialises m)
    e_k = exp(x_k − m)
    s = Σ_k e_k            (the first term initialises s)
    y_k = e_k / s

A NaN anywhere in a row makes ``s`` NaN and so the whole row NaN, as in torch; the
maximum therefore needs no NaN test. Work is split into fixed chunks of ``CHUNK`` rows,
one task each. Counts: :func:`nnref.formulas.softmax.softmax`.
"""
import math

import numpy as np

from ._numba import ADD, CMP, DIV, EXP, NKINDS, SUB, njit, prange

CHUNK = 256


@njit(parallel=True)
def softmax(x, out):
    """Softmax of ``x`` (A, n, B) along axis 1 into ``out``; return the counter table."""
    A, n, B = x.shape
    rows = A * B
    ntask = (rows + CHUNK - 1) // CHUNK
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        ncmp = nsub = nexp = nadd = ndiv = 0
        for r in range(t * CHUNK, min(rows, (t + 1) * CHUNK)):
            xr = x[r // B, :, r % B]
            yr = out[r // B, :, r % B]
            m = xr[0]
            for k in range(1, n):
                ncmp += 1
                if xr[k] > m:
                    m = xr[k]
            for k in range(n):
                e = xr[k] - m
                nsub += 1
                yr[k] = math.exp(e)
                nexp += 1
            s = yr[0]
            for k in range(1, n):
                s += yr[k]
                nadd += 1
            for k in range(n):
                yr[k] = yr[k] / s
                ndiv += 1
        counts[t, CMP] = ncmp
        counts[t, SUB] = nsub
        counts[t, EXP] = nexp
        counts[t, ADD] = nadd
        counts[t, DIV] = ndiv
    return counts
