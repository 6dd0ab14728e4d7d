"""Closed forms for the recurrent layers RNN (tanh), GRU and LSTM.

Every count is (per time step, per batch row) × T × B, with T and B read from an input
of shape (T, B, I), (B, T, I) with ``batch_first``, or (T, I) with B = 1. PyTorch's
equations run as written: the recurrent mat-vec is computed at every step, also with
h0 = 0 (and c0 = 0) at the first, so the counts do not depend on the initial state.

Notes
-----
A mat-vec ``W·v + b`` with R rows and C columns costs mul R·C and add R·(C − 1) (the
first product of each row initialises its sum), plus add R for the bias. A layer with G
gate blocks (G = 1, 3, 4) does two per step and row: ``gi = W_ih·x + b_ih`` (G·H rows, I
columns) and ``gh = W_hh·h + b_hh`` (G·H rows, H columns). Without bias both bias terms
drop out; the joins ``gi + gh`` remain.

σ and tanh cost, per element, what the Sigmoid and Tanh activations cost
(:func:`.activation.activation`):

    σ(v) = 1 / (1 + exp(−v))           neg 1, exp 1, add 1, div 1
    tanh(v) = 1 − 2 / (exp(2v) + 1)    mul 1, exp 1, add 1, div 1, sub 1

The gate arithmetic of each layer is in the Notes of :func:`rnn`, :func:`gru` and
:func:`lstm`.
"""
from ..core.opcounts import OpCounts
from ..core.validate import check_bool
from ._registry import formula, ints
from .activation import PER_ELEMENT

#: One σ and one tanh element (see the module's Notes).
SIGMOID = PER_ELEMENT["Sigmoid"]
TANH = PER_ELEMENT["Tanh"]


def _matvecs(rows: int, i: int, h: int, bias: bool) -> OpCounts:
    """The mat-vecs gi = W_ih·x (+ b_ih) and gh = W_hh·h (+ b_hh) of one step and batch row,
    ``rows`` outputs each (see the module's Notes)."""
    adds = rows * (i - 1) + rows * (h - 1) + (2 * rows if bias else 0)
    return OpCounts(mul=rows * i + rows * h, add=adds)


def _args(owner, input_size, hidden_size, seq_len, batch, bias) -> tuple:
    """The arguments of :func:`rnn`, :func:`gru`, :func:`lstm` checked, as Python values."""
    return (*ints(owner, input_size=input_size, hidden_size=hidden_size, seq_len=seq_len,
                  batch=batch), check_bool(bias, "bias", owner))


def rnn(input_size: int, hidden_size: int, seq_len: int, batch: int, bias: bool = True) -> OpCounts:
    """Counts of an RNN (tanh) layer over ``seq_len`` steps of ``batch`` rows.

    Notes
    -----
    Per step and batch row, with I = input_size and H = hidden_size,

        gi = W_ih·x + b_ih, gh = W_hh·h + b_hh    mul H·I + H·H,
                                                  add H·(I − 1) + H·(H − 1) (+ 2H with bias)
        h' = tanh(gi + gh)                        add H, then H tanh
    """
    i, h, t, b, bias = _args("rnn", input_size, hidden_size, seq_len, batch, bias)
    step = _matvecs(h, i, h, bias) + OpCounts(add=h) + TANH * h
    return step * (t * b)


def gru(input_size: int, hidden_size: int, seq_len: int, batch: int, bias: bool = True) -> OpCounts:
    """Counts of a GRU layer over ``seq_len`` steps of ``batch`` rows.

    Notes
    -----
    Per step and batch row, with I = input_size, H = hidden_size and gate rows (r, z, n),

        gi = W_ih·x + b_ih, gh = W_hh·h + b_hh    mul 3H·I + 3H·H,
                                                  add 3H·(I − 1) + 3H·(H − 1) (+ 6H with bias)
        r = σ(gi_r + gh_r)                        add H, H σ
        z = σ(gi_z + gh_z)                        add H, H σ
        n = tanh(gi_n + r ⊙ gh_n)                 mul H, add H, H tanh
        h' = (1 − z) ⊙ n + z ⊙ h                  sub H, mul 2H, add H

    ``gh_n`` includes ``b_hn``, inside the reset gate's product, as in PyTorch.
    """
    i, h, t, b, bias = _args("gru", input_size, hidden_size, seq_len, batch, bias)
    gates = OpCounts(add=2 * h) + SIGMOID * (2 * h) + OpCounts(mul=h, add=h) + TANH * h
    update = OpCounts(sub=h, mul=2 * h, add=h)
    step = _matvecs(3 * h, i, h, bias) + gates + update
    return step * (t * b)


def lstm(input_size: int, hidden_size: int, seq_len: int, batch: int, bias: bool = True) -> OpCounts:
    """Counts of an LSTM layer over ``seq_len`` steps of ``batch`` rows.

    Notes
    -----
    Per step and batch row, with I = input_size, H = hidden_size and gate rows
    (i, f, g, o),

        gi = W_ih·x + b_ih, gh = W_hh·h + b_hh    mul 4H·I + 4H·H,
                                                  add 4H·(I − 1) + 4H·(H − 1) (+ 8H with bias)
        a = gi + gh                               add 4H
        i, f, o = σ(a_i), σ(a_f), σ(a_o)          3H σ
        g = tanh(a_g)                             H tanh
        c' = f ⊙ c + i ⊙ g                        mul 2H, add H
        h' = o ⊙ tanh(c')                         H tanh, mul H
    """
    i, h, t, b, bias = _args("lstm", input_size, hidden_size, seq_len, batch, bias)
    gates = OpCounts(add=4 * h) + SIGMOID * (3 * h) + TANH * h
    state = OpCounts(mul=2 * h, add=h) + TANH * h + OpCounts(mul=h)
    step = _matvecs(4 * h, i, h, bias) + gates + state
    return step * (t * b)


def _seq_batch(layer, shape) -> tuple:
    """(T, B) of an input of shape (T, B, I), (B, T, I) with batch_first, or (T, I)."""
    if len(shape) == 2:
        return shape[0], 1
    t, b = shape[:2]
    return (b, t) if layer.batch_first else (t, b)


@formula("RNN")
def rnn_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an RNN) on ``input_shape``: :func:`rnn`."""
    return rnn(layer.input_size, layer.hidden_size, *_seq_batch(layer, input_shape), layer.bias)


@formula("GRU")
def gru_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a GRU) on ``input_shape``: :func:`gru`."""
    return gru(layer.input_size, layer.hidden_size, *_seq_batch(layer, input_shape), layer.bias)


@formula("LSTM")
def lstm_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an LSTM) on ``input_shape``: :func:`lstm`."""
    return lstm(layer.input_size, layer.hidden_size, *_seq_batch(layer, input_shape), layer.bias)
