"""Counted pointwise steps of the recurrent cells RNN (tanh or relu), GRU and LSTM.

The mat-vecs ``gi = W_ih·x + b_ih`` and ``gh = W_hh·h + b_hh`` (and an LSTM's projection
``W_hr·h``) are done by the counted GEMM (:func:`nnref.kernels._gemm.gemm_nt`), in
:func:`recurrent`, the time loop of one layer and direction; the step kernels take one
time step's ``gi`` and ``gh``, both of shape (B, G·H), and apply the gates. Each batch
row is a task with its own counter row. All four share the signature
``step(gi, gh, h, c, h_out)``: ``h`` is the previous hidden state (B, H), ``c`` the
LSTM cell state (B, H), updated in place (ignored by RNN and GRU), and ``h_out``
receives the new hidden state. Gate rows follow PyTorch: GRU (r, z, n), LSTM (i, f, g, o).
Counts: :mod:`nnref.formulas.recurrent`.
"""
import numpy as np

from ._numba import ADD, CMP, MUL, NKINDS, SUB, njit, prange
from ._gemm import BIAS_COL, BIAS_NONE, gemm_nt
from .activation import sigmoid, tanh


@njit(inline="always")
def _join(gi, gh, b, k, cnt):
    """Gate pre-activation ``gi[b, k] + gh[b, k]``, counting the add."""
    cnt[ADD] += 1
    return gi[b, k] + gh[b, k]


@njit(parallel=True)
def elman(gi, gh, h_out, relu):
    """h' = tanh(gi + gh), or max(gi + gh, 0) with ``relu`` (NaN passes, as in torch);
    return the counter table (one row per batch row)."""
    B, H = h_out.shape
    counts = np.zeros((max(B, 1), NKINDS), np.int64)
    for b in prange(B):
        cnt = counts[b]  # this task's counter row
        for j in range(H):
            v = _join(gi, gh, b, j, cnt)
            if relu:
                cnt[CMP] += 1
                h_out[b, j] = 0.0 if v < 0 else v
            else:
                h_out[b, j] = tanh(v, cnt)
    return counts


def rnn_step(gi, gh, h, c, h_out):
    """h' = tanh(gi + gh): :func:`elman`."""
    return elman(gi, gh, h_out, False)


def rnn_relu_step(gi, gh, h, c, h_out):
    """h' = max(gi + gh, 0): :func:`elman`."""
    return elman(gi, gh, h_out, True)


@njit(parallel=True)
def gru_step(gi, gh, h, c, h_out):
    """r, z = σ(gi + gh); n = tanh(gi_n + r·gh_n); h' = (1 − z)·n + z·h."""
    B, H = h_out.shape
    counts = np.zeros((max(B, 1), NKINDS), np.int64)
    for b in prange(B):
        cnt = counts[b]  # this task's counter row
        for j in range(H):
            r = sigmoid(_join(gi, gh, b, j, cnt), cnt)
            z = sigmoid(_join(gi, gh, b, H + j, cnt), cnt)
            cnt[MUL] += 1
            s = r * gh[b, 2 * H + j]
            cnt[ADD] += 1
            s = gi[b, 2 * H + j] + s
            n = tanh(s, cnt)
            cnt[SUB] += 1
            u = 1.0 - z
            cnt[MUL] += 1
            u = u * n
            cnt[MUL] += 1
            v = z * h[b, j]
            cnt[ADD] += 1
            h_out[b, j] = u + v
    return counts


@njit(parallel=True)
def lstm_step(gi, gh, h, c, h_out):
    """i, f, o = σ(gi + gh); g = tanh(gi + gh); c' = f·c + i·g; h' = o·tanh(c')."""
    B, H = h_out.shape
    counts = np.zeros((max(B, 1), NKINDS), np.int64)
    for b in prange(B):
        cnt = counts[b]  # this task's counter row
        for j in range(H):
            i = sigmoid(_join(gi, gh, b, j, cnt), cnt)
            f = sigmoid(_join(gi, gh, b, H + j, cnt), cnt)
            g = tanh(_join(gi, gh, b, 2 * H + j, cnt), cnt)
            o = sigmoid(_join(gi, gh, b, 3 * H + j, cnt), cnt)
            cnt[MUL] += 1
            u = f * c[b, j]
            cnt[MUL] += 1
            v = i * g
            cnt[ADD] += 1
            cj = u + v
            c[b, j] = cj
            t = tanh(c[b, j], cnt)
            cnt[MUL] += 1
            h_out[b, j] = o * t
    return counts


def recurrent(xs, w_ih, w_hh, b_ih, b_hh, h, c, cell, out, w_hr=None):
    """Run ``cell`` ("rnn", "rnn_relu", "gru" or "lstm") over time; return the counter table.

    ``xs`` (T, B, I); ``w_ih`` (G·H, I), ``w_hh`` (G·H, H_out), biases (G·H,) or both None;
    ``h`` (B, H_out) the initial hidden state, ``c`` (B, H) the LSTM cell state (updated in
    place); ``out`` (T, B, H_out) receives every step's hidden state. ``w_hr`` (P, H), LSTM
    only: each step's ``o ⊙ tanh(c')`` is projected by it (the counted GEMM, no bias) into
    ``out``, H_out = P. ``W_ih·x + b_ih`` is computed for all steps at once: the same
    products as step by step.
    """
    step = {"rnn": rnn_step, "rnn_relu": rnn_relu_step, "gru": gru_step, "lstm": lstm_step}[cell]
    T, B, I = xs.shape
    rows, dt = w_ih.shape[0], xs.dtype
    no_bias = np.zeros(0, dt)
    if b_ih is None:
        mode, b_ih, b_hh = BIAS_NONE, no_bias, no_bias
    else:
        mode = BIAS_COL
    gi = np.empty((T * B, rows), dt)
    tables = [gemm_nt(np.ascontiguousarray(xs).reshape(T * B, I), w_ih, b_ih, mode, gi)]
    gi = gi.reshape(T, B, rows)
    gh = np.empty((B, rows), dt)
    cell_h = out if w_hr is None else np.empty((T, B, w_hr.shape[1]), dt)
    for t in range(T):
        tables.append(gemm_nt(h, w_hh, b_hh, mode, gh))
        tables.append(step(gi[t], gh, h, c, cell_h[t]))
        if w_hr is not None:
            tables.append(gemm_nt(cell_h[t], w_hr, no_bias, BIAS_NONE, out[t]))
        h = out[t]
    return np.concatenate(tables)
