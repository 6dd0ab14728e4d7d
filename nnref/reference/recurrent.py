"""Traced reference for RNN (tanh), GRU and LSTM: plain Python over traced scalars.

Written straight from the equations, one step and one batch row at a time, sharing no
code with the kernels. Every input value and the zero initial state are traced, so
each product and sum is recorded. Slow by design: use tiny shapes.
Counts: :mod:`nnref.formulas.recurrent`.
"""
from __future__ import annotations

import numpy as np

from ._registry import traced
from ._scalar import Tally, Traced, exp


def sigmoid(v: Traced) -> Traced:
    """σ(v) = 1 / (1 + exp(−v))."""
    return 1.0 / (1.0 + exp(-v))


def tanh(v: Traced) -> Traced:
    """tanh(v) = 1 − 2 / (exp(2v) + 1)."""
    return 1.0 - 2.0 / (exp(2.0 * v) + 1.0)


def matvec(w: list, v: list, b: list | None) -> list:
    """w·v (+ b): each row's first product starts the sum, the others are added."""
    out = []
    for r, row in enumerate(w):
        acc = row[0] * v[0]
        for k in range(1, len(v)):
            acc = acc + row[k] * v[k]
        out.append(acc + b[r] if b is not None else acc)
    return out


def rnn_cell(gi, gh, h, c, H):
    """h' = tanh(gi + gh)."""
    return [tanh(gi[j] + gh[j]) for j in range(H)], c


def gru_cell(gi, gh, h, c, H):
    """r, z = σ(gi + gh); n = tanh(gi_n + r ⊙ gh_n); h' = (1 − z) ⊙ n + z ⊙ h."""
    out = []
    for j in range(H):
        r = sigmoid(gi[j] + gh[j])
        z = sigmoid(gi[H + j] + gh[H + j])
        n = tanh(gi[2 * H + j] + r * gh[2 * H + j])
        out.append((1.0 - z) * n + z * h[j])
    return out, c


def lstm_cell(gi, gh, h, c, H):
    """a = gi + gh; c' = σ(a_f) ⊙ c + σ(a_i) ⊙ tanh(a_g); h' = σ(a_o) ⊙ tanh(c')."""
    a = [gi[k] + gh[k] for k in range(4 * H)]
    h_new, c_new = [], []
    for j in range(H):
        i, f = sigmoid(a[j]), sigmoid(a[H + j])
        g, o = tanh(a[2 * H + j]), sigmoid(a[3 * H + j])
        cj = f * c[j] + i * g
        c_new.append(cj)
        h_new.append(o * tanh(cj))
    return h_new, c_new


def _plain(layer, name, shape, dtype, present=True):
    """Parameter ``name`` (checked for ``shape``) as nested Python floats of ``dtype`` precision."""
    p = layer.param(name, shape, dtype, present)
    return None if p is None else p.tolist()


def run(layer, x: np.ndarray, cell):
    """Apply ``cell`` over time for every batch row; return (output, OpCounts)."""
    x = np.asarray(x)
    unbatched = x.ndim == 2
    xs = x[:, None] if unbatched else (x.transpose(1, 0, 2) if layer.batch_first else x)
    T, B, I = xs.shape
    H = layer.hidden_size
    rows, dt = layer.gates * H, x.dtype
    w_ih = _plain(layer, "weight_ih_l0", (rows, I), dt)
    w_hh = _plain(layer, "weight_hh_l0", (rows, H), dt)
    b_ih, b_hh = (_plain(layer, n, (rows,), dt, layer.bias) for n in ("bias_ih_l0", "bias_hh_l0"))
    tally = Tally()
    out = np.empty((T, B, H), dtype=x.dtype)
    for b in range(B):
        h = [Traced(0.0, tally) for _ in range(H)]
        c = [Traced(0.0, tally) for _ in range(H)]
        for t in range(T):
            xt = [Traced(v, tally) for v in xs[t, b].tolist()]
            gi = matvec(w_ih, xt, b_ih)
            gh = matvec(w_hh, h, b_hh)
            h, c = cell(gi, gh, h, c, H)
            out[t, b] = [v.value for v in h]
    y = out[:, 0] if unbatched else (out.transpose(1, 0, 2) if layer.batch_first else out)
    return np.ascontiguousarray(y), tally.counts()


@traced("RNN")
def rnn(layer, x):
    """An RNN layer over time, :func:`rnn_cell` at every step."""
    return run(layer, x, rnn_cell)


@traced("GRU")
def gru(layer, x):
    """A GRU layer over time, :func:`gru_cell` at every step."""
    return run(layer, x, gru_cell)


@traced("LSTM")
def lstm(layer, x):
    """An LSTM layer over time, :func:`lstm_cell` at every step."""
    return run(layer, x, lstm_cell)
