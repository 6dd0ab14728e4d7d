"""Every tool's rule for BatchNorm1d/2d/3d in inference (torch's ``nn.BatchNorm*d``).

THOP, ptflops and fvcore count per element only, in their own ways; TF adds the fold
per channel of its own ops; torch counts nothing. nnref's counts:
:func:`nnref.formulas.norm.batch_norm`.
"""
from __future__ import annotations

from ._common import numel
from ._registry import hook_only, rule, zero

CLASSES = ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d")


@rule("thop", *CLASSES)
def thop(layer, shape_in, shape_out):
    if layer.affine:
        return 4 * numel(shape_in), "count_normalization: 2 × numel, × 2 with affine"
    return 2 * numel(shape_in), "count_normalization: 2 × numel (no affine)"


@rule("ptflops", *CLASSES)
@hook_only
def ptflops(layer, shape_in, shape_out):
    if layer.affine:
        return 2 * numel(shape_in), "bn hook: 2 × numel with affine"
    return numel(shape_in), "bn hook: numel without affine"


rule("ptflops_aten", *CLASSES)(zero("no aten.mm/addmm/bmm/convolution: 0"))


@rule("fvcore", *CLASSES)
def fvcore(layer, shape_in, shape_out):
    if layer.affine:
        return 2 * numel(shape_in), "aten::batch_norm (eval): 2 × numel with affine"
    return numel(shape_in), "aten::batch_norm (eval): numel without affine"


rule("torch", *CLASSES)(zero("no flop formula registered: 0"))


@rule("tf", *CLASSES)
def tf(layer, shape_in, shape_out):
    """Keras 3: inv = rsqrt(σ² + eps) [AddV2 C, Rsqrt 2C], inv·γ [Mul C], β − μ·inv [Mul C,
    Sub C] (or −μ·inv: Neg C, Mul C), x·inv + shift [Mul n, AddV2 n]."""
    c = layer.num_features
    if layer.affine:
        return 2 * numel(shape_in) + 6 * c, "AddV2/Rsqrt/Mul/Sub: 2 per element + 6 per channel"
    return 2 * numel(shape_in) + 5 * c, "AddV2/Rsqrt/Mul/Neg: 2 per element + 5 per channel"
