"""Traced reference of Softmax and LogSoftmax along ``layer.dim``.

Notes
-----
For each row of ``n`` traced values along ``dim``, as written:

    m = max_k x_k          (pairwise, from x_0)
    e_k = exp(x_k − m)
    s = Σ_k e_k            (from e_0)
    y_k = e_k / s

A NaN anywhere in a row makes the whole row NaN, as in torch.
Counts: :func:`nnref.formulas.softmax.softmax`. LogSoftmax: m as above, d_k = x_k − m,
s = Σ_k exp(d_k), y_k = d_k − log(s): :func:`nnref.formulas.softmax.log_softmax`.
"""
from __future__ import annotations

import numpy as np

from ._registry import traced
from ._scalar import Tally, exp, log, maximum, unwrap, wrap


def _sum(values: list):
    s = values[0]
    for v in values[1:]:
        s = s + v
    return s


def _max(values: list):
    m = values[0]
    for v in values[1:]:
        m = maximum(m, v)
    return m


def _row(row: list) -> list:
    m = _max(row)
    e = [exp(v - m) for v in row]
    s = _sum(e)
    return [v / s for v in e]


def _log_row(row: list) -> list:
    m = _max(row)
    d = [v - m for v in row]
    s = log(_sum([exp(v) for v in d]))
    return [v - s for v in d]


def _rows(layer, x, f):
    """``(y, ops)``: ``f`` applied to every row of ``x`` along ``layer.dim`` (0-d: one row)."""
    if x.ndim == 0:  # one row of one element, as in torch
        y, ops = _rows(layer, x.reshape(1), f)
        return y.reshape(()), ops
    dim = layer.dim % x.ndim
    tally = Tally()
    t = np.moveaxis(wrap(x, tally), dim, -1)
    out = np.empty(t.shape, dtype=object)
    for idx in np.ndindex(t.shape[:-1]):
        for k, v in enumerate(f(list(t[idx]))):
            out[idx + (k,)] = v
    return unwrap(np.moveaxis(out, -1, dim), x.dtype), tally.counts()


@traced("Softmax")
def softmax(layer, x):
    """Softmax of ``x`` along ``layer.dim``: ``(y, ops)`` with y of x's shape and dtype."""
    return _rows(layer, x, _row)


@traced("LogSoftmax")
def log_softmax(layer, x):
    """LogSoftmax of ``x`` along ``layer.dim``: ``(y, ops)`` with y of x's shape and dtype."""
    return _rows(layer, x, _log_row)
