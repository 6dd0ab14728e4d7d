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


@njit(parallel=True, error_model="numpy")
def binary(a, b, out, op):
    """Fill the flat ``out`` with ``a ⊙ b``, ⊙ given by ``op``; an operand of length 1 is
    read for every element. Return the counter table."""
    n = out.size
    sa = 1 if a.size > 1 else 0
    sb = 1 if b.size > 1 else 0
    ntask = (n + CHUNK - 1) // CHUNK
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        nadd = nsub = nmul = ndiv = 0
        lo, hi = t * CHUNK, (t + 1) * CHUNK
        ot = out[lo:hi]  # views from 0: LLVM sees indices >= 0 and vectorises
        at = a[lo:hi] if sa else a[0:1]
        bt = b[lo:hi] if sb else b[0:1]
        for i in range(ot.size):
            u = at[i * sa]
            v = bt[i * sb]
            if op == ADD:
                ot[i] = u + v
                nadd += 1
            elif op == SUB:
                ot[i] = u - v
                nsub += 1
            elif op == MUL:
                ot[i] = u * v
                nmul += 1
            else:
                ot[i] = u / v
                ndiv += 1
        counts[t, NADD] = nadd
        counts[t, NSUB] = nsub
        counts[t, NMUL] = nmul
        counts[t, NDIV] = ndiv
    return counts
