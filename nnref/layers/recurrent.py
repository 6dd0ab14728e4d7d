"""Recurrent layers RNN (tanh or relu), GRU and LSTM: torch's arguments, layouts and names.

``num_layers`` stacked layers, each in one or two directions (``bidirectional``), the
output of every layer (both directions concatenated) the input of the next; LSTM with
``proj_size`` projects each hidden state by ``weight_hr``. ``dropout`` is torch's between
layers, which eval mode, and so nnref, does not apply.

Input is (T, B, I), (B, T, I) with ``batch_first=True``, or unbatched (T, I). ``layer(x)``
returns torch's ``output``, the last layer's hidden state of every step, of shape
(T, B, D·H_out) (or (B, T, D·H_out), (T, D·H_out)), D = 2 if bidirectional else 1 and
H_out = ``proj_size`` or ``hidden_size``; :meth:`forward_state` also returns the final
state(s) of every layer and direction.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import check_array, check_bool, check_float, check_int, check_str, make_rng
from .base import Layer, uniform_init


class _Recurrent(Layer):
    """Shared parameters, shapes and the loop over layers and directions.

    Parameters
    ----------
    input_size : int
        Features per step, I.
    hidden_size : int
        Features of the hidden state, H.
    num_layers : int
        Stacked layers; layer l > 0 takes the D·H_out outputs of layer l − 1.
    bias : bool
        Whether every layer has ``bias_ih_l{l}`` and ``bias_hh_l{l}``.
    batch_first : bool
        Batched input and output are (B, T, ·) instead of (T, B, ·).
    dropout : float in [0, 1]
        torch's dropout between layers in training; not applied (inference), counts 0.
    bidirectional : bool
        Every layer also runs over the reversed sequence (parameters ``..._reverse``).
    rng : None, int or numpy Generator
        Source of the initial weights, all U(−1/√H, 1/√H) as in torch.

    Attributes
    ----------
    weight_ih_l{l}{_reverse} : ndarray of shape (G·H, I) for l = 0, (G·H, D·H_out) after
    weight_hh_l{l}{_reverse} : ndarray of shape (G·H, H_out)
    bias_ih_l{l}{_reverse}, bias_hh_l{l}{_reverse} : ndarray of shape (G·H,) or None
        G is the number of gates: 1 (RNN), 3 (GRU), 4 (LSTM), stacked in torch's order.
    """

    gates = 1
    cell = ""  # the cell of nnref.kernels.recurrent.recurrent: "rnn", "gru" or "lstm"
    has_cell = False  # LSTM: forward_state also returns c_n

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 *, rng=None, proj_size: int = 0):
        super().__init__()
        k = self.kind
        self.input_size = check_int(input_size, "input_size", k)
        self.hidden_size = check_int(hidden_size, "hidden_size", k)
        self.num_layers = check_int(num_layers, "num_layers", k)
        self.bias = check_bool(bias, "bias", k)
        self.batch_first = check_bool(batch_first, "batch_first", k)
        self.dropout = check_float(dropout, "dropout", k)
        if not 0 <= self.dropout <= 1:
            raise ValueError(f"{k}: dropout={dropout!r} is invalid; expected a probability in [0, 1]")
        if self.dropout > 0 and self.num_layers == 1:
            warnings.warn(f"{k}: dropout={dropout!r} with num_layers=1 does nothing (torch's "
                          "dropout is between layers)", UserWarning, stacklevel=3)
        self.bidirectional = check_bool(bidirectional, "bidirectional", k)
        self.proj_size = check_int(proj_size, "proj_size", k, minimum=0)
        if self.proj_size >= self.hidden_size:
            raise ValueError(f"{k}: proj_size={proj_size!r} is invalid with hidden_size="
                             f"{self.hidden_size}; expected a projection smaller than it")
        rng = make_rng(rng)
        names = []
        for name, shape in self._shapes():
            names.append(name)
            setattr(self, name, uniform_init(rng, shape, self.hidden_size))
        self.param_names = tuple(names)

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def output_size(self) -> int:
        """H_out: ``proj_size`` if nonzero, else ``hidden_size``."""
        return self.proj_size or self.hidden_size

    def layer_input_size(self, layer: int) -> int:
        """The input features of layer ``layer``: I, then D·H_out."""
        return self.input_size if layer == 0 else self.num_directions * self.output_size

    def _shapes(self):
        """``(name, shape)`` of every parameter, in torch's order."""
        rows, h, p = self.gates * self.hidden_size, self.hidden_size, self.output_size
        for layer in range(self.num_layers):
            for sfx in ("", "_reverse")[:self.num_directions]:
                yield f"weight_ih_l{layer}{sfx}", (rows, self.layer_input_size(layer))
                yield f"weight_hh_l{layer}{sfx}", (rows, p)
                if self.bias:
                    yield f"bias_ih_l{layer}{sfx}", (rows,)
                    yield f"bias_hh_l{layer}{sfx}", (rows,)
                if self.proj_size:
                    yield f"weight_hr_l{layer}{sfx}", (self.proj_size, h)

    def extra_repr(self):
        defaults = (("num_layers", 1), ("nonlinearity", "tanh"), ("bias", True),
                    ("batch_first", False), ("dropout", 0.0), ("bidirectional", False),
                    ("proj_size", 0))
        return f"{self.input_size}, {self.hidden_size}" + self._changed(
            [d for d in defaults if hasattr(self, d[0])])

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        if len(shape) not in (2, 3) or shape[-1] != self.input_size:
            batched = "(B, T, input_size)" if self.batch_first else "(T, B, input_size)"
            raise ValueError(f"{self.kind}: input has shape {shape} ({len(shape)}-D); expected "
                             f"{batched} or (T, input_size) with input_size={self.input_size}")
        return shape[:-1] + (self.num_directions * self.output_size,)

    def forward(self, x):
        (y, *_), ops = self._run(x, None, None)
        return y, ops

    def forward_state(self, x, h0=None):
        """Run the layer from state ``h0`` (zeros if None).

        Parameters
        ----------
        x : ndarray of shape (T, B, I), (B, T, I) if batch_first, or (T, I)
        h0 : ndarray of shape (D·num_layers, B, H_out) ((D·num_layers, H_out) unbatched) or None

        Returns
        -------
        (output, h_n) : ndarrays of shapes (T, B, D·H_out) and (D·num_layers, B, H_out)
        ops : OpCounts
        """
        return self._run(x, h0, None)

    # -- the loop over layers, directions and time ---------------------------------------
    def _state(self, v, name, width, batch, unbatched, dtype):
        """Initial state ``v`` (zeros if None) checked, as (D·L, B, width) of ``dtype``."""
        lead = self.num_directions * self.num_layers
        shape = (lead, width) if unbatched else (lead, batch, width)
        if v is None:
            return np.zeros((lead, batch, width), dtype)
        v = check_array(v, self.kind, name)
        if v.shape != shape:
            raise ValueError(f"{self.kind}: {name} has shape {v.shape}; expected {shape}")
        return np.array(v, dtype=dtype).reshape(lead, batch, width)  # a copy: updated in place

    def _run(self, x, h0, c0):
        from ..kernels.recurrent import recurrent

        x = check_array(x, self.kind)
        self.output_shape(x.shape)
        dt = x.dtype
        unbatched = x.ndim == 2
        xs = x[:, None] if unbatched else (x.transpose(1, 0, 2) if self.batch_first else x)
        T, B, _ = xs.shape
        h = self._state(h0, "h0", self.output_size, B, unbatched, dt)
        c = self._state(c0, "c0", self.hidden_size, B, unbatched, dt)
        tables, seq = [], np.ascontiguousarray(xs)
        for layer in range(self.num_layers):
            outs = []
            for d, sfx in enumerate(("", "_reverse")[:self.num_directions]):
                k = layer * self.num_directions + d
                out = np.empty((T, B, self.output_size), dt)
                weights = [self._param(f"{n}_l{layer}{sfx}", dt) for n in
                           ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")]
                inp = seq if d == 0 else np.ascontiguousarray(seq[::-1])
                hk, ck = np.ascontiguousarray(h[k]), np.ascontiguousarray(c[k])
                tables.append(recurrent(inp, *weights[:4], hk, ck, self.cell, out, weights[4]))
                h[k], c[k] = out[-1], ck
                outs.append(out if d == 0 else out[::-1])
            seq = np.ascontiguousarray(np.concatenate(outs, axis=2) if len(outs) > 1 else outs[0])
        ops = OpCounts.from_rows(np.concatenate(tables))
        y = seq[:, 0] if unbatched else (seq.transpose(1, 0, 2) if self.batch_first else seq)
        states = (np.ascontiguousarray(y),) + tuple(s[:, 0].copy() if unbatched else s
                                                    for s in (h, c))
        return states if self.has_cell else states[:2], ops

    def _param(self, name, dtype):
        """Parameter ``name`` checked and cast, or None if the layer has no such parameter."""
        shapes = dict(self._shapes())
        if name not in shapes:
            return None
        return self.param(name, shapes[name], dtype)


class RNN(_Recurrent):
    """Elman RNN: h' = tanh(W_ih·x + b_ih + W_hh·h + b_hh), or relu with ``nonlinearity="relu"``.

    torch's order: ``RNN(input_size, hidden_size, num_layers=1, nonlinearity="tanh",
    bias=True, batch_first=False, dropout=0.0, bidirectional=False)``; the other arguments
    as :class:`GRU`.

    Notes
    -----
    tanh(v) is computed as 1 − 2 / (exp(2v) + 1), relu(v) as max(v, 0).
    Counts: :func:`nnref.formulas.recurrent.rnn`.
    """

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, *, rng=None):
        self.nonlinearity = check_str(nonlinearity, "nonlinearity", type(self).__name__,
                                      ("tanh", "relu"))
        self.cell = "rnn" if self.nonlinearity == "tanh" else "rnn_relu"
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, rng=rng)


