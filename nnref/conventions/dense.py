"""Every tool's rule for Dense / Linear (torch's ``nn.Linear``).

All count rows × I × O products (torch and TF twice); ptflops adds the bias once per
output. nnref's counts: :func:`nnref.formulas.dense.dense`.
"""
from __future__ import annotations

from ._common import has_bias, numel
from ._registry import hook_only, rule

CLASSES = ("Dense",)  # Linear resolves as its base class, Dense


@rule("thop", *CLASSES)
def thop(layer, shape_in, shape_out):
    return layer.in_features * numel(shape_out), "count_linear: out numel × I; bias ignored"


@rule("ptflops", *CLASSES)
@hook_only
def ptflops(layer, shape_in, shape_out):
    rows = numel(shape_in[:-1])
    bias = layer.out_features if has_bias(layer) else 0
    return rows * (layer.in_features * layer.out_features + bias), (
        "linear hook: rows × I × O" + (" + bias 1 per output" if bias else ""))


@rule("ptflops_aten", *CLASSES)
def ptflops_aten(layer, shape_in, shape_out):
    macs = numel(shape_in) * layer.out_features
    if has_bias(layer):
        return macs + numel(shape_out), "aten.addmm: rows × I × O + bias 1 per output"
    return macs, "aten.mm: rows × I × O"


@rule("fvcore", *CLASSES)
def fvcore(layer, shape_in, shape_out):
    return numel(shape_in) * layer.out_features, "aten::linear: in numel × O; bias ignored"


@rule("torch", *CLASSES)
def torch(layer, shape_in, shape_out):
    return 2 * numel(shape_in) * layer.out_features, "aten.addmm/mm: 2 × rows × I × O; bias ignored"


@rule("tf", *CLASSES)
def tf(layer, shape_in, shape_out):
    b, why = (numel(shape_out), " + BiasAdd 1 per output") if has_bias(layer) else (0, "")
    return 2 * numel(shape_in) * layer.out_features + b, f"MatMul: 2 × rows × I × O{why}"
