"""Counted pointwise steps of the recurrent cells RNN (tanh), GRU and LSTM.

The mat-vecs ``gi = W_ih·x + b_ih`` and ``gh = W_hh·h + b_hh`` are done by the counted
GEMM (:func:`nnref.kernels.gemm.gemm_nt`); the kernels here take one time step's
``gi`` and ``gh``, both of shape (B, G·H), and apply the gates. Each batch row is a
task with its own counter row. All three share the signature
``step(gi, gh, h, c, h_out)``: ``h`` is the previous hidden state (B, H), ``c`` the
LSTM cell state (B, H), updated in place (ignored by RNN and GRU), and ``h_out``
receives the new hidden state. Gate rows follow PyTorch: GRU (r, z, n), LSTM (i, f, g, o).
"""
import math

import numpy as np

from ._numba import ADD, DIV, EXP, MUL, NEG, NKINDS, SUB, njit, prange


@njit
def _sigmoid(v, cnt):
    """1 / (1 + exp(−v)), counting into the task's counters ``cnt``: neg, exp, add, div."""
    cnt[NEG] += 1
    e = -v
    cnt[EXP] += 1
    e = math.exp(e)
    cnt[ADD] += 1
    e = 1.0 + e
    cnt[DIV] += 1
    return 1.0 / e


@njit
def _tanh(v, cnt):
    """1 − 2 / (exp(2v) + 1), counting into ``cnt``: mul, exp, add, div, sub."""
    cnt[MUL] += 1
    e = 2.0 * v
    cnt[EXP] += 1
    e = math.exp(e)
    cnt[ADD] += 1
    e = e + 1.0
    cnt[DIV] += 1
    e = 2.0 / e
    cnt[SUB] += 1
    return 1.0 - e


@njit(parallel=True)
def rnn_step(gi, gh, h, c, h_out):
    """h' = tanh(gi + gh); return the counter table (one row per batch row)."""
    B, H = h_out.shape
    counts = np.zeros((max(B, 1), NKINDS), np.int64)
    for b in prange(B):
        cnt = np.zeros(NKINDS, np.int64)  # this task's counters
        for j in range(H):
            cnt[ADD] += 1
            s = gi[b, j] + gh[b, j]
            h_out[b, j] = _tanh(s, cnt)
        counts[b] = cnt
    return counts


@njit(parallel=True)
def gru_step(gi, gh, h, c, h_out):
    """r, z = σ(gi + gh); n = tanh(gi_n + r·gh_n); h' = (1 − z)·n + z·h."""
    B, H = h_out.shape
    counts = np.zeros((max(B, 1), NKINDS), np.int64)
    for b in prange(B):
        cnt = np.zeros(NKINDS, np.int64)  # this task's counters
        for j in range(H):
            cnt[ADD] += 1
            s = gi[b, j] + gh[b, j]
            r = _sigmoid(s, cnt)
            cnt[ADD] += 1
            s = gi[b, H + j] + gh[b, H + j]
            z = _sigmoid(s, cnt)
            cnt[MUL] += 1
            s = r * gh[b, 2 * H + j]
            cnt[ADD] += 1
            s = gi[b, 2 * H + j] + s
            n = _tanh(s, cnt)
            cnt[SUB] += 1
            u = 1.0 - z
            cnt[MUL] += 1
            u = u * n
            cnt[MUL] += 1
            v = z * h[b, j]
            cnt[ADD] += 1
            h_out[b, j] = u + v
        counts[b] = cnt
    return counts


@njit(parallel=True)
def lstm_step(gi, gh, h, c, h_out):
    """i, f, o = σ(gi + gh); g = tanh(gi + gh); c' = f·c + i·g; h' = o·tanh(c')."""
    B, H = h_out.shape
    counts = np.zeros((max(B, 1), NKINDS), np.int64)
    for b in prange(B):
        cnt = np.zeros(NKINDS, np.int64)  # this task's counters
        for j in range(H):
            cnt[ADD] += 1
            s = gi[b, j] + gh[b, j]
            i = _sigmoid(s, cnt)
            cnt[ADD] += 1
            s = gi[b, H + j] + gh[b, H + j]
            f = _sigmoid(s, cnt)
            cnt[ADD] += 1
            s = gi[b, 2 * H + j] + gh[b, 2 * H + j]
            g = _tanh(s, cnt)
            cnt[ADD] += 1
            s = gi[b, 3 * H + j] + gh[b, 3 * H + j]
            o = _sigmoid(s, cnt)
            cnt[MUL] += 1
            u = f * c[b, j]
            cnt[MUL] += 1
            v = i * g
            cnt[ADD] += 1
            cj = u + v
            c[b, j] = cj
            t = _tanh(c[b, j], cnt)
            cnt[MUL] += 1
            h_out[b, j] = o * t
        counts[b] = cnt
    return counts
