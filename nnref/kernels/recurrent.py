"""Counted pointwise steps of the recurrent cells RNN (tanh), GRU and LSTM.

The mat-vecs ``gi = W_ih·x + b_ih`` and ``gh = W_hh·h + b_hh`` are done by the counted
GEMM (:func:`nnref.kernels.gemm.gemm_nt`); the kernels here take one time step's
``gi`` and ``gh``, both of shape (B, G·H), and apply the gates. Each batch row is a
task with its own counter row. All three share the signature
``step(gi, gh, h, c, h_out)``: ``h`` is the previous hidden state (B, H), ``c`` the
LSTM cell state (B, H), updated in place (ignored by RNN and GRU), and ``h_out``
receives the new hidden state. Gate rows follow PyTorch: GRU (r, z, n), LSTM (i, f, g, o).
"""
import numpy as np

from ._numba import ADD, DIV, EXP, MUL, NEG, NKINDS, SUB, njit, prange
from .activation import sigmoid, tanh


@njit(inline="always")
def _sigmoid(v, cnt):
    """:func:`.activation.sigmoid` of ``v``, its counts added to the task's counters ``cnt``."""
    r, nneg, nexp, nadd, ndiv = sigmoid(v)
    cnt[NEG] += nneg
    cnt[EXP] += nexp
    cnt[ADD] += nadd
    cnt[DIV] += ndiv
    return r


@njit(inline="always")
def _tanh(v, cnt):
    """:func:`.activation.tanh` of ``v``, its counts added to ``cnt``."""
    r, nmul, nexp, nadd, ndiv, nsub = tanh(v)
    cnt[MUL] += nmul
    cnt[EXP] += nexp
    cnt[ADD] += nadd
    cnt[DIV] += ndiv
    cnt[SUB] += nsub
    return r


@njit(inline="always")
def _join(gi, gh, b, k, cnt):
    """Gate pre-activation ``gi[b, k] + gh[b, k]``, counting the add."""
    cnt[ADD] += 1
    return gi[b, k] + gh[b, k]


@njit(parallel=True)
def rnn_step(gi, gh, h, c, h_out):
    """h' = tanh(gi + gh); return the counter table (one row per batch row)."""
    B, H = h_out.shape
    counts = np.zeros((max(B, 1), NKINDS), np.int64)
    for b in prange(B):
        cnt = np.zeros(NKINDS, np.int64)  # this task's counters
        for j in range(H):
            h_out[b, j] = _tanh(_join(gi, gh, b, j, cnt), cnt)
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
            r = _sigmoid(_join(gi, gh, b, j, cnt), cnt)
            z = _sigmoid(_join(gi, gh, b, H + j, cnt), cnt)
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
            i = _sigmoid(_join(gi, gh, b, j, cnt), cnt)
            f = _sigmoid(_join(gi, gh, b, H + j, cnt), cnt)
            g = _tanh(_join(gi, gh, b, 2 * H + j, cnt), cnt)
            o = _sigmoid(_join(gi, gh, b, 3 * H + j, cnt), cnt)
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
