"""Counted elementwise activations: one kernel, one branch per activation.

``op`` is loop-invariant, so LLVM unswitches the branch out of the loop. Work is split
into fixed chunks of ``CHUNK`` elements; each chunk is a task with its own counter row.
"""
import math

import numpy as np

from ._numba import ADD, CMP, DIV, EXP, MUL, NEG, NKINDS, SUB, njit, prange

RELU, RELU6, LEAKY_RELU, SIGMOID, TANH, SILU = range(6)
CHUNK = 1 << 15


@njit(parallel=True)
def elementwise(x, y, op, slope):
    """Apply activation ``op`` to the flat array ``x`` into ``y``; return the counter table."""
    n = x.size
    ntask = (n + CHUNK - 1) // CHUNK
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        nadd = nsub = nmul = ndiv = nneg = nexp = ncmp = 0
        for i in range(t * CHUNK, min(n, (t + 1) * CHUNK)):
            v = x[i]
            if op == RELU:  # NaN < 0 is false, so NaN passes through as in torch
                ncmp += 1
                r = 0.0 if v < 0 else v
            elif op == RELU6:  # min(max(x, 0), 6): both comparisons always run
                ncmp += 1
                r = 0.0 if v < 0 else v
                ncmp += 1
                r = 6.0 if r > 6 else r
            elif op == LEAKY_RELU:  # select(x > 0, x, a·x) = max(x, a·x) for 0 <= a <= 1
                nmul += 1
                m = slope * v
                ncmp += 1
                r = v if v > 0 else m
            elif op == SIGMOID:  # 1 / (1 + exp(−x))
                nneg += 1
                e = -v
                nexp += 1
                e = math.exp(e)
                nadd += 1
                e = 1.0 + e
                ndiv += 1
                r = 1.0 / e
            elif op == TANH:  # 1 − 2 / (exp(2x) + 1): no overflow for large |x|
                nmul += 1
                e = 2.0 * v
                nexp += 1
                e = math.exp(e)
                nadd += 1
                e = e + 1.0
                ndiv += 1
                e = 2.0 / e
                nsub += 1
                r = 1.0 - e
            else:  # SILU: x · sigmoid(x)
                nneg += 1
                e = -v
                nexp += 1
                e = math.exp(e)
                nadd += 1
                e = 1.0 + e
                ndiv += 1
                e = 1.0 / e
                nmul += 1
                r = v * e
            y[i] = r
        counts[t, ADD] = nadd
        counts[t, SUB] = nsub
        counts[t, MUL] = nmul
        counts[t, DIV] = ndiv
        counts[t, NEG] = nneg
        counts[t, EXP] = nexp
        counts[t, CMP] = ncmp
    return counts
