"""Counted elementwise arithmetic: ``out = a ⊙ b`` for ⊙ in + − · /.

Each operand arrives flat, either of the output's length or of length 1 (a number, on
either side); the layer broadcasts tensors first. Work is split into fixed chunks of
``CHUNK`` elements; each chunk is a task with its own counter row. Division follows IEEE
(x / 0 is ±inf or NaN), as in torch, so the kernel uses numba's NumPy error model.
Counts: :func:`nnref.formulas.elementwise.binary`.
"""
import numpy as np

from ._numba import ADD as NADD
from ._numba import DIV as NDIV
from ._numba import MUL as NMUL
from ._numba import NKINDS
from ._numba import SUB as NSUB
from ._numba import njit, prange

ADD, SUB, MUL, DIV = range(4)
CHUNK = 1 << 15


@njit(inline="always")
def _apply(ot, at, bt, op, sa, sb):
    """``ot[i] = at[i·sa] ⊙ bt[i·sb]`` for every i; returns the number of operations.
    The branch on ``op`` is outside the loop; called with the literal strides of two
    tensors (1, 1), each loop vectorises."""
    n = 0
    if op == ADD:
        for i in range(ot.size):
            ot[i] = at[i * sa] + bt[i * sb]
            n += 1
    elif op == SUB:
        for i in range(ot.size):
            ot[i] = at[i * sa] - bt[i * sb]
            n += 1
    elif op == MUL:
        for i in range(ot.size):
            ot[i] = at[i * sa] * bt[i * sb]
            n += 1
    else:
        for i in range(ot.size):
            ot[i] = at[i * sa] / bt[i * sb]
            n += 1
    return n


@njit(parallel=True, error_model="numpy")
def binary(a, b, out, op):
    """Fill the flat ``out`` with ``a ⊙ b``, ⊙ given by ``op``; an operand of length 1 is
    read for every element. Return the counter table."""
    n = out.size
    sa = 1 if a.size > 1 else 0
    sb = 1 if b.size > 1 else 0
    ntask = (n + CHUNK - 1) // CHUNK
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    kind = NADD if op == ADD else NSUB if op == SUB else NMUL if op == MUL else NDIV
    for t in prange(ntask):
        lo, hi = t * CHUNK, (t + 1) * CHUNK
        ot = out[lo:hi]  # views from 0: LLVM sees indices >= 0 and vectorises
        at = a[lo:hi] if sa else a[0:1]
        bt = b[lo:hi] if sb else b[0:1]
        if sa and sb:  # two tensors: literal strides, so that the loop vectorises
            k = _apply(ot, at, bt, op, 1, 1)
        else:  # a number on one side (or both)
            k = _apply(ot, at, bt, op, sa, sb)
        counts[t, kind] = k
    return counts
