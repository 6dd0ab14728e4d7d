"""The TensorFlow profiler's static "flops" (``tf.compat.v1.profiler`` with
``float_operation()``), for the graph a Keras port of the model would build.

Rules from the ``@ops.RegisterStatistics(op, "flops")`` registrations in
``tensorflow/python/profiler/internal/flops_registry.py`` (MatMul, Add/AddV2, Mul, Sub,
Neg, Rsqrt, Mean, Softmax, MaxPool, AvgPool, ...) and ``tensorflow/python/ops/nn_ops.py``
(Conv2D, Conv3D, DepthwiseConv2dNative, BiasAdd, Dilation2D), TensorFlow 2.21. Ops
without a registration (Relu, Relu6, LeakyRelu, Sigmoid, Tanh, FusedBatchNormV3,
MaxPool3D, AvgPool3D, Max, Reshape, Identity) count 0. Matrix products count 2 per
multiply-accumulate; the bias is a separate BiasAdd op, 1 per element.

nnref maps each layer to the ops Keras 3 emits for it (NHWC; Conv1D and the 1-D pools run
as 2-D ops on an expanded axis; BatchNormalization as AddV2/Rsqrt/Mul/Sub). TensorFlow is
not needed: these are the registry rules applied to those ops' shapes (checked against
the profiler on Keras 3.15 models). Recurrent layers are counted as their unrolled
(``unroll=True``) cell ops; with a ``tf.while_loop`` the static profiler counts the loop
body once and skips ops without static shapes, so it reports less.
"""
from __future__ import annotations

from types import MappingProxyType

from ...shapes import adaptive_total
from ._common import (ADAPTIVE_AVG, ADAPTIVE_MAX, AVG_POOL, CONV, DENSE, MAX_POOL, NORM, RECURRENT,
                      SHAPE_ONLY, ToolCount, conv_macs, count_plan, gates, has_bias, numel,
                      rules_for, steps_times_batch, summed, zero)

TOOL = "TF profiler"


def _bias(layer, shape_out) -> tuple:
    return (numel(shape_out), " + BiasAdd 1 per output") if has_bias(layer) else (0, "")


def _conv(layer, shape_in, shape_out):
    b, rule = _bias(layer, shape_out)
    kind = type(layer).__name__
    op = ("Conv3D" if kind == "Conv3d" else "DepthwiseConv2dNative" if kind == "DepthwiseConv2d"
          or (layer.groups == layer.in_channels and layer.groups > 1) else "Conv2D")
    return 2 * conv_macs(layer, shape_out) + b, f"{op}: 2 × out numel × Cin/g × ∏k{rule}"


def _linear(layer, shape_in, shape_out):
    b, rule = _bias(layer, shape_out)
    return 2 * numel(shape_in) * layer.out_features + b, f"MatMul: 2 × rows × I × O{rule}"


def _norm(layer, shape_in, shape_out):
    """Keras 3: inv = rsqrt(σ² + eps) [AddV2 C, Rsqrt 2C], inv·γ [Mul C], β − μ·inv [Mul C,
    Sub C] (or −μ·inv: Neg C, Mul C), x·inv + shift [Mul n, AddV2 n]."""
    c = layer.num_features
    if layer.affine:
        return 2 * numel(shape_in) + 6 * c, "AddV2/Rsqrt/Mul/Sub: 2 per element + 6 per channel"
    return 2 * numel(shape_in) + 5 * c, "AddV2/Rsqrt/Mul/Neg: 2 per element + 5 per channel"


def _pool(layer, shape_in, shape_out):
    kind = type(layer).__name__
    if kind.endswith("3d"):
        return 0, f"{kind[:3]}Pool3D: not registered, 0"
    return (numel(layer.kernel_size) * numel(shape_out),
            f"{kind[:3]}Pool: kernel area × out numel (padding taps included)")


def _window_taps(layer, shape_in, shape_out) -> int:
    """Σ of adaptive window sizes: N·C · ∏_axes Σ_j w_j."""
    n = len(layer.output_size)
    taps = numel(shape_in[:-n])
    for i, o in zip(shape_in[-n:], shape_out[-n:], strict=True):
        taps *= adaptive_total(i, o)
    return taps


def _adaptive(layer, shape_in, shape_out):
    n = len(layer.output_size)
    is_max = "Max" in type(layer).__name__
    if all(o == 1 for o in shape_out[-n:]):
        return ((0, "global pooling → Max: not registered, 0") if is_max else
                (numel(shape_in), "global pooling → Mean: 1 per input element"))
    if n == 3:
        return 0, f"{'Max' if is_max else 'Avg'}Pool3D: not registered, 0"
    op = "MaxPool" if is_max else "AvgPool"
    return _window_taps(layer, shape_in, shape_out), f"{op} per window: window size per output"


def _recurrent(layer, shape_in, shape_out):
    """Keras cells: SimpleRNN and LSTM have one bias (b_ih + b_hh merged), GRU
    (reset_after=True, PyTorch's equations) keeps both."""
    i, h, g = layer.input_size, layer.hidden_size, gates(layer)
    kind = type(layer).__name__
    elementwise = {"RNN": h, "GRU": 8 * h, "LSTM": 8 * h}[kind]
    biases = (2 if kind == "GRU" else 1) * g * h if has_bias(layer) else 0
    per_step = 2 * g * h * (i + h) + biases + elementwise
    return (per_step * steps_times_batch(layer, shape_in),
            f"unrolled Keras cell: MatMul 2 per MAC, {biases // h}H bias adds, {elementwise // h}H "
            "AddV2/Mul/Sub per step; Sigmoid/Tanh not registered")


RULES = MappingProxyType({
    **rules_for(CONV, _conv),
    **rules_for(DENSE, _linear),
    **rules_for(NORM, _norm),
    **rules_for(MAX_POOL + AVG_POOL, _pool),
    **rules_for(ADAPTIVE_AVG + ADAPTIVE_MAX, _adaptive),
    **rules_for(RECURRENT, _recurrent),
    "ReLU": zero("Relu: not registered, 0"),
    "ReLU6": zero("Relu6: not registered, 0"),
    "LeakyReLU": zero("LeakyRelu: not registered, 0"),
    "Sigmoid": zero("Sigmoid: not registered, 0"),
    "Tanh": zero("Tanh: not registered, 0"),
    "SiLU": lambda l, si, so: (2 * numel(si), "tf.nn.silu, x·sigmoid(β·x): Mul 2 per element"),
    "Softmax": lambda l, si, so: (5 * numel(si), "Softmax: 5 per element"),
    **rules_for(SHAPE_ONLY, zero("Reshape/Identity: not registered, 0")),
    "Add": lambda l, si, so: (numel(so), "AddV2: 1 per output element"),
})


def tf_profiler(plan) -> ToolCount:
    """The TF profiler's float_ops for the tf.keras graph of ``plan``.

    Parameters
    ----------
    plan : list of (name, layer, input_shape, output_shape)

    Returns
    -------
    ToolCount
        ``unit="FLOPs"``: 2 per multiply-accumulate, 1 per bias add or elementwise add.
    """
    return summed(TOOL, "FLOPs", "float_ops", count_plan(plan, RULES, "tf_profiler"))
