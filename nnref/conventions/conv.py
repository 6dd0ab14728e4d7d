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
    b, why = (numel(shape_out), " + BiasAdd 1 per output") if has_bias(layer) else (0, "")
    kind = layer.kind
    op = ("Conv3D" if kind == "Conv3d" else "DepthwiseConv2dNative" if kind == "DepthwiseConv2d"
          or (layer.groups == layer.in_channels and layer.groups > 1) else "Conv2D")
    return 2 * conv_macs(layer, shape_out) + b, f"{op}: 2 × out numel × Cin/g × ∏k{why}"
