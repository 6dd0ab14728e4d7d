"""Every tool's rule for ScaledDotProductAttention and MultiheadAttention.

Checked live (tests/test_attention_tools.py) with thop 0.1.1.post2209072238, ptflops
0.7.5, fvcore 0.1.5.post20221221 and torch 2.13 on CPU, each run as it is usually run:
THOP, fvcore and FlopCounterMode under ``eval()`` and ``no_grad()``, ptflops'
``get_model_complexity_info`` as it runs itself (``eval()``, grad enabled). What they see
depends on which of torch's code paths runs:

* ``nn.MultiheadAttention`` takes a fused **fast path**, one ``aten._native_multi_head_attention``
  op that no tool counts, when it runs in eval with grad off (or no parameter requiring
  grad) on a batched self-attention call (query is key is value: in nnref, one operand)
  with ``batch_first``, ``bias``, an even ``num_heads``, equal embed dims, no
  ``add_bias_kv``, no ``add_zero_attn`` and no float mask. Otherwise its **slow path**
  (``F.multi_head_attention_forward``) runs the projections as ``linear``, and then with
  ``need_weights`` ``bmm`` (``baddbmm`` when a mask is given), ``softmax`` and ``bmm``;
  without, ``F.scaled_dot_product_attention``.
* ``F.scaled_dot_product_attention`` runs on CPU as one ``_scaled_dot_product_flash_attention_for_cpu``
  op (no tool counts it: FlopCounterMode's attention formulas are registered for the CUDA
  kernels only) when query, key and value are 4-D with equal batch and head sizes (or
  grouped-query heads), equal last axes E = Ev and a 2-D or 4-D mask; otherwise as torch's
  math composite: ``bmm`` for Q·Kᵀ and for A·V, which FlopCounterMode and ptflops' aten
  backend count.

TF: measured with TF 2.21 and Keras 3.15 (``benchmarks/tf_fixtures.py`` →
tests/data/tf_profiler.json) on the ops Keras 3 emits on the TF backend
(``flops_registry.py``: ``Einsum`` has no registration, so 0; ``Mul``, ``AddV2``,
``Sub``, ``RealDiv`` 1 per output element, ``BatchMatMulV2`` 2 per MAC,
``Softmax`` 5 per element, ``Mean`` 1 per input element):
``keras.ops.dot_product_attention`` (einsum, a ``Mul`` by the scale on the scores, a
scalar ``RealDiv`` for the default scale, ``tf.repeat`` of grouped heads, ``AddV2`` of a
float bias, masks by ``where``, ``Softmax``, einsum) and ``keras.layers.MultiHeadAttention``
(``EinsumDense`` projections, whose einsums Keras 3.15 rewrites as ``BatchMatMulV2``, and
their bias; without returned scores, ``dot_product_attention``; with them, a ``Mul`` on the
query, ``BatchMatMulV2`` for Q·Kᵀ and A·V, a masked ``Softmax`` layer adding
(1 − mask)·(−1e9), ``Softmax``; the head average as ``Mean``). A mask passed to
MultiHeadAttention is read from Keras' source, not measured (the fixture's ports take none).
nnref's counts: :mod:`nnref.formulas.attention`.
"""
from __future__ import annotations

from math import prod

import numpy as np

from ._registry import hook_only, rule, zero

SDPA, MHA = "ScaledDotProductAttention", "MultiheadAttention"


# -- ScaledDotProductAttention ---------------------------------------------------------------

def _sdpa(layer, shape_in) -> tuple:
    """(Q·Kᵀ MACs, A·V MACs, scores, flash): flash is torch 2.13's CPU choice."""
    batch, L, S, E, Ev, _ = layer.geometry(shape_in)
    q, k, v = layer.check_shape(shape_in)  # one shape: every operand's
    G = prod(batch)
    heads = (q[1] == k[1] == v[1] or (layer.enable_gqa and k[1] == v[1] and q[1] % k[1] == 0)) \
        if len(q) == 4 else False
    mask = layer.attn_mask
    flash = (len(q) == len(k) == len(v) == 4 and q[0] == k[0] == v[0] and heads and E == Ev
             and (mask is None or mask.ndim in (2, 4)))
    return G * L * S * E, G * L * S * Ev, G * L * S, flash


rule("thop", SDPA)(zero("F.scaled_dot_product_attention is a function, no module: 0"))
rule("ptflops", SDPA)(hook_only(zero("F.scaled_dot_product_attention: no module hook, not "
                                     "patched: 0")))
rule("fvcore", SDPA)(zero("aten::scaled_dot_product_attention: unsupported op, 0"))


@rule("ptflops_aten", SDPA)
def sdpa_aten(layer, shape_in, shape_out):
    qk, av, _, flash = _sdpa(layer, shape_in)
    if flash:
        return 0, "aten._scaled_dot_product_flash_attention_for_cpu: not counted, 0"
    return qk + av, "math path: aten.bmm for Q·Kᵀ and A·V (MACs); scale, mask, softmax 0"


