"""Counted elementwise activations: one kernel, one branch per activation.

Work is split into fixed chunks of ``CHUNK`` elements; each chunk is a task with its
own counter row. :func:`sigmoid` and :func:`tanh` are the counted scalar arithmetic
shared with the recurrent cells (:mod:`.recurrent`).
"""
import math

import numpy as np

from ._numba import ADD, CMP, DIV, EXP, MUL, NEG, NKINDS, SUB, njit, prange

RELU, RELU6, LEAKY_RELU, SIGMOID, TANH, SILU = range(6)
CHUNK = 1 << 15


@njit(inline="always")
def sigmoid(v):
    """σ(v) = 1 / (1 + exp(−v)); returns ``(σ, neg, exp, add, div)`` counted where they run."""
    nneg = nexp = nadd = ndiv = 0
    nneg += 1
    e = -v
    nexp += 1
    e = math.exp(e)
    nadd += 1
    e = 1.0 + e
    ndiv += 1
    return 1.0 / e, nneg, nexp, nadd, ndiv


@njit(inline="always")
def tanh(v):
    """tanh(v) = 1 − 2 / (exp(2v) + 1), no overflow for large |v|.

    Returns ``(tanh, mul, exp, add, div, sub)``, each operation counted where it runs.
    """
    nmul = nexp = nadd = ndiv = nsub = 0
    nmul += 1
    e = 2.0 * v
    nexp += 1
    e = math.exp(e)
    nadd += 1
    e = e + 1.0
    ndiv += 1
    e = 2.0 / e
    nsub += 1
    e = 1.0 - e
    return e, nmul, nexp, nadd, ndiv, nsub


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
            elif op == LEAKY_RELU:  # select(x > 0, x, a·x)
                nmul += 1
                m = slope * v
                ncmp += 1
                r = v if v > 0 else m
            elif op == SIGMOID:
                r, dneg, dexp, dadd, ddiv = sigmoid(v)
                nneg += dneg
                nexp += dexp
                nadd += dadd
                ndiv += ddiv
            elif op == TANH:
                r, dmul, dexp, dadd, ddiv, dsub = tanh(v)
                nmul += dmul
                nexp += dexp
                nadd += dadd
                ndiv += ddiv
                nsub += dsub
            else:  # SILU: x · sigmoid(x)
                s, dneg, dexp, dadd, ddiv = sigmoid(v)
                nneg += dneg
                nexp += dexp
                nadd += dadd
                ndiv += ddiv
                nmul += 1
                r = v * s
            y[i] = r
        counts[t, ADD] = nadd
        counts[t, SUB] = nsub
        counts[t, MUL] = nmul
        counts[t, DIV] = ndiv
        counts[t, NEG] = nneg
        counts[t, EXP] = nexp
        counts[t, CMP] = ncmp
    return counts
