"""Every tool's rule for RNN, GRU and LSTM (torch's ``nn.RNN``, ``nn.GRU``, ``nn.LSTM``),
with ``num_layers``, ``bidirectional``, ``nonlinearity`` and ``proj_size``, checked live.

The tools count the mat-vecs, some bias and gate terms, and never the sigmoids and
tanhs; on CPU torch's float32 LSTM without projection is one oneDNN op per layer and
direction that FlopCounterMode and ptflops' aten backend miss (with ``proj_size`` it
runs natively, and they count it). THOP ignores ``proj_size`` and ptflops ``weight_hr``.
nnref's counts: :mod:`nnref.formulas.recurrent`.
"""
from __future__ import annotations

from ._common import gates, has_bias, steps_times_batch
from ._registry import hook_only, rule

CLASSES = ("RNN", "GRU", "LSTM")

_THOP = {"RNN": "count_rnn: H·(I+H) + H (+2H bias) per step",
         "GRU": "count_gru: 3·[H·(I+H) + H (+2H bias)] + 4H per step",
         "LSTM": "count_lstm: 4·[H·(I+H) + H (+2H bias)] + 4H per step"}


def _thop_cell(layer, i) -> int:
    """rnn_hooks._count_{rnn,gru,lstm}_cell for one step, one batch row, input size ``i``."""
    h, b = layer.hidden_size, has_bias(layer)
    matvecs = h * (i + h) + h + (2 * h if b else 0)
    return {"RNN": matvecs, "GRU": 3 * matvecs + h + 3 * h, "LSTM": 4 * matvecs + 3 * h + h}[layer.kind]


def _layers(layer):
    """``(l, input size of layer l)`` for every layer, each run in D directions."""
    return [(k, layer.layer_input_size(k)) for k in range(layer.num_layers)]


@rule("thop", *CLASSES)
def thop(layer, shape_in, shape_out):
    """× x.size(0)·x.size(1): T·B, but T·I for an unbatched (T, I) input, as THOP reads it;
    layers after the first take H·D inputs (proj_size ignored)."""
    d, h = layer.num_directions, layer.hidden_size
    cells = d * sum(_thop_cell(layer, layer.input_size if k == 0 else h * d)
                    for k in range(layer.num_layers))
    return (cells * int(shape_in[0]) * int(shape_in[1]),
            f"{_THOP[layer.kind]} per layer and direction (next layers: H·D inputs), "
            "× x.size(0)·x.size(1); sigmoid/tanh, proj_size ignored")


@rule("ptflops", *CLASSES)
@hook_only
def ptflops(layer, shape_in, shape_out):
    """rnn_flops per layer from its forward weights' shapes, × input.shape[0]·shape[1], × D."""
    h, g, o = layer.hidden_size, gates(layer), layer.output_size
    extra = {"RNN": h, "GRU": 7 * h, "LSTM": 10 * h}[layer.kind]
    per_step = sum(g * h * (i + o) + extra + (2 * g * h if has_bias(layer) else 0)
                   for _, i in _layers(layer))
    return per_step * int(shape_in[0]) * int(shape_in[1]) * layer.num_directions, (
        f"rnn hook: Σ layers [{g}H·(I_l + H_out) + {extra // h}H (+{2 * g}H bias)] × "
        "input.shape[0]·shape[1] × D; sigmoid/tanh, weight_hr ignored")


def _mkldnn(layer) -> bool:
    """An LSTM without projection runs on CPU as aten.mkldnn_rnn_layer (float32)."""
    return layer.kind == "LSTM" and not layer.proj_size


def _matmuls(layer, shape_in) -> tuple:
    """(MACs, bias adds ATen counts in addmm) of ATen's CPU RNN over every layer and direction.

    Per layer and direction: one linear over all steps for W_ih·x (addmm, but mm + an
    uncounted add for the first layer of a batch_first input, a transposed view), one
    addmm/mm per step for W_hh·h, and one mm per step for an LSTM's W_hr projection.
    """
    h, g, o, p = layer.hidden_size, gates(layer), layer.output_size, layer.proj_size
    rows = steps_times_batch(layer, shape_in)
    view = layer.batch_first and len(shape_in) == 3 and 1 not in shape_in[:2]
    macs = bias = 0
    for k, i in _layers(layer):
        macs += rows * (g * h * (i + o) + p * h)
        if has_bias(layer):
            bias += rows * g * h * (1 if view and k == 0 else 2)
    d = layer.num_directions
    return macs * d, bias * d


