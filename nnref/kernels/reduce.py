"""Counted reductions: the mean of each row of a (rows, n) array.

Each row is summed left to right, the first element initialising the sum (add n − 1),
then divided by n (div 1). Work is split into tasks of ``max(1, CHUNK // n)`` rows,
chosen from the shape alone. Counts: :func:`nnref.formulas.reduce.mean`.
"""
import numpy as np

from ._numba import ADD, DIV, NKINDS, njit, prange

CHUNK = 1 << 15


@njit(parallel=True)
def mean_rows(x, out):
    """``out[r] = mean(x[r, :])`` for every row of ``x`` (rows, n); return the counter table."""
    rows, n = x.shape
    per = max(1, CHUNK // n)
    ntask = (rows + per - 1) // per
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        nadd = ndiv = 0
        for r in range(t * per, min(rows, (t + 1) * per)):
            s = x[r, 0]
            for k in range(1, n):
                s += x[r, k]
                nadd += 1
            out[r] = s / n
            ndiv += 1
        counts[t, ADD] = nadd
        counts[t, DIV] = ndiv
    return counts
