"""Every tool's rule for Conv1d/2d/3d (torch's ``nn.Conv{1,2,3}d``).

The tools count the products of a dense convolution, out numel × Cin/g × ∏k (THOP,
fvcore, ptflops; twice that in torch and TF), and differ on the bias. nnref's counts:
:func:`nnref.formulas.conv.conv`.
"""
from __future__ import annotations

from ._common import conv_macs, has_bias, numel
from ._registry import hook_only, rule

CLASSES = ("Conv1d", "Conv2d", "Conv3d")


@rule("thop", *CLASSES)
def thop(layer, shape_in, shape_out):
    return conv_macs(layer, shape_out), "count_convNd: out numel × Cin/g × ∏k; bias ignored"


@rule("ptflops", *CLASSES)
@hook_only
def ptflops(layer, shape_in, shape_out):
    positions = numel(shape_out) // int(layer.out_channels)
    filters = layer.out_channels // layer.groups
    per_position = numel(layer.kernel_size) * layer.in_channels * filters
    bias = layer.out_channels * positions if has_bias(layer) else 0
    return per_position * positions + bias, ("conv hook: out numel × Cin/g × ∏k"
                                             + (" + bias 1 per output" if bias else ""))


@rule("ptflops_aten", *CLASSES)
def ptflops_aten(layer, shape_in, shape_out):
    bias = numel(shape_out) if has_bias(layer) else 0
    return (conv_macs(layer, shape_out) + bias,
            "aten.convolution: out numel × Cin/g × ∏k" + (" + bias 1 per output" if bias else ""))


@rule("fvcore", *CLASSES)
def fvcore(layer, shape_in, shape_out):
    """torch traces a convolution given ``padding="same"`` or ``"valid"`` (with zero padding)
    as aten::_convolution_mode, which fvcore has no handle for."""
    if getattr(layer, "padding_string", None) and getattr(layer, "padding_mode", "zeros") == "zeros":
        return 0, f"aten::_convolution_mode (padding={layer.padding_string!r}): unsupported op, 0"
    return conv_macs(layer, shape_out), "aten::_convolution: N·∏w·∏out = MACs; bias ignored"


@rule("torch", *CLASSES)
def torch(layer, shape_in, shape_out):
    return 2 * conv_macs(layer, shape_out), ("aten.convolution: 2 × out numel × Cin/g × ∏k; "
                                             "bias ignored")


@rule("tf", *CLASSES)
def tf(layer, shape_in, shape_out):
    """The ops of a Keras 3 port (TF 2.21, Keras 3.15; checked in tests/data/tf_profiler.json).

    A depthwise convolution (groups = Cin > 1, 1-d or 2-d) is ported as Keras'
    DepthwiseConv1D/2D: one DepthwiseConv2dNative. Any other grouped convolution is
    ``Conv{1,2,3}D(groups=g)``, which Keras 3 runs through an XLA-compiled function on CPU
    ("grouped convolutions are broken on CPU without XLA"): the profiled graph holds no
    convolution op, only the BiasAdd.
    """
    b, why = (numel(shape_out), " + BiasAdd 1 per output") if has_bias(layer) else (0, "")
    groups, nd = int(getattr(layer, "groups", 1)), len(layer.kernel_size)
    depthwise = groups > 1 and groups == layer.in_channels and nd < 3
    if groups > 1 and not depthwise:
        return b, (f"Conv{nd}D(groups={groups}): XLA-compiled by Keras on CPU, no conv op in "
                   f"the graph: 0{why}")
    op = "DepthwiseConv2dNative" if depthwise else "Conv3D" if nd == 3 else "Conv2D"
    if any(d > 1 for d in layer.dilation) and all(st == 1 for st in layer.stride):
        # tf.nn.convolution runs a dilated conv as SpaceToBatchND, an undilated VALID conv
        # on d sub-grids of ⌈in/d⌉, BatchToSpaceND: d·(⌈in/d⌉ − k + 1) positions per axis
        positions = 1
        for i, k, p, d in zip(shape_in[2:], layer.kernel_size, layer.padding, layer.dilation,
                              strict=True):
            positions *= d * (-(-(i + 2 * p) // d) - k + 1) if d > 1 else i + 2 * p - k + 1
        taps = (int(layer.in_channels) // groups) * numel(layer.kernel_size)
        count = 2 * int(shape_out[0]) * int(layer.out_channels) * positions * taps
        return count + b, (f"{op} on SpaceToBatchND sub-grids (dilation): 2 × d·(⌈in/d⌉ − k + 1) "
                           f"positions per axis × Cin/g × ∏k{why}")
    return 2 * conv_macs(layer, shape_out) + b, f"{op}: 2 × out numel × Cin/g × ∏k{why}"
