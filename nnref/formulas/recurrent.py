"""Closed forms for the recurrent layers RNN (tanh or relu), GRU and LSTM.

Every count of one layer in one direction is (per time step, per batch row) × T × B,
with T and B read from an input of shape (T, B, I), (B, T, I) with ``batch_first``, or
(T, I) with B = 1. PyTorch's equations run as written: the recurrent mat-vec is
computed at every step, also with h0 = 0 (and c0 = 0) at the first, so the counts do
not depend on the initial state. A layer of ``num_layers`` layers and D directions
(2 if ``bidirectional``) costs the sum over its layers of D × one direction, layer l
taking I = ``input_size`` for l = 0 and D·H_out after (H_out = ``proj_size`` or
``hidden_size``); the reversed direction does the same arithmetic on the reversed
sequence; concatenating the directions and dropout (not applied: inference) cost 0.

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
    relu(v) = max(v, 0)                cmp 1 (RNN with nonlinearity "relu", as ReLU)

The gate arithmetic of each layer is in the Notes of :func:`rnn`, :func:`gru` and
:func:`lstm`.
"""
from ..core.opcounts import OpCounts
from ..core.validate import check_bool, check_str
from ._registry import formula, ints
from .activation import PER_ELEMENT

#: One σ, tanh and relu element (see the module's Notes).
SIGMOID = PER_ELEMENT["Sigmoid"]
TANH = PER_ELEMENT["Tanh"]
RELU = PER_ELEMENT["ReLU"]


def _matvecs(rows: int, i: int, h: int, bias: bool) -> OpCounts:
    """The mat-vecs gi = W_ih·x (+ b_ih) and gh = W_hh·h (+ b_hh) of one step and batch row,
    ``rows`` outputs each (see the module's Notes)."""
    adds = rows * (i - 1) + rows * (h - 1) + (2 * rows if bias else 0)
    return OpCounts(mul=rows * i + rows * h, add=adds)


def _args(owner, input_size, hidden_size, seq_len, batch, bias) -> tuple:
    """The arguments of :func:`rnn`, :func:`gru`, :func:`lstm` checked, as Python values."""
    return (*ints(owner, input_size=input_size, hidden_size=hidden_size, seq_len=seq_len,
                  batch=batch), check_bool(bias, "bias", owner))


def rnn(input_size: int, hidden_size: int, seq_len: int, batch: int, bias: bool = True,
        nonlinearity: str = "tanh") -> OpCounts:
    """Counts of one RNN layer and direction over ``seq_len`` steps of ``batch`` rows.

    Notes
    -----
    Per step and batch row, with I = input_size and H = hidden_size,

        gi = W_ih·x + b_ih, gh = W_hh·h + b_hh    mul H·I + H·H,
                                                  add H·(I − 1) + H·(H − 1) (+ 2H with bias)
        h' = tanh(gi + gh)                        add H, then H tanh
        (nonlinearity "relu": h' = max(gi + gh, 0), add H, cmp H)
    """
    i, h, t, b, bias = _args("rnn", input_size, hidden_size, seq_len, batch, bias)
    act = TANH if check_str(nonlinearity, "nonlinearity", "rnn", ("tanh", "relu")) == "tanh" \
        else RELU
    step = _matvecs(h, i, h, bias) + OpCounts(add=h) + act * h
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


def lstm(input_size: int, hidden_size: int, seq_len: int, batch: int, bias: bool = True,
         proj_size: int = 0) -> OpCounts:
    """Counts of one LSTM layer and direction over ``seq_len`` steps of ``batch`` rows.

    Notes
    -----
    Per step and batch row, with I = input_size, H = hidden_size, gate rows (i, f, g, o)
    and H_out = proj_size or H (the width of the hidden state h),

        gi = W_ih·x + b_ih, gh = W_hh·h + b_hh    mul 4H·I + 4H·H_out,
                                                  add 4H·(I − 1) + 4H·(H_out − 1) (+ 8H bias)
        a = gi + gh                               add 4H
        i, f, o = σ(a_i), σ(a_f), σ(a_o)          3H σ
        g = tanh(a_g)                             H tanh
        c' = f ⊙ c + i ⊙ g                        mul 2H, add H
        h' = o ⊙ tanh(c')                         H tanh, mul H
        h' = W_hr·h' (proj_size P > 0)            mul P·H, add P·(H − 1)
    """
    i, h, t, b, bias = _args("lstm", input_size, hidden_size, seq_len, batch, bias)
    (p,) = ints("lstm", minimum=0, proj_size=proj_size)
    gates = OpCounts(add=4 * h) + SIGMOID * (3 * h) + TANH * h
    state = OpCounts(mul=2 * h, add=h) + TANH * h + OpCounts(mul=h)
    projection = OpCounts(mul=p * h, add=p * (h - 1))
    step = _matvecs(4 * h, i, p or h, bias) + gates + state + projection
    return step * (t * b)


def _seq_batch(layer, shape) -> tuple:
    """(T, B) of an input of shape (T, B, I), (B, T, I) with batch_first, or (T, I)."""
    if len(shape) == 2:
        return shape[0], 1
    t, b = shape[:2]
    return (b, t) if layer.batch_first else (t, b)


def stacked(layer, input_shape, one) -> OpCounts:
    """Σ over the layers of ``layer`` of D × ``one(input size of the layer, T, B)``."""
    t, b = _seq_batch(layer, input_shape)
    return sum((one(layer.layer_input_size(k), t, b) * layer.num_directions
                for k in range(layer.num_layers)), OpCounts())


@formula("RNN")
def rnn_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an RNN) on ``input_shape``: :func:`rnn` per layer and direction."""
    return stacked(layer, input_shape, lambda i, t, b: rnn(i, layer.hidden_size, t, b, layer.bias,
                                                           layer.nonlinearity))


@formula("GRU")
def gru_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a GRU) on ``input_shape``: :func:`gru` per layer and direction."""
    return stacked(layer, input_shape, lambda i, t, b: gru(i, layer.hidden_size, t, b, layer.bias))


@formula("LSTM")
def lstm_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an LSTM) on ``input_shape``: :func:`lstm` per layer and direction."""
    return stacked(layer, input_shape, lambda i, t, b: lstm(i, layer.hidden_size, t, b, layer.bias,
                                                            layer.proj_size))