@rule("torch", SDPA)
def sdpa_torch(layer, shape_in, shape_out):
    qk, av, _, flash = _sdpa(layer, shape_in)
    if flash:
        return 0, "aten._scaled_dot_product_flash_attention_for_cpu: no flop formula, 0"
    return 2 * (qk + av), "math path: aten.bmm for Q·Kᵀ and A·V, 2 per MAC; softmax 0"


@rule("tf", SDPA)
def sdpa_tf(layer, shape_in, shape_out):
    """``keras.ops.dot_product_attention`` on (N, L, heads, E), measured (TF 2.21, Keras
    3.15): Einsum 0, Mul by the scale 1 + Softmax 5 per score (+ AddV2 1 per score for a
    float bias); with ``scale=None`` Keras computes 1 / sqrt(E) in the graph, one scalar
    RealDiv (+1); with grouped heads (Hq > Hkv > 1) it runs ``tf.repeat`` on key and on
    value, each one scalar Mul (repeats × heads) for the new shape (+2)."""
    _, _, scores, _ = _sdpa(layer, shape_in)
    q, k, _ = layer.check_shape(shape_in)
    bias = layer.attn_mask is not None and layer.attn_mask.dtype != np.bool_
    div = layer.scale is None
    repeat = 2 if len(q) == 4 and q[1] > k[1] > 1 else 0
    return scores * (6 + bias) + div + repeat, (
        "keras.ops.dot_product_attention: Einsum 0, Mul by the scale 1 per score"
        + (", AddV2 bias 1 per score" if bias else "") + ", Softmax 5 per score"
        + (", RealDiv 1 / sqrt(E) 1" if div else "") + (", tf.repeat of k and v: Mul 2"
                                                        if repeat else ""))


# -- MultiheadAttention --------------------------------------------------------------------

def _mha(layer, shape_in) -> dict:
    """The sizes every MultiheadAttention rule reads."""
    batched, N, L, S = layer.geometry(shape_in)
    self_attention = not isinstance(shape_in[0], tuple)
    E, H, d = layer.embed_dim, layer.num_heads, layer.head_dim
    S2 = S + layer.add_bias_kv + layer.add_zero_attn
    masks = [m for m in (layer.attn_mask, layer.key_padding_mask) if m is not None]
    fast = (self_attention and batched and layer.batch_first and layer.bias and H % 2 == 0
            and layer._qkv_same_embed_dim and not layer.add_bias_kv and not layer.add_zero_attn
            and all(m.dtype == np.bool_ for m in masks))
    return dict(batched=batched, N=N, L=L, S=S, E=E, H=H, d=d, S2=S2, masked=bool(masks),
                fast=fast, self_attention=self_attention,
                proj=N * L * E * E + N * S * E * layer.kdim + N * S * E * layer.vdim,
                out=N * L * E * E, core=N * H * L * S2 * d)


rule("thop", MHA)(zero("no rule for nn.MultiheadAttention (THOP looks up exact types; its "
                       "out_proj is a NonDynamicallyQuantizableLinear, no rule either): 0"))


