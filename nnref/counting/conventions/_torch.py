"""PyTorch's ``torch.utils.flop_counter.FlopCounterMode`` (torch 2.x), "FLOPs".

Rules from ``torch/utils/flop_counter.py``: formulas are registered only for matrix
products (aten.mm, addmm, bmm, baddbmm, ...), convolutions and attention; each counts
2 FLOPs per multiply-accumulate ("should be 2·k − 1 technically", says the source) and
ignores the bias. Every other aten op (relu, max_pool2d, add, batch_norm, sigmoid, ...)
counts 0. On CPU (torch 2.13 checked) an RNN or GRU decomposes into matrix products for
W_ih·x and W_hh·h, its gate arithmetic counting 0; an LSTM runs as one
aten.mkldnn_rnn_layer (oneDNN), which has no formula and counts 0.
"""
from __future__ import annotations

from types import MappingProxyType

from ._common import (CONV, DENSE, LAYER_TYPES, RECURRENT, ToolCount, conv_macs, count_plan, gates,
                      numel, steps_times_batch, summed, zero)

TOOL = "torch FlopCounterMode"


def _conv(layer, shape_in, shape_out):
    return 2 * conv_macs(layer, shape_out), ("aten.convolution: 2 × out numel × Cin/g × ∏k; "
                                             "bias ignored")


def _linear(layer, shape_in, shape_out):
    return 2 * numel(shape_in) * layer.out_features, "aten.addmm/mm: 2 × rows × I × O; bias ignored"


def _recurrent(layer, shape_in, shape_out):
    if type(layer).__name__ == "LSTM":
        return 0, "aten.mkldnn_rnn_layer (oneDNN CPU LSTM): no flop formula, 0"
    i, h, g = layer.input_size, layer.hidden_size, gates(layer)
    return (2 * steps_times_batch(layer, shape_in) * g * h * (i + h),
            "aten.addmm/mm for W_ih·x and W_hh·h: 2 per MAC; bias and gates 0")


RULES = MappingProxyType({
    **dict.fromkeys(LAYER_TYPES, zero("no flop formula registered: 0")),
    **dict.fromkeys(CONV, _conv),
    **dict.fromkeys(DENSE, _linear),
    **dict.fromkeys(RECURRENT, _recurrent),
})


def torch_flop_counter(plan) -> ToolCount:
    """What ``FlopCounterMode().get_total_flops()`` returns around a forward pass of ``plan``.

    Parameters
    ----------
    plan : list of (name, layer, input_shape, output_shape)

    Returns
    -------
    ToolCount
        ``unit="FLOPs"``: 2 per multiply-accumulate of a convolution or matrix product.
    """
    return summed(TOOL, "FLOPs", "FLOPs", count_plan(plan, RULES, "torch_flop_counter"))