class GRU(_Recurrent):
    """Gated recurrent unit, PyTorch's equations, gate rows (r, z, n).

    Parameters as :class:`_Recurrent`, in torch's order: ``GRU(input_size, hidden_size,
    num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False)``.

    Notes
    -----
    With gi = W_ih·x + b_ih and gh = W_hh·h + b_hh (3H rows each),

        r = σ(gi_r + gh_r),  z = σ(gi_z + gh_z),  n = tanh(gi_n + r ⊙ gh_n),
        h' = (1 − z) ⊙ n + z ⊙ h,

    with σ(v) = 1 / (1 + exp(−v)). Counts: :func:`nnref.formulas.recurrent.gru`.
    """

    gates = 3
    cell = "gru"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 *, rng=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, rng=rng)


class LSTM(_Recurrent):
    """Long short-term memory, PyTorch's equations, gate rows (i, f, g, o).

    Parameters as :class:`GRU`, then ``proj_size`` (torch's order), an int in
    [0, hidden_size): with ``proj_size`` > 0 each hidden state is projected,
    h' = W_hr·(o ⊙ tanh(c')), with ``weight_hr_l{l}`` of shape (proj_size, H).

    Notes
    -----
    With a = (W_ih·x + b_ih) + (W_hh·h + b_hh) (4H rows),

        i, f, o = σ(a_i), σ(a_f), σ(a_o),  g = tanh(a_g),
        c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')  (then W_hr·h' with a projection).

    Counts: :func:`nnref.formulas.recurrent.lstm`.
    """

    gates = 4
    cell = "lstm"
    has_cell = True

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, *, rng=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, rng=rng, proj_size=proj_size)

    def forward_state(self, x, h0=None, c0=None):
        """Run the layer from states ``h0`` and ``c0`` (zeros if None).

        Parameters
        ----------
        x : ndarray of shape (T, B, I), (B, T, I) if batch_first, or (T, I)
        h0 : ndarray of shape (D·num_layers, B, H_out) or None
        c0 : ndarray of shape (D·num_layers, B, H) or None
            (without the B axis for unbatched x)

        Returns
        -------
        (output, h_n, c_n) : ndarrays of shapes (T, B, D·H_out), (D·L, B, H_out), (D·L, B, H)
        ops : OpCounts
        """
        return self._run(x, h0, c0)
