"""Counted softmax and log-softmax along the middle axis of (A, n, B).

Each of the ``A·B`` rows of length ``n`` is computed in passes, each operation counted
where it happens (see :func:`softmax`): the maximum m, d_k = x_k − m, s = Σ_k exp(d_k),
then y_k = exp(d_k) / s, or y_k = d_k − log(s) for log-softmax.

A NaN anywhere in a row makes ``s`` NaN and so the whole row NaN, as in torch; the
maximum therefore needs no NaN test. Work is split into fixed chunks of ``CHUNK`` rows,
one task each. Counts: :func:`nnref.formulas.softmax.softmax`; log-softmax (``log=True``):
:func:`nnref.formulas.softmax.log_softmax`.
"""
import math

import numpy as np

from ._numba import NKINDS, njit, prange, record

CHUNK = 256


@njit(parallel=True)
def softmax(x, out, log):
    """Softmax (``log`` False) or log-softmax of ``x`` (A, n, B) along axis 1 into ``out``;
    return the counter table. Each row, each operation counted where it happens:

        m = max_k x_k                (x_0 initialises m)
        d_k = x_k − m                (kept in ``out``)
        softmax:      e_k = exp(d_k), s = Σ_k e_k, y_k = e_k / s
        log-softmax:  s = Σ_k exp(d_k), y_k = d_k − log(s)

    (the first term initialises each sum). Counts: :func:`nnref.formulas.softmax.softmax`,
    :func:`nnref.formulas.softmax.log_softmax`.
    """
    A, n, B = x.shape
    rows = A * B
    ntask = (rows + CHUNK - 1) // CHUNK
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        ncmp = nsub = nexp = nadd = ndiv = nlog = 0
        for r in range(t * CHUNK, min(rows, (t + 1) * CHUNK)):
            xr = x[r // B, :, r % B]
            yr = out[r // B, :, r % B]
            m = xr[0]
            for k in range(1, n):
                ncmp += 1
                if xr[k] > m:
                    m = xr[k]
            for k in range(n):
                yr[k] = xr[k] - m
                nsub += 1
            s = math.exp(yr[0])  # the first term initialises the sum
            nexp += 1
            if not log:
                yr[0] = s
            for k in range(1, n):
                e = math.exp(yr[k])
                nexp += 1
                if not log:
                    yr[k] = e
                s += e
                nadd += 1
            if log:
                s = math.log(s)
                nlog += 1
                for k in range(n):
                    yr[k] = yr[k] - s
                    nsub += 1
            else:
                for k in range(n):
                    yr[k] = yr[k] / s
                    ndiv += 1
        record(counts[t], cmp=ncmp, sub=nsub, exp=nexp, add=nadd, div=ndiv, log=nlog)
    return counts
