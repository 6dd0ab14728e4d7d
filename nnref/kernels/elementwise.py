"""Counted elementwise binary operations: ``out = a + b`` (residual connections).

Work is split into fixed chunks of ``CHUNK`` elements; each chunk is a task with its
own counter row. Counts: :func:`nnref.formulas.elementwise.add`.
"""
import numpy as np

from ._numba import ADD, NKINDS, njit, prange

CHUNK = 1 << 15


@njit(parallel=True)
def add(a, b, out):
    """Fill the flat array ``out`` with ``a + b`` (same length); return the counter table."""
    ntask = (a.size + CHUNK - 1) // CHUNK
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        nadd = 0
        lo, hi = t * CHUNK, (t + 1) * CHUNK
        at, bt, ot = a[lo:hi], b[lo:hi], out[lo:hi]  # views from 0: LLVM sees indices >= 0
        for i in range(ot.size):  # ... and vectorises
            ot[i] = at[i] + bt[i]
            nadd += 1
        counts[t, ADD] = nadd
    return counts
