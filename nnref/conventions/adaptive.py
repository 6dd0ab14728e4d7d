"""Every tool's rule for AdaptiveMaxPool1d/2d/3d and AdaptiveAvgPool1d/2d/3d.

THOP estimates the average's window from the sizes, fvcore counts one per input
element (2-D only), ptflops the input numel twice, TF a Mean for global pooling.
nnref's counts: :mod:`nnref.formulas.adaptive`.
"""
from __future__ import annotations

from ..core.shapes import adaptive_total
from ._common import numel
from ._registry import rule, zero
from .pool import ptflops

MAX = ("AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d")
AVG = ("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d")

rule("thop", *MAX)(zero("zero_ops: max pooling counted 0"))


@rule("thop", *AVG)
def thop_avg(layer, shape_in, shape_out):
    """(∏ in/out as float64 + 1) × out numel, truncated by int(), as THOP computes it."""
    kernel = 1.0
    for i, o in zip(shape_in[2:], shape_out[2:], strict=True):
        kernel *= float(i) / float(o)
    return (int((kernel + 1.0) * numel(shape_out)),
            "count_adap_avgpool: (∏(in/out) adds + 1 div) × out numel")


rule("ptflops", *MAX, *AVG)(ptflops)  # as every pool: hook on the input numel + F.adaptive_*
rule("ptflops_aten", *MAX, *AVG)(zero("no aten.mm/addmm/bmm/convolution: 0"))


@rule("fvcore", *MAX, *AVG)
def fvcore(layer, shape_in, shape_out):
    if layer.kind == "AdaptiveAvgPool2d":
        return numel(shape_in), "aten::adaptive_avg_pool2d: 1 per input element"
    op = f"aten::adaptive_{'max' if 'Max' in layer.kind else 'avg'}_pool{layer.kind[-2:]}"
    return 0, f"{op}: unsupported op, 0"


rule("torch", *MAX, *AVG)(zero("no flop formula registered: 0"))


@rule("tf", *MAX, *AVG)
def tf(layer, shape_in, shape_out):
    n = len(layer.output_size)
    is_max = "Max" in layer.kind
    if all(o == 1 for o in shape_out[-n:]):
        return ((0, "global pooling → Max: not registered, 0") if is_max else
                (numel(shape_in), "global pooling → Mean: 1 per input element"))
    if n == 3:
        return 0, f"{'Max' if is_max else 'Avg'}Pool3D: not registered, 0"
    taps = numel(shape_in[:-n])  # Σ of window sizes: N·C · ∏_axes Σ_j w_j
    for i, o in zip(shape_in[-n:], shape_out[-n:], strict=True):
        taps *= adaptive_total(i, o)
    return taps, f"{'MaxPool' if is_max else 'AvgPool'} per window: window size per output"
