"""Traced reference of Softmax along ``layer.dim``.

Notes
-----
For each row of ``n`` traced values along ``dim``, as written:

    m = max_k x_k          (pairwise, from x_0)
    e_k = exp(x_k − m)
    s = Σ_k e_k            (from e_0)
    y_k = e_k / s

A NaN anywhere in a row makes the whole row NaN, as in torch.
Counts: :func:`nnref.formulas.softmax.softmax`.
"""
from __future__ import annotations

import numpy as np

from ._registry import traced
from ._scalar import Tally, exp, maximum, unwrap, wrap


def _row(row: list) -> list:
    m = row[0]
    for v in row[1:]:
        m = maximum(m, v)
    e = [exp(v - m) for v in row]
    s = e[0]
    for v in e[1:]:
        s = s + v
    return [v / s for v in e]


@traced("Softmax")
def softmax(layer, x):
    """Softmax of ``x`` along ``layer.dim``: ``(y, ops)`` with y of x's shape and dtype."""
    if x.ndim == 0:  # one row of one element, as in torch
        y, ops = softmax.__wrapped__(layer, x.reshape(1))
        return y.reshape(()), ops
    dim = layer.dim % x.ndim
    tally = Tally()
    t = np.moveaxis(wrap(x, tally), dim, -1)
    out = np.empty(t.shape, dtype=object)
    for idx in np.ndindex(t.shape[:-1]):
        for k, v in enumerate(_row(list(t[idx]))):
            out[idx + (k,)] = v
    return unwrap(np.moveaxis(out, -1, dim), x.dtype), tally.counts()
