"""Counted elementwise activations: kernels with one branch per activation
(:func:`elementwise` chooses :func:`piecewise` or :func:`curved`; :func:`smooth`), and
PReLU's per-channel slope (:func:`prelu`).

Work is split into fixed chunks of ``CHUNK`` elements; each chunk is a task with its
own counter row. :func:`sigmoid` and :func:`tanh` are the counted scalar arithmetic
shared with the recurrent cells (:mod:`.recurrent`): like every helper, they add their
counts to the counter row of the task that calls them.

Counts: :func:`nnref.formulas.activation.activation`.
"""
import math

import numpy as np

from ._numba import ADD, CMP, DIV, EXP, MUL, NEG, NKINDS, SUB, njit, prange, record

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


@njit(inline="always")
def clamp(v, lo, hi, upper):
    """``(min(max(v, lo), hi), comparisons)``, the upper bound only if ``upper``, NaN
    passing through as in torch (NaN < lo and NaN > hi are false): branch-free selects,
    so that the loops around it vectorise. Also run by BatchNorm's kernel on each value
    it writes (:func:`.norm.batchnorm`), for the activation that follows it."""
    ncmp = 1
    r = lo if v < lo else v
    if upper:
        ncmp += 1
        r = hi if r > hi else r
    return r, ncmp


@njit(inline="always")
def _clamps(xs, ys, lo, hi, upper):
    """``ys[i] = clamp(xs[i], …)`` in a loop of its own; returns the comparisons."""
    ncmp = 0
    for i in range(xs.size):
        r, k = clamp(xs[i], lo, hi, upper)
        ncmp += k
        ys[i] = r
    return ncmp


@njit(inline="always")
def _leaky(xs, ys, a):
    """``ys[i] = select(x > 0, x, a·x)``; returns (products, comparisons)."""
    nmul = ncmp = 0
    for i in range(xs.size):
        v = xs[i]
        nmul += 1
        m = a * v
        ncmp += 1
        ys[i] = v if v > 0 else m
    return nmul, ncmp


def elementwise(x, y, op, a, b):
    """Apply activation ``op`` to the flat array ``x`` into ``y``; return the counter table.

    ``a`` and ``b`` are the op's constants: LeakyReLU's slope ``a``, Hardtanh's bounds.
    The piecewise-linear ones (ReLU, ReLU6, Hardtanh, LeakyReLU) run :func:`piecewise`,
    the others :func:`curved`: two kernels, so that a model compiles only those it uses.
    """
    kernel = piecewise if op in (RELU, RELU6, HARDTANH, LEAKY_RELU) else curved
    return kernel(x, y, op, a, b)


@njit(parallel=True)
def piecewise(x, y, op, a, b):
    """ReLU, ReLU6, Hardtanh or LeakyReLU (``op``) of the flat ``x`` into ``y``, each
    task a loop of its own (the choice of ``op`` made once per task, not per element),
    so that it vectorises. Returns the counter table."""
    ntask = (x.size + CHUNK - 1) // CHUNK
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    zero, six = x.dtype.type(0), x.dtype.type(6)
    for t in prange(ntask):
        row = counts[t]
        xs = x[t * CHUNK:(t + 1) * CHUNK]  # views from 0: LLVM sees indices >= 0 and vectorises
        ys = y[t * CHUNK:(t + 1) * CHUNK]
        if op == RELU:  # NaN < 0 is false, so NaN passes through as in torch
            row[CMP] += _clamps(xs, ys, zero, six, False)
        elif op == RELU6:  # min(max(x, 0), 6): both comparisons always run
            row[CMP] += _clamps(xs, ys, zero, six, True)
        elif op == HARDTANH:  # min(max(x, a), b): both comparisons always run
            row[CMP] += _clamps(xs, ys, a, b, True)
        else:  # LEAKY_RELU: select(x > 0, x, a·x)
            nmul, ncmp = _leaky(xs, ys, a)
            row[MUL] += nmul
            row[CMP] += ncmp
    return counts


@njit(parallel=True)
def curved(x, y, op, a, b):
    """Hardsigmoid, Hardswish, Sigmoid, Tanh or SiLU (``op``) of the flat ``x`` into
    ``y``. Returns the counter table."""
    ntask = (x.size + CHUNK - 1) // CHUNK
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        row = counts[t]
        xs = x[t * CHUNK:(t + 1) * CHUNK]
        ys = y[t * CHUNK:(t + 1) * CHUNK]
        if op == HARDSIGMOID or op == HARDSWISH:
            nadd, ncmp, nmul, ndiv = _hard(xs, ys, op == HARDSWISH)
            record(row, add=nadd, cmp=ncmp, mul=nmul, div=ndiv)
        else:
            _logistic(xs, ys, op, row)
    return counts


