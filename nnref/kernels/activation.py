"""Counted elementwise activations: one kernel, one branch per activation.

Work is split into fixed chunks of ``CHUNK`` elements; each chunk is a task with its
own counter row. :func:`sigmoid` and :func:`tanh` are the counted scalar arithmetic
shared with the recurrent cells (:mod:`.recurrent`): like every helper, they add their
counts to the counter row of the task that calls them.

Counts: :func:`nnref.formulas.activation.activation`.
"""
import math

import numpy as np

from ._numba import ADD, CMP, DIV, EXP, MUL, NEG, NKINDS, SUB, njit, prange

RELU, RELU6, LEAKY_RELU, SIGMOID, TANH, SILU, HARDTANH, HARDSIGMOID, HARDSWISH = range(9)
CHUNK = 1 << 15


@njit(inline="always")
def sigmoid(v, row):
    """σ(v) = 1 / (1 + exp(−v)), each operation counted in the task's counter ``row``."""
    row[NEG] += 1
    e = -v
    row[EXP] += 1
    e = math.exp(e)
    row[ADD] += 1
    e = 1.0 + e
    row[DIV] += 1
    return 1.0 / e


@njit(inline="always")
def tanh(v, row):
    """tanh(v) = 1 − 2 / (exp(2v) + 1) (±1, not NaN, for large |v|), each operation
    counted in the task's counter ``row``."""
    row[MUL] += 1
    e = 2.0 * v
    row[EXP] += 1
    e = math.exp(e)
    row[ADD] += 1
    e = e + 1.0
    row[DIV] += 1
    e = 2.0 / e
    row[SUB] += 1
    return 1.0 - e


@njit(parallel=True)
def elementwise(x, y, op, a, b):
    """Apply activation ``op`` to the flat array ``x`` into ``y``; return the counter table.

    ``a`` and ``b`` are the op's constants: LeakyReLU's slope ``a``, Hardtanh's bounds.
    """
    ntask = (x.size + CHUNK - 1) // CHUNK
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        row = counts[t]
        nmul = ncmp = nadd = ndiv = 0
        xs = x[t * CHUNK:(t + 1) * CHUNK]  # views from 0: LLVM sees indices >= 0 and vectorises
        ys = y[t * CHUNK:(t + 1) * CHUNK]
        for i in range(xs.size):
            v = xs[i]
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
                m = a * v
                ncmp += 1
                r = v if v > 0 else m
            elif op == SIGMOID:
                r = sigmoid(v, row)
            elif op == TANH:
                r = tanh(v, row)
            elif op == SILU:  # x · sigmoid(x)
                s = sigmoid(v, row)
                nmul += 1
                r = v * s
            elif op == HARDTANH:  # min(max(x, a), b): both comparisons always run
                ncmp += 1
                r = a if v < a else v
                ncmp += 1
                r = b if r > b else r
            else:  # HARDSIGMOID relu6(x + 3) / 6, HARDSWISH x · relu6(x + 3) / 6
                nadd += 1
                r = v + 3.0
                ncmp += 1
                r = 0.0 if r < 0 else r
                ncmp += 1
                r = 6.0 if r > 6 else r
                if op == HARDSWISH:
                    nmul += 1
                    r = v * r
                ndiv += 1
                r = r / 6.0
            ys[i] = r
        row[MUL] += nmul
        row[CMP] += ncmp
        row[ADD] += nadd
        row[DIV] += ndiv
    return counts
