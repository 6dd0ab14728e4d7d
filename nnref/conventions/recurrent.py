"""Every tool's rule for RNN (tanh), GRU and LSTM (torch's ``nn.RNN``, ``nn.GRU``, ``nn.LSTM``).

The tools count the mat-vecs, some bias and gate terms, and never the sigmoids and
tanhs; on CPU torch's LSTM is one oneDNN op that FlopCounterMode and ptflops' aten
backend miss. nnref's counts: :mod:`nnref.formulas.recurrent`.
"""
from __future__ import annotations

from ._common import gates, has_bias, steps_times_batch
from ._registry import hook_only, rule

CLASSES = ("RNN", "GRU", "LSTM")

_THOP = {"RNN": "count_rnn: H·(I+H) + H (+2H bias) per step",
         "GRU": "count_gru: 3·[H·(I+H) + H (+2H bias)] + 4H per step",
         "LSTM": "count_lstm: 4·[H·(I+H) + H (+2H bias)] + 4H per step"}


def _thop_cell(layer) -> int:
    """rnn_hooks._count_{rnn,gru,lstm}_cell for one step and one batch row."""
    i, h, b = layer.input_size, layer.hidden_size, has_bias(layer)
    matvecs = h * (i + h) + h + (2 * h if b else 0)
    return {"RNN": matvecs, "GRU": 3 * matvecs + h + 3 * h, "LSTM": 4 * matvecs + 3 * h + h}[layer.kind]


@rule("thop", *CLASSES)
def thop(layer, shape_in, shape_out):
    """× x.size(0)·x.size(1): T·B, but T·I for an unbatched (T, I) input, as THOP reads it."""
    return (_thop_cell(layer) * int(shape_in[0]) * int(shape_in[1]),
            f"{_THOP[layer.kind]}, × x.size(0)·x.size(1); sigmoid/tanh ignored")


@rule("ptflops", *CLASSES)
@hook_only
def ptflops(layer, shape_in, shape_out):
    """rnn_flops per layer and step, × input.shape[0] × input.shape[1] (NLH assumed)."""
    i, h, g = layer.input_size, layer.hidden_size, gates(layer)
    extra = {"RNN": h, "GRU": 7 * h, "LSTM": 10 * h}[layer.kind]
    per_step = g * h * (i + h) + extra + (2 * g * h if has_bias(layer) else 0)
    return per_step * int(shape_in[0]) * int(shape_in[1]), (
        f"rnn hook: {g}H·(I+H) + {extra // h}H (+{2 * g}H bias) per step, "
        "× input.shape[0]·shape[1]; sigmoid/tanh ignored")


@rule("ptflops_aten", *CLASSES)
def ptflops_aten(layer, shape_in, shape_out):
    """ATen's CPU RNN/GRU: one linear over all steps for W_ih·x, one addmm/mm per step for W_hh·h.

    The W_ih·x linear folds into addmm (bias counted) only for a contiguous input; a
    batch_first input is a transposed view, so it runs as mm + add (bias not counted).
    The CPU LSTM runs as one aten.mkldnn_rnn_layer (oneDNN), which ptflops does not count.
    """
    if layer.kind == "LSTM":
        return 0, "aten.mkldnn_rnn_layer (oneDNN CPU LSTM): not counted, 0"
    i, h, g = layer.input_size, layer.hidden_size, gates(layer)
    rows = steps_times_batch(layer, shape_in)
    macs = rows * g * h * (i + h)
    if not has_bias(layer):
        return macs, "aten.mm for W_ih·x and W_hh·h; gates 0"
    if not layer.batch_first or len(shape_in) == 2 or 1 in shape_in[:2]:
        return macs + 2 * rows * g * h, ("aten.addmm for W_ih·x and W_hh·h, bias 1 per output; "
                                         "gates 0")
    return macs + rows * g * h, ("aten.mm for W_ih·x (batch_first view: bias by an uncounted add), "
                                 "aten.addmm for W_hh·h with bias; gates 0")


@rule("fvcore", *CLASSES)
def fvcore(layer, shape_in, shape_out):
    op = "aten::rnn_tanh" if layer.kind == "RNN" else f"aten::{layer.kind.lower()}"
    return 0, f"{op}: unsupported op, 0"


@rule("torch", *CLASSES)
def torch(layer, shape_in, shape_out):
    if layer.kind == "LSTM":
        return 0, "aten.mkldnn_rnn_layer (oneDNN CPU LSTM): no flop formula, 0"
    i, h, g = layer.input_size, layer.hidden_size, gates(layer)
    return (2 * steps_times_batch(layer, shape_in) * g * h * (i + h),
            "aten.addmm/mm for W_ih·x and W_hh·h: 2 per MAC; bias and gates 0")


def tf_unrolled(layer, shape_in) -> int:
    """TF's float ops for ``keras.layers.{SimpleRNN,GRU,LSTM}(unroll=True)``: every step's
    cell ops, all with static shapes, T·B times (Keras reads the tensor as (B, T, I))."""
    i, h, g = layer.input_size, layer.hidden_size, gates(layer)
    elementwise = {"RNN": h, "GRU": 8 * h, "LSTM": 8 * h}[layer.kind]
    biases = (2 if layer.kind == "GRU" else 1) * g * h if has_bias(layer) else 0
    return (2 * g * h * (i + h) + biases + elementwise) * steps_times_batch(layer, shape_in)


@rule("tf", *CLASSES)
def tf(layer, shape_in, shape_out):
    """Keras' default ``unroll=False`` (TF 2.21, Keras 3.15; tests/data/tf_profiler.json).

    A Keras port applies the layer to the same tensor, which Keras always reads as
    (batch, time, features): B = axis 0 (1 for an unbatched (T, I) input). Keras' TF
    ``rnn`` runs the cell once on time step 0, with every shape static, only to learn
    the output shape, then a ``tf.while_loop`` whose body the frozen graph holds once.
    In the body the state has no static shape, so the profiler skips every op on it:
    what counts is the input projection, the bias added to it, and (for B > 1, where
    broadcasting a (B, ·) operand fixes the shape) the joins of the two. So the count
    is independent of T. Per batch row (b = bias):

    * RNN:  step 0 [2H(I+H) + H·b + H] + body [2HI + H·b (+ H if B > 1)]
    * GRU:  step 0 [6H(I+H) + 6H·b + 8H] + body [6HI + 3H·b (+ 6H if B > 1)]
    * LSTM: step 0 [8H(I+H) + 4H·b + 8H] + body [8HI + 4H·b + 5H]

    SimpleRNN and LSTM have one bias (b_ih + b_hh merged), GRU (``reset_after=True``,
    PyTorch's equations) two. :func:`tf_unrolled` is ``unroll=True``.
    """
    i, h, kind = layer.input_size, layer.hidden_size, layer.kind
    b = 1 if has_bias(layer) else 0
    batch = int(shape_in[0]) if len(shape_in) == 3 else 1
    wide = 1 if batch > 1 else 0
    first, body = {
        "RNN": (2 * h * (i + h) + h * b + h, 2 * h * i + h * b + h * wide),
        "GRU": (6 * h * (i + h) + 6 * h * b + 8 * h, 6 * h * i + 3 * h * b + 6 * h * wide),
        "LSTM": (8 * h * (i + h) + 4 * h * b + 8 * h, 8 * h * i + 4 * h * b + 5 * h),
    }[kind]
    return batch * (first + body), (
        f"Keras while_loop: step 0 in full once, loop body once (input projection"
        f"{' + bias' if b else ''}); × batch {batch} (axis 0), whatever T; "
        "Sigmoid/Tanh not registered")