@njit(inline="always")
def _hard(xs, ys, swish):
    """Hardsigmoid relu6(x + 3) / 6, or Hardswish x · relu6(x + 3) / 6 if ``swish``, on one
    task's elements; returns (adds, comparisons, products, divisions)."""
    nadd = ncmp = nmul = ndiv = 0
    for i in range(xs.size):
        v = xs[i]
        nadd += 1
        r = v + 3.0
        ncmp += 1
        r = 0.0 if r < 0 else r
        ncmp += 1
        r = 6.0 if r > 6 else r
        if swish:
            nmul += 1
            r = v * r
        ndiv += 1
        ys[i] = r / 6.0
    return nadd, ncmp, nmul, ndiv


@njit(inline="always")
def _logistic(xs, ys, op, row):
    """Sigmoid, Tanh or SiLU (x · sigmoid(x)) on one task's elements."""
    nmul = 0
    for i in range(xs.size):
        v = xs[i]
        if op == SIGMOID:
            r = sigmoid(v, row)
        elif op == TANH:
            r = tanh(v, row)
        else:  # SILU
            s = sigmoid(v, row)
            nmul += 1
            r = v * s
        ys[i] = r
    row[MUL] += nmul


# -- GELU, ELU, Softplus, Mish; PReLU ---------------------------------------------------------

GELU, GELU_TANH, ELU, SOFTPLUS, MISH = range(10, 15)
SQRT1_2 = 0.7071067811865476  # 1/√2
SQRT_2_OVER_PI = 0.7978845608028654  # √(2/π)
KAPPA = 0.044715


@njit(parallel=True)
def smooth(x, y, op, a, b):
    """Apply ``op`` (GELU, GELU_TANH, ELU, SOFTPLUS, MISH) to the flat ``x`` into ``y``.

    ``a`` is ELU's α or Softplus' β, ``b`` Softplus' threshold. Where an activation
    selects between two expressions, both are computed and one is kept, so every element
    runs the same operations whatever its value. Returns the counter table.
    """
    n = x.size
    ntask = (n + CHUNK - 1) // CHUNK
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        row = counts[t]
        nadd = nsub = nmul = ndiv = nexp = ncmp = nerf = nlog = 0
        for i in range(t * CHUNK, min(n, (t + 1) * CHUNK)):
            v = x[i]
            if op == GELU:  # x·0.5·(1 + erf(x·(1/√2))), as torch writes it
                e = v * SQRT1_2
                nmul += 1
                e = math.erf(e)
                nerf += 1
                e = 1.0 + e
                nadd += 1
                h = v * 0.5
                nmul += 1
                r = h * e
                nmul += 1
            elif op == GELU_TANH:  # x·0.5·(1 + tanh(√(2/π)·(x + 0.044715·x·x·x)))
                c = v * v
                nmul += 1
                c = c * v
                nmul += 1
                c = KAPPA * c
                nmul += 1
                c = v + c
                nadd += 1
                c = SQRT_2_OVER_PI * c
                nmul += 1
                c = tanh(c, row)
                c = 1.0 + c
                nadd += 1
                h = v * 0.5
                nmul += 1
                r = h * c
                nmul += 1
            elif op == ELU:  # select(x > 0, x, α·(exp(x) − 1))
                e = math.exp(v)
                nexp += 1
                e = e - 1.0
                nsub += 1
                e = a * e
                nmul += 1
                ncmp += 1
                r = v if v > 0 else e
            elif op == SOFTPLUS:  # select(β·x > threshold, x, log(1 + exp(β·x)) / β)
                z = a * v
                nmul += 1
                e = math.exp(z)
                nexp += 1
                e = 1.0 + e
                nadd += 1
                e = math.log(e)
                nlog += 1
                e = e / a
                ndiv += 1
                ncmp += 1
                r = v if z > b else e
            else:  # MISH: x·tanh(log(1 + exp(x)))
                e = math.exp(v)
                nexp += 1
                e = 1.0 + e
                nadd += 1
                e = math.log(e)
                nlog += 1
                e = tanh(e, row)
                r = v * e
                nmul += 1
            y[i] = r
        record(row, add=nadd, sub=nsub, mul=nmul, div=ndiv, exp=nexp, cmp=ncmp, erf=nerf,
               log=nlog)
    return counts


@njit(parallel=True)
def prelu(x, y, weight, C, inner):
    """PReLU of the flat ``x`` into ``y``: element i has the slope ``weight[(i // inner) % C]``
    (C = 1: one slope for all). select(x > 0, x, a·x), a·x always computed. Returns the
    counter table."""
    n = x.size
    ntask = (n + CHUNK - 1) // CHUNK
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        nmul = ncmp = 0
        for i in range(t * CHUNK, min(n, (t + 1) * CHUNK)):
            v = x[i]
            m = weight[(i // inner) % C] * v
            nmul += 1
            ncmp += 1
            y[i] = v if v > 0 else m
        record(counts[t], mul=nmul, cmp=ncmp)
    return counts
