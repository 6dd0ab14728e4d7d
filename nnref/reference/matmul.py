"""Traced reference of MatMul, BatchMatMul, BAddBMM and FunctionalLinear, in plain Python.

Notes
-----
Written from torch's definitions, sharing no code with the kernels nor with
:mod:`nnref.core.shapes`: the leading axes are broadcast here by hand (aligned on the
right, a size-1 axis read again), a 1-D left operand is a row and a 1-D right operand a
column. Each output is the dot product ``a₀·b₀ + a₁·b₁ + …`` of traced scalars, its first
product starting the sum; baddbmm then computes ``beta·input + alpha·product``, skipping
a multiplication by 1 and, for beta = 0, the input. Counts: :mod:`nnref.formulas.matmul`.
"""
from __future__ import annotations

from itertools import product

import numpy as np

from ._registry import traced
from ._scalar import Tally, Traced


def _dot(tally, row, col):
    """``Σ_k row[k]·col[k]``, the first product starting the sum."""
    acc = None
    for u, v in zip(row, col):
        p = Traced(float(u), tally) * float(v)
        acc = p if acc is None else acc + p
    return acc


def _pick(lead: tuple, index: tuple) -> tuple:
    """The index into leading axes ``lead`` of output batch ``index``, broadcasting size 1."""
    off = len(index) - len(lead)
    return tuple(index[off + t] if size > 1 else 0 for t, size in enumerate(lead))


def _product(tally, a, b):
    """``a @ b`` as nested Traced values, with torch's 1-D and broadcasting rules."""
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    la, lb = a2.shape[:-2], b2.shape[:-2]
    n = max(len(la), len(lb))
    batch = tuple(max([s[len(s) - n + t] for s in (la, lb) if len(s) - n + t >= 0])
                  for t in range(n))
    m, k, p = a2.shape[-2], a2.shape[-1], b2.shape[-1]
    y = np.empty(batch + (m, p), dtype=object)
    for idx in product(*map(range, batch)):
        x1, x2 = a2[_pick(la, idx)], b2[_pick(lb, idx)]
        for i, j in product(range(m), range(p)):
            y[idx + (i, j)] = _dot(tally, x1[i], x2[:, j])
    if a.ndim == 1:  # the row's axis
        y = y[..., 0, :]
    return y[..., 0] if b.ndim == 1 else y  # the column's axis


def _values(y, dtype):
    return np.array([v.value for v in y.flat], dtype=dtype).reshape(y.shape)


@traced("MatMul", "BatchMatMul")
def matmul(layer, xs):
    """``(a @ b, ops)`` for the pair ``xs``."""
    tally = Tally()
    a, b = xs
    return _values(_product(tally, a, b), a.dtype), tally.counts()


@traced("BAddBMM")
def baddbmm(layer, xs):
    """``(beta·input + alpha·(batch1 @ batch2), ops)`` for the triple ``xs``."""
    tally = Tally()
    c, a, b = xs
    y = _product(tally, a, b)
    cb = np.broadcast_to(c, y.shape)
    for idx in np.ndindex(y.shape):
        v = y[idx] if layer.alpha == 1 else y[idx] * layer.alpha
        if layer.beta == 1:
            v = Traced(float(cb[idx]), tally) + v
        elif layer.beta != 0:
            v = Traced(float(cb[idx]), tally) * layer.beta + v
        y[idx] = v
    return _values(y, a.dtype), tally.counts()


@traced("FunctionalLinear")
def functional_linear(layer, xs):
    """``(input·weightᵀ + bias, ops)`` for ``xs = (input, weight[, bias])``."""
    tally = Tally()
    x, w, *b = xs
    w2 = w.reshape(-1, w.shape[-1])
    bias = b[0].reshape(-1) if b else None
    y = np.empty(x.shape[:-1] + (w2.shape[0],), dtype=object)
    for idx in np.ndindex(x.shape[:-1]):
        for o in range(w2.shape[0]):
            v = _dot(tally, x[idx], w2[o])
            y[idx + (o,)] = v if bias is None else v + float(bias[o])
    return _values(y.reshape(x.shape[:-1] + w.shape[:-1]), x.dtype), tally.counts()
