"""THOP (``pip install thop``, 0.1.1.post2209072238): forward hooks on leaf modules, "MACs".

Rules from ``thop/profile.py`` (``register_hooks``), ``thop/vision/basic_hooks.py``,
``thop/vision/calc_func.py`` and ``thop/rnn_hooks.py``. A module type without a rule
counts 0; a tensor ``+`` is not a module, so residual adds are never counted. Hooks
fire on every call, so a module called three times counts three times.
"""
from __future__ import annotations

from types import MappingProxyType

from ._common import (ADAPTIVE_AVG, ADAPTIVE_MAX, AVG_POOL, CONV, DENSE, MAX_POOL, NORM, LayerCount,
                      ToolCount, check_names, conv_macs, count_plan, has_bias, numel, rules_for,
                      summed, zero)

TOOL = "THOP 0.1.1"


def _conv(layer, shape_in, shape_out):
    return conv_macs(layer, shape_out), "count_convNd: out numel × Cin/g × ∏k; bias ignored"


def _linear(layer, shape_in, shape_out):
    return layer.in_features * numel(shape_out), "count_linear: out numel × I; bias ignored"


def _norm(layer, shape_in, shape_out):
    if layer.affine:
        return 4 * numel(shape_in), "count_normalization: 2 × numel, × 2 with affine"
    return 2 * numel(shape_in), "count_normalization: 2 × numel (no affine)"


def _softmax(layer, shape_in, shape_out):
    n = shape_in[layer.dim]
    return numel(shape_in) // n * (3 * n - 1), "count_softmax: rows × (n exp + (n − 1) add + n div)"


def _avg_pool(layer, shape_in, shape_out):
    return numel(shape_out), "count_avgpool: 1 per output (kernel ignored)"


def _adaptive_avg(layer, shape_in, shape_out):
    """(∏ in/out as float64 + 1) × out numel, truncated by int(), as THOP computes it."""
    kernel = 1.0
    for i, o in zip(shape_in[2:], shape_out[2:], strict=True):
        kernel *= float(i) / float(o)
    return (int((kernel + 1.0) * numel(shape_out)),
            "count_adap_avgpool: (∏(in/out) adds + 1 div) × out numel")


def _cell(layer) -> int:
    """rnn_hooks._count_{rnn,gru,lstm}_cell for one step and one batch row."""
    i, h, b = layer.input_size, layer.hidden_size, has_bias(layer)
    kind = type(layer).__name__
    if kind == "RNN":
        return h * (i + h) + h + (2 * h if b else 0)
    if kind == "GRU":
        return 3 * (h * (i + h) + h + (2 * h if b else 0)) + h + 3 * h
    return 4 * (h * (i + h) + h + (2 * h if b else 0)) + 3 * h + h


_RNN_RULES = MappingProxyType({
    "RNN": "count_rnn: H·(I+H) + H (+2H bias) per step",
    "GRU": "count_gru: 3·[H·(I+H) + H (+2H bias)] + 4H per step",
    "LSTM": "count_lstm: 4·[H·(I+H) + H (+2H bias)] + 4H per step",
})


def _recurrent(layer, shape_in, shape_out):
    """× x.size(0)·x.size(1): T·B, but T·I for an unbatched (T, I) input, as THOP reads it."""
    return (_cell(layer) * int(shape_in[0]) * int(shape_in[1]),
            f"{_RNN_RULES[type(layer).__name__]}, × x.size(0)·x.size(1); sigmoid/tanh ignored")


RULES = MappingProxyType({
    **rules_for(CONV, _conv),
    **rules_for(DENSE, _linear),
    **rules_for(NORM, _norm),
    **rules_for(AVG_POOL, _avg_pool),
    **rules_for(ADAPTIVE_AVG, _adaptive_avg),
    **rules_for(MAX_POOL + ADAPTIVE_MAX, zero("zero_ops: max pooling counted 0")),
    **rules_for(("RNN", "GRU", "LSTM"), _recurrent),
    "ReLU": zero("zero_ops: 0"),
    "ReLU6": zero("zero_ops: 0"),
    "LeakyReLU": zero("count_relu → calculate_relu_flops: 0"),
    **rules_for(("Sigmoid", "Tanh", "SiLU"), zero("no rule for the module: 0")),
    "Softmax": _softmax,
    "Dropout": zero("zero_ops: 0"),
    "Flatten": zero("no rule for nn.Flatten (or torch.flatten, not a module): 0"),
    "Reshape": zero("a reshape is no module: 0"),
    "Add": zero("a tensor + is no module: 0"),
})


def thop(plan, functional=()) -> ToolCount:
    """What THOP's ``profile(model, (x,))`` returns for ``plan``, per call and in total.

    Parameters
    ----------
    plan : list of (name, layer, input_shape, output_shape)
        From ``model.plan(input_shape)``.
    functional : collection of str
        Names of calls that the PyTorch model makes as functions, not modules (torchvision's
        MobileNetV2 calls ``F.adaptive_avg_pool2d``): THOP has no hook on them, so 0.

    Returns
    -------
    ToolCount
        ``unit="MACs"``; the total is the sum of the calls (THOP returns it as a float).
    """
    functional = check_names(functional, "thop")
    layers = [LayerCount(c.name, c.type, 0, "called as a function, not a module: 0")
              if c.name in functional else c for c in count_plan(plan, RULES, "thop")]
    return summed(TOOL, "MACs", "MACs", layers)