@rule("ptflops_aten", *CLASSES)
def ptflops_aten(layer, shape_in, shape_out):
    if _mkldnn(layer):
        return 0, "aten.mkldnn_rnn_layer (oneDNN CPU LSTM): not counted, 0"
    macs, bias = _matmuls(layer, shape_in)
    return macs + bias, ("aten.addmm/mm for W_ih·x, W_hh·h (and W_hr·h) per layer and direction, "
                         "addmm bias 1 per output (a batch_first input's first W_ih·x is mm); "
                         "gates 0")


@rule("fvcore", *CLASSES)
def fvcore(layer, shape_in, shape_out):
    op = "aten::rnn_tanh" if layer.kind == "RNN" else f"aten::{layer.kind.lower()}"
    if layer.kind == "RNN" and layer.nonlinearity == "relu":
        op = "aten::rnn_relu"
    return 0, f"{op}: unsupported op, 0"


@rule("torch", *CLASSES)
def torch(layer, shape_in, shape_out):
    if _mkldnn(layer):
        return 0, "aten.mkldnn_rnn_layer (oneDNN CPU LSTM): no flop formula, 0"
    return (2 * _matmuls(layer, shape_in)[0],
            "aten.addmm/mm for W_ih·x, W_hh·h (and W_hr·h) per layer and direction: 2 per MAC; "
            "bias and gates 0")


def tf_unrolled(layer, shape_in) -> int:
    """TF's float ops for ``keras.layers.{SimpleRNN,GRU,LSTM}(unroll=True)``: every step's
    cell ops, all with static shapes, T·B times (Keras reads the tensor as (B, T, I)), per
    layer and direction (stacked layers, Bidirectional); a projection (no Keras cell has
    one) is counted as one more MatMul per step."""
    h, g, o, p = layer.hidden_size, gates(layer), layer.output_size, layer.proj_size
    elementwise = {"RNN": h, "GRU": 8 * h, "LSTM": 8 * h}[layer.kind]
    biases = (2 if layer.kind == "GRU" else 1) * g * h if has_bias(layer) else 0
    per_step = sum(2 * g * h * (i + o) + 2 * p * h + biases + elementwise for _, i in _layers(layer))
    return per_step * layer.num_directions * steps_times_batch(layer, shape_in)


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
    is independent of T. Per batch row, layer and direction (b = bias, I the layer's
    input size, O its output size: H, or proj_size):

    * RNN:  step 0 [2H(I+O) + H·b + H] + body [2HI + H·b (+ H if B > 1)]
    * GRU:  step 0 [6H(I+O) + 6H·b + 8H] + body [6HI + 3H·b (+ 6H if B > 1)]
    * LSTM: step 0 [8H(I+O) + 4H·b + 8H] + body [8HI + 4H·b + 5H]

    plus 2·O·H in step 0 for a projection (one more MatMul). SimpleRNN and LSTM have one
    bias (b_ih + b_hh merged), GRU (``reset_after=True``, PyTorch's equations) two.
    Stacked layers and Bidirectional (measured: 2 layers, 2 directions, both) are this
    single-layer rule once per layer and direction, layers after the first taking D·H
    inputs. A projection has no Keras port (extrapolated). :func:`tf_unrolled` is
    ``unroll=True``.
    """
    h, o, p, kind = layer.hidden_size, layer.output_size, layer.proj_size, layer.kind
    b = 1 if has_bias(layer) else 0
    batch = int(shape_in[0]) if len(shape_in) == 3 else 1
    wide = 1 if batch > 1 else 0
    total = 0
    for _, i in _layers(layer):
        first, body = {
            "RNN": (2 * h * (i + o) + h * b + h, 2 * h * i + h * b + h * wide),
            "GRU": (6 * h * (i + o) + 6 * h * b + 8 * h, 6 * h * i + 3 * h * b + 6 * h * wide),
            "LSTM": (8 * h * (i + o) + 4 * h * b + 8 * h, 8 * h * i + 4 * h * b + 5 * h),
        }[kind]
        total += first + 2 * p * h + body
    return batch * layer.num_directions * total, (
        f"Keras while_loop: step 0 in full once, loop body once (input projection"
        f"{' + bias' if b else ''}) per layer and direction; × batch {batch} (axis 0), "
        "whatever T; Sigmoid/Tanh not registered")
