"""The gather of Embedding: each output row a copy of one row of the table, no arithmetic.

Work is split into fixed chunks of whole rows (about ``CHUNK`` elements each), one task
and counter row each, as in every kernel; a copy adds nothing to any counter.
Counts: :func:`nnref.formulas.embedding.embedding`.
"""
import numpy as np

from ._numba import NKINDS, njit, prange

CHUNK = 1024


@njit(parallel=True)
def gather(indices, weight, out):
    """``out[i] = weight[indices[i]]`` for the flat int64 ``indices`` (already checked to be
    in range); return the counter table, all zeros."""
    m, d = out.shape
    per = max(1, CHUNK // d)
    ntask = (m + per - 1) // per
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        for i in range(t * per, min(m, (t + 1) * per)):
            row = weight[indices[i]]
            for j in range(d):
                out[i, j] = row[j]
    return counts
