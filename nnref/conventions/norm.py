"""Every tool's rule for the norms: BatchNorm1d/2d/3d in inference (torch's ``nn.BatchNorm*d``),
LayerNorm, GroupNorm and InstanceNorm1d/2d/3d.

THOP, ptflops and fvcore count per element only, in their own ways (THOP has no GroupNorm
rule; ptflops never doubles LayerNorm, which has no ``.affine``); TF adds the per-channel
or per-group ops of its Keras layers; torch counts nothing. nnref's counts:
:func:`nnref.formulas.norm.batch_norm`, :func:`nnref.formulas.norm.input_norm`.
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


# -- LayerNorm, GroupNorm, InstanceNorm1d/2d/3d ------------------------------------------------
# Checked live against THOP, ptflops, fvcore and FlopCounterMode in
# tests/test_conventions_norm_activation.py; the TF rules (Keras 3's layer_normalization,
# group_normalization, TF's tf.nn.moments) against the profiler, TF 2.21 and Keras 3.15
# (tests/data/tf_profiler.json).

INSTANCE = ("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d")
INPUT_NORMS = ("LayerNorm", "GroupNorm", *INSTANCE)

rule("thop", *INSTANCE)(thop)  # count_normalization, by the module's .affine
rule("thop", "GroupNorm")(zero("no rule for nn.GroupNorm: 0"))


@rule("thop", "LayerNorm")
def thop_layer_norm(layer, shape_in, shape_out):
    if layer.elementwise_affine:
        return 4 * numel(shape_in), "count_normalization: 2 × numel, × 2 with elementwise_affine"
    return 2 * numel(shape_in), "count_normalization: 2 × numel (no elementwise_affine)"


rule("ptflops", "GroupNorm", *INSTANCE)(ptflops)  # bn hook, by the module's .affine
rule("ptflops", "LayerNorm")(hook_only(lambda layer, shape_in, shape_out: (
    numel(shape_in), "bn hook: numel (nn.LayerNorm has no .affine, so never × 2)")))
rule("ptflops_aten", *INPUT_NORMS)(zero("no aten.mm/addmm/bmm/convolution: 0"))
rule("torch", *INPUT_NORMS)(zero("no flop formula registered: 0"))


def _fvcore_norm(op: str, affine: bool, shape_in):
    """fvcore's norm_flop_counter: numel × 5 with γ, × 4 without; it asserts 2 <= ndim <= 5."""
    if not 2 <= len(shape_in) <= 5:
        return 0, (f"aten::{op}: fvcore asserts 2 <= ndim <= 5, so FlopCountAnalysis raises "
                   f"AssertionError on this {len(shape_in)}-D input (0 here)")
    if affine:
        return 5 * numel(shape_in), f"aten::{op}: 5 × numel with affine"
    return 4 * numel(shape_in), f"aten::{op}: 4 × numel without affine"


@rule("fvcore", "LayerNorm")
def fvcore_layer_norm(layer, shape_in, shape_out):
    return _fvcore_norm("layer_norm", layer.elementwise_affine, shape_in)


@rule("fvcore", "GroupNorm")
def fvcore_group_norm(layer, shape_in, shape_out):
    return _fvcore_norm("group_norm", layer.affine, shape_in)


@rule("fvcore", *INSTANCE)
def fvcore_instance_norm(layer, shape_in, shape_out):
    """torch runs an unbatched input as a batch of one: aten::instance_norm sees N+1 axes,
    running statistics or not."""
    batched = len(shape_in) == layer.spatial + 2
    return _fvcore_norm("instance_norm", layer.affine, shape_in if batched else (1, *shape_in))


def _keras_norm(n: int, stats: int, gamma: int, beta: int) -> int:
    """TF ops of Keras 3's normalisation of ``n`` elements with ``stats`` means/variances:
    tf.nn.moments (Mean n, SquaredDifference 2n, Mean n), AddV2 and Rsqrt (2) on the
    variance, inv·γ [Mul ``gamma``], −mean·inv [Neg stats, Mul ``gamma`` or stats],
    + β [AddV2 ``beta``], x·inv + res [Mul n, AddV2 n]."""
    return 4 * n + 3 * stats + gamma + stats + (gamma or stats) + beta + 2 * n


@rule("tf", "LayerNorm")
def tf_layer_norm(layer, shape_in, shape_out):
    """keras.layers.LayerNormalization(axis=trailing axes): γ broadcasts inv to every element."""
    n = numel(shape_in)
    rows = n // numel(layer.normalized_shape)
    g, b = (n if layer.scaled else 0), (n if layer.shifted else 0)
    return _keras_norm(n, rows, g, b), "Mean, SquaredDifference, AddV2, Rsqrt, Neg, Mul"


@rule("tf", "GroupNorm")
def tf_group_norm(layer, shape_in, shape_out):
    """keras.layers.GroupNormalization(groups=G): γ and β reshaped to (G, C/G), so inv·γ has
    N·C elements."""
    stats, nc = shape_in[0] * layer.num_groups, shape_in[0] * layer.num_channels
    a = nc if layer.affine else 0
    return _keras_norm(numel(shape_in), stats, a, a), "Mean, SquaredDifference, AddV2, Rsqrt, Neg, Mul"


@rule("tf", *INSTANCE)
def tf_instance_norm(layer, shape_in, shape_out):
    """Keras has no InstanceNormalization: GroupNormalization(groups=-1) (one group per
    channel); with running statistics, BatchNormalization."""
    if layer.track_running_stats:
        return tf(layer, shape_in, shape_out)
    n = numel(shape_in)
    nc = n // numel(shape_in[len(shape_in) - layer.spatial:])
    a = nc if layer.affine else 0
    return _keras_norm(n, nc, a, a), "GroupNormalization(groups=-1): Mean, SquaredDifference, ..."