def _ptflops_hook(layer, shape_in) -> int:
    """ptflops 0.7.5's ``multihead_attention_counter_hook``, as written: q scaling L·E,
    projections L·E² + S·kdim² + S·vdim² (kdim², not E·kdim), the in-projection bias
    (L + 2S)·E, per head L·S·(E/H + 1 + vdim/H) (S without the appended keys), the output
    projection L·vdim·(vdim + 1), all × the batch size."""
    shapes = shape_in if isinstance(shape_in[0], tuple) else (shape_in,) * 3
    (q, k, v), bf = shapes, layer.batch_first
    (n, lq), (_, lk), (_, lv) = [(s[0], s[1]) if bf else (s[1], s[0]) for s in (q, k, v)]
    qd, kd, vd, H = q[2], k[2], v[2], layer.num_heads
    flops = lq * qd + lq * qd * qd + lk * kd * kd + lv * vd * vd
    flops += (lq + lk + lv) * qd if layer.bias else 0
    flops += H * (lq * lk * (qd // H) + lq * lk + lq * lk * (vd // H))
    return (flops + lq * vd * (vd + 1)) * n


@rule("ptflops", MHA)
def mha_ptflops(layer, shape_in, shape_out, call):
    """The module hook (:func:`_ptflops_hook`), divided by the batch like every hook, and in
    the slow path that ptflops runs (it leaves grad on) with need_weights, the patched
    torch.bmm (torch.baddbmm, + the mask's numel, with a mask) for Q·Kᵀ, F.softmax and
    torch.bmm for A·V, not divided."""
    if len(shape_in[0] if isinstance(shape_in[0], tuple) else shape_in) == 2:
        return 0, ("the module hook raises IndexError on an unbatched (2-D) query: ptflops "
                   "prints it and returns None for the whole model"), None
    m = _mha(layer, shape_in)
    why = "multihead_attention_counter_hook (kdim², vdim², × batch)"
    if not layer.need_weights:
        return _ptflops_hook(layer, shape_in), why + "; F.scaled_dot_product_attention not "                                                      "patched", None
    N, H, L, S2 = m["N"], m["H"], m["L"], m["S2"]
    am, kpm = layer.attn_mask, layer.key_padding_mask
    mask = (N * H * L * S2 if (am is not None and (am.ndim == 3 or kpm is not None)) else
            L * S2 if am is not None else N * H * S2 if kpm is not None else 0)
    qk = N * L * m["E"] * S2 + mask
    patched = qk + N * H * L * S2 + m["core"]
    name = "torch.baddbmm" if m["masked"] else "torch.bmm"
    return (_ptflops_hook(layer, shape_in), f"{why}; patched {name}, F.softmax, torch.bmm", name,
            patched)


@rule("ptflops_aten", MHA)
def mha_aten(layer, shape_in, shape_out):
    """The slow path (grad on): linear as aten.addmm (bias counted) on a contiguous input,
    as aten.mm + add (bias not counted) on batch_first's transposed view; with need_weights
    aten.bmm for Q·Kᵀ (aten.baddbmm, not counted, with a mask) and for A·V."""
    m = _mha(layer, shape_in)
    N, L, S, E = m["N"], m["L"], m["S"], m["E"]
    view = m["batched"] and layer.batch_first  # inputs transposed to (T, N, ·)
    rows = [(N * L, L)] if m["self_attention"] else [(N * L, L), (N * S, S), (N * S, S)]
    bias = sum(r * (3 * E if m["self_attention"] else E) for r, t in rows
               if layer.bias and not (view and N > 1 and t > 1))
    core, why = _bmm(layer, m, "aten.", "the SDPA flash kernel: 0")
    out = m["out"] + (N * L * E if layer.bias else 0)
    return m["proj"] + bias + core + out, "aten.addmm/mm for the projections (bias when " \
                                          "contiguous)" + why


def _bmm(layer, m, prefix, missed) -> tuple:
    """(MACs, why) of the weights path's products for a tool that counts bmm but not
    baddbmm (with a mask, Q·Kᵀ is a baddbmm); ``missed``: what it says without weights."""
    if not layer.need_weights:
        return 0, f", {missed}"
    if m["masked"]:
        return m["core"], f", {prefix}bmm for A·V (Q·Kᵀ is {prefix}baddbmm: 0)"
    return 2 * m["core"], f", {prefix}bmm for Q·Kᵀ and A·V"


@rule("fvcore", MHA)
def mha_fvcore(layer, shape_in, shape_out):
    m = _mha(layer, shape_in)
    if m["fast"]:
        return 0, "fast path: aten::_native_multi_head_attention, unsupported op, 0"
    core, why = _bmm(layer, m, "aten::", "aten::scaled_dot_product_attention unsupported, 0")
    return m["proj"] + m["out"] + core, "aten::linear for the projections (bias ignored)" + why


@rule("torch", MHA)
def mha_torch(layer, shape_in, shape_out):
    m = _mha(layer, shape_in)
    if m["fast"]:
        return 0, "fast path: aten._native_multi_head_attention, no flop formula, 0"
    core = 2 * m["core"] if layer.need_weights else 0
    return 2 * (m["proj"] + m["out"] + core), (
        "slow path: aten.addmm/mm for the projections, 2 per MAC (bias ignored)"
        + (", aten.bmm/baddbmm for Q·Kᵀ and A·V" if layer.need_weights else
           ", the SDPA flash kernel: no formula, 0"))


@rule("tf", MHA)
def mha_tf(layer, shape_in, shape_out):
    """keras.layers.MultiHeadAttention, measured (TF 2.21, Keras 3.15); torch's masks passed
    as one bool attention_mask (a float mask has no Keras equivalent: counted as a bool one).
    Keras 3.15's TF backend turns its einsums into BatchMatMulV2 (+ Reshape/Transpose), which
    is counted: 2·(P + O) MACs for the EinsumDense projections always, and with
    need_weights (``return_attention_scores``) 2·2·A for Q·Kᵀ and A·V; without weights the
    core runs through ``ops.dot_product_attention`` (Einsum: 0)."""
    m = _mha(layer, shape_in)
    N, L, S, S2, E, H = m["N"], m["L"], m["S"], m["S2"], m["E"], m["H"]
    bias = (2 * N * L * E + 2 * N * S * E) if layer.bias else 0
    scores = N * H * L * S2
    dense = 2 * (m["proj"] + m["out"])
    if not layer.need_weights:
        return dense + bias + 6 * scores, (
            "EinsumDense: BatchMatMulV2 2 per MAC + AddV2/BiasAdd bias; dot_product_attention: "
            "Einsum 0, Mul 1 + Softmax 5 per score")
    masked = (2 * N * L * S2 + scores) if m["masked"] else 0
    mean = scores if layer.average_attn_weights else 0
    return dense + 4 * m["core"] + bias + N * L * E + masked + 5 * scores + mean, (
        "EinsumDense: BatchMatMulV2 2 per MAC + AddV2/BiasAdd bias; Mul on the query; "
        "BatchMatMulV2 for Q·Kᵀ and A·V, 2 per MAC; " + (
            "masked Softmax layer: Sub, Mul per mask element, AddV2 per score; " if masked else "")
        + "Softmax 5 per score" + ("; Mean over the heads" if mean else ""))
