"""Recurrent layers RNN (tanh), GRU and LSTM: one layer, one direction, PyTorch layouts.

Input is (T, B, I), (B, T, I) with ``batch_first=True``, or unbatched (T, I). ``layer(x)``
returns torch's ``output``, the hidden state of every step, of shape (T, B, H) (or
(B, T, H), (T, H)); :meth:`forward_state` also returns the final state(s).
"""
from __future__ import annotations

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import check_array, check_bool, check_int, make_rng
from .base import Layer, uniform_init


class _Recurrent(Layer):
    """Shared parameters and shapes. Subclasses set ``gates`` and ``cell``.

    Parameters
    ----------
    input_size : int
        Features per step, I.
    hidden_size : int
        Features of the hidden state, H.
    bias : bool
        Whether the layer has ``bias_ih_l0`` and ``bias_hh_l0``.
    batch_first : bool
        Batched input and output are (B, T, ·) instead of (T, B, ·).
    rng : None, int or numpy Generator
        Source of the initial weights, all U(−1/√H, 1/√H) as in torch.

    Attributes
    ----------
    weight_ih_l0 : ndarray of shape (G·H, I)
    weight_hh_l0 : ndarray of shape (G·H, H)
    bias_ih_l0, bias_hh_l0 : ndarray of shape (G·H,) or None
        G is the number of gates: 1 (RNN), 3 (GRU), 4 (LSTM), stacked in torch's order.
    """

    gates = 1
    cell = ""  # the cell of nnref.kernels.recurrent.recurrent: "rnn", "gru" or "lstm"
    has_cell = False  # LSTM: forward_state also returns c_n
    param_names = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 batch_first: bool = False, *, rng=None):
        super().__init__()
        k = self.kind
        self.input_size = check_int(input_size, "input_size", k)
        self.hidden_size = check_int(hidden_size, "hidden_size", k)
        self.bias = check_bool(bias, "bias", k)
        self.batch_first = check_bool(batch_first, "batch_first", k)
        rng = make_rng(rng)
        rows, H = self.gates * self.hidden_size, self.hidden_size
        self.weight_ih_l0 = uniform_init(rng, (rows, self.input_size), H)
        self.weight_hh_l0 = uniform_init(rng, (rows, H), H)
        self.bias_ih_l0 = uniform_init(rng, (rows,), H) if self.bias else None
        self.bias_hh_l0 = uniform_init(rng, (rows,), H) if self.bias else None

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        return s

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        if len(shape) not in (2, 3) or shape[-1] != self.input_size:
            batched = "(B, T, input_size)" if self.batch_first else "(T, B, input_size)"
            raise ValueError(f"{self.kind}: input has shape {shape} ({len(shape)}-D); expected "
                             f"{batched} or (T, input_size) with input_size={self.input_size}")
        return shape[:-1] + (self.hidden_size,)

    def forward(self, x):
        (y, *_), ops = self._run(x, None, None)
        return y, ops

    def forward_state(self, x, h0=None):
        """Run the layer from state ``h0`` (zeros if None).

        Parameters
        ----------
        x : ndarray of shape (T, B, I), (B, T, I) if batch_first, or (T, I)
        h0 : ndarray of shape (1, B, H) ((1, H) for unbatched x) or None

        Returns
        -------
        (output, h_n) : ndarrays of shapes (T, B, H) and (1, B, H), x's dtype
        ops : OpCounts
        """
        return self._run(x, h0, None)

    # -- the time loop ------------------------------------------------------------
    def _state(self, v, name, shape, dtype):
        """Initial state ``v`` (zeros if None) checked for ``shape``, as (B, H) of ``dtype``."""
        if v is None:
            return np.zeros(shape, dtype).reshape(-1, shape[-1])
        v = check_array(v, self.kind, name)
        if v.shape != shape:
            raise ValueError(f"{self.kind}: {name} has shape {v.shape}; expected {shape}")
        return np.array(v, dtype=dtype).reshape(-1, shape[-1])  # a copy: c is updated in place

    def _run(self, x, h0, c0):
        from ..kernels.recurrent import recurrent

        x = check_array(x, self.kind)
        self.output_shape(x.shape)
        dt = x.dtype
        unbatched = x.ndim == 2
        xs = x[:, None] if unbatched else (x.transpose(1, 0, 2) if self.batch_first else x)
        T, B, I = xs.shape
        H, rows = self.hidden_size, self.gates * self.hidden_size
        state_shape = (1, H) if unbatched else (1, B, H)
        h = self._state(h0, "h0", state_shape, dt)
        c = self._state(c0, "c0", state_shape, dt)
        weights = (self.param("weight_ih_l0", (rows, I), dt), self.param("weight_hh_l0", (rows, H), dt),
                   self.param("bias_ih_l0", (rows,), dt, present=self.bias),
                   self.param("bias_hh_l0", (rows,), dt, present=self.bias))
        out = np.empty((T, B, H), dt)
        ops = OpCounts.from_rows(recurrent(xs, *weights, h, c, self.cell, out))
        y = out[:, 0] if unbatched else (out.transpose(1, 0, 2) if self.batch_first else out)
        states = (np.ascontiguousarray(y), out[-1].reshape(state_shape).copy(), c.reshape(state_shape))
        return states if self.has_cell else states[:2], ops


class RNN(_Recurrent):
    """Elman RNN with tanh: h' = tanh(W_ih·x + b_ih + W_hh·h + b_hh).

    Notes
    -----
    tanh(v) is computed as 1 − 2 / (exp(2v) + 1).
    Counts: :func:`nnref.formulas.recurrent.rnn`.
    """

    gates = 1
    cell = "rnn"


class GRU(_Recurrent):
    """Gated recurrent unit, PyTorch's equations, gate rows (r, z, n).

    Notes
    -----
    With gi = W_ih·x + b_ih and gh = W_hh·h + b_hh (3H rows each),

        r = σ(gi_r + gh_r),  z = σ(gi_z + gh_z),  n = tanh(gi_n + r ⊙ gh_n),
        h' = (1 − z) ⊙ n + z ⊙ h,

    with σ(v) = 1 / (1 + exp(−v)). Counts: :func:`nnref.formulas.recurrent.gru`.
    """

    gates = 3
    cell = "gru"


class LSTM(_Recurrent):
    """Long short-term memory, PyTorch's equations, gate rows (i, f, g, o).

    Notes
    -----
    With a = (W_ih·x + b_ih) + (W_hh·h + b_hh) (4H rows),

        i, f, o = σ(a_i), σ(a_f), σ(a_o),  g = tanh(a_g),
        c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c').

    Counts: :func:`nnref.formulas.recurrent.lstm`.
    """

    gates = 4
    cell = "lstm"
    has_cell = True

    def forward_state(self, x, h0=None, c0=None):
        """Run the layer from states ``h0`` and ``c0`` (zeros if None).

        Parameters
        ----------
        x : ndarray of shape (T, B, I), (B, T, I) if batch_first, or (T, I)
        h0, c0 : ndarray of shape (1, B, H) ((1, H) for unbatched x) or None

        Returns
        -------
        (output, h_n, c_n) : ndarrays of shapes (T, B, H), (1, B, H), (1, B, H)
        ops : OpCounts
        """
        return self._run(x, h0, c0)
