"""Traced reference for RNN (tanh or relu), GRU and LSTM: plain Python over traced scalars.

Written straight from the equations, one layer, direction, step and batch row at a time,
sharing no code with the kernels. Every input value and the zero initial state are
traced, so each product and sum is recorded. The reversed direction runs over the
reversed sequence; the next layer takes both directions' outputs, concatenated; an
LSTM with ``proj_size`` projects each hidden state by ``weight_hr``. Slow by design:
use tiny shapes. Counts: :mod:`nnref.formulas.recurrent`.
"""
from __future__ import annotations

import numpy as np

from ._registry import traced
from ._scalar import Tally, Traced, exp, maximum


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


def rnn_relu_cell(gi, gh, h, c, H):
    """h' = max(gi + gh, 0)."""
    return [maximum(gi[j] + gh[j], 0.0) for j in range(H)], c


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


def direction(layer, seq, names, cell, tally, dtype):
    """One layer in one direction over ``seq`` (T, B) of traced feature lists."""
    H = layer.hidden_size
    w_ih, w_hh, b_ih, b_hh, w_hr = (None if n is None else layer._param(n, dtype).tolist()
                                    for n in names)
    T, B = len(seq), len(seq[0])
    out = [[None] * B for _ in range(T)]
    for b in range(B):
        h = [Traced(0.0, tally) for _ in range(len(w_hh[0]))]
        c = [Traced(0.0, tally) for _ in range(H)]
        for t in range(T):
            gi = matvec(w_ih, seq[t][b], b_ih)
            gh = matvec(w_hh, h, b_hh)
            h, c = cell(gi, gh, h, c, H)
            if w_hr is not None:
                h = matvec(w_hr, h, None)
            out[t][b] = h
    return out


def run(layer, x: np.ndarray, cell):
    """Apply ``cell`` over time for every layer, direction and batch row; (output, OpCounts)."""
    x = np.asarray(x)
    unbatched = x.ndim == 2
    xs = x[:, None] if unbatched else (x.transpose(1, 0, 2) if layer.batch_first else x)
    tally = Tally()
    seq = [[[Traced(v, tally) for v in row] for row in step] for step in xs.tolist()]
    for k in range(layer.num_layers):
        outs = []
        for sfx in ("", "_reverse")[:layer.num_directions]:
            names = [f"weight_ih_l{k}{sfx}", f"weight_hh_l{k}{sfx}"]
            names += [f"{n}_l{k}{sfx}" if layer.bias else None for n in ("bias_ih", "bias_hh")]
            names.append(f"weight_hr_l{k}{sfx}" if getattr(layer, "proj_size", 0) else None)
            if sfx:  # the reversed sequence, and its outputs put back in time order
                outs.append(direction(layer, seq[::-1], names, cell, tally, x.dtype)[::-1])
            else:
                outs.append(direction(layer, seq, names, cell, tally, x.dtype))
        seq = [[sum((o[t][b] for o in outs), []) for b in range(len(seq[0]))]
               for t in range(len(seq))]
    out = np.array([[[v.value for v in row] for row in step] for step in seq], dtype=x.dtype)
    y = out[:, 0] if unbatched else (out.transpose(1, 0, 2) if layer.batch_first else out)
    return np.ascontiguousarray(y), tally.counts()


@traced("RNN")
def rnn(layer, x):
    """An RNN layer over time, :func:`rnn_cell` (or :func:`rnn_relu_cell`) at every step."""
    return run(layer, x, rnn_cell if layer.nonlinearity == "tanh" else rnn_relu_cell)


@traced("GRU")
def gru(layer, x):
    """A GRU layer over time, :func:`gru_cell` at every step."""
    return run(layer, x, gru_cell)


@traced("LSTM")
def lstm(layer, x):
    """An LSTM layer over time, :func:`lstm_cell` at every step."""
    return run(layer, x, lstm_cell)
