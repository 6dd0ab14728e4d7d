"""fvcore (``pip install fvcore``, 0.1.5.post20221221): ``FlopCountAnalysis`` on a JIT trace.

Rules from ``fvcore/nn/flop_count.py`` (``_DEFAULT_SUPPORTED_OPS``),
``fvcore/nn/jit_handles.py`` and ``fvcore/nn/jit_analysis.py`` (``_IGNORED_OPS``). It
counts one fused multiply-add as one "flop", so its unit is MACs. Ops without a handle
are either silently ignored (relu, dropout, flatten, view, ...) or reported as
"unsupported" and counted 0 (max_pool2d, hardtanh, sigmoid, add, gru, ...).
"""
from __future__ import annotations

from types import MappingProxyType

from ._common import (ADAPTIVE_AVG, ADAPTIVE_MAX, AVG_POOL, CONV, DENSE, MAX_POOL, NORM, RECURRENT,
                      ToolCount, conv_macs, count_plan, numel, rules_for, summed, zero)

TOOL = "fvcore 0.1.5"


def _conv(layer, shape_in, shape_out):
    return conv_macs(layer, shape_out), "aten::_convolution: N·∏w·∏out = MACs; bias ignored"


def _linear(layer, shape_in, shape_out):
    return numel(shape_in) * layer.out_features, "aten::linear: in numel × O; bias ignored"


def _norm(layer, shape_in, shape_out):
    if layer.affine:
        return 2 * numel(shape_in), "aten::batch_norm (eval): 2 × numel with affine"
    return numel(shape_in), "aten::batch_norm (eval): numel without affine"


def _adaptive_avg(layer, shape_in, shape_out):
    if type(layer).__name__ == "AdaptiveAvgPool2d":
        return numel(shape_in), "aten::adaptive_avg_pool2d: 1 per input element"
    op = f"aten::adaptive_avg_pool{type(layer).__name__[-2:]}"
    return 0, f"{op}: unsupported op, 0"


def _unsupported(op: str):
    return zero(f"{op}: unsupported op, 0")


def _pool_op(kind: str) -> str:
    return f"aten::{'max' if 'Max' in kind else 'avg'}_pool{kind[-2:]}"


RULES = MappingProxyType({
    **rules_for(CONV, _conv),
    **rules_for(DENSE, _linear),
    **rules_for(NORM, _norm),
    **rules_for(ADAPTIVE_AVG, _adaptive_avg),
    **{k: _unsupported(_pool_op(k)) for k in MAX_POOL + AVG_POOL},
    **{k: _unsupported(f"aten::adaptive_max_pool{k[-2:]}") for k in ADAPTIVE_MAX},
    **{k: _unsupported(f"aten::{k.lower() if k != 'RNN' else 'rnn_tanh'}") for k in RECURRENT},
    "ReLU": zero("aten::relu: ignored op, 0"),
    "ReLU6": _unsupported("aten::hardtanh"),
    "LeakyReLU": _unsupported("aten::leaky_relu"),
    "Sigmoid": _unsupported("aten::sigmoid"),
    "Tanh": _unsupported("aten::tanh"),
    "SiLU": _unsupported("aten::silu"),
    "Softmax": _unsupported("aten::softmax"),
    "Dropout": zero("aten::dropout: ignored op, 0"),
    "Flatten": zero("aten::flatten: ignored op, 0"),
    "Reshape": zero("aten::reshape: ignored op, 0"),
    "Add": _unsupported("aten::add"),
})


def fvcore(plan) -> ToolCount:
    """What fvcore's ``FlopCountAnalysis(model, x).total()`` returns for ``plan``.

    Parameters
    ----------
    plan : list of (name, layer, input_shape, output_shape)

    Returns
    -------
    ToolCount
        ``unit="MACs"`` (fvcore calls them flops: "one fused multiply-add as one flop").
    """
    return summed(TOOL, "MACs", "flops (1 per fused multiply-add)",
                  count_plan(plan, RULES, "fvcore"))
