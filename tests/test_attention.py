"""ScaledDotProductAttention and MultiheadAttention: hand counts, torch's semantics, bad input.

The generic suites check torch parity, NaN, threads and kernel = formula = traced reference
on the catalogue and on drawn configurations; here: counts worked out by hand, what torch
2.13 does with fully masked rows on each of its paths, skip = dense = torch on clean
inputs, the mask-mode report, call options, and every bad argument by name.
"""
import attention_twins as twins
import numpy as np
import pytest
from conftest import assert_close_torch, rand, to_torch, torch

import nnref
from nnref import OpCounts, formulas
from nnref.layers import Linear, MultiheadAttention, ScaledDotProductAttention
from nnref.models import Sequential

F = torch.nn.functional
SDPA, MHA = ScaledDotProductAttention, MultiheadAttention


def qkv(q, k, v, dtype=np.float64):
    return rand(q, dtype, 0), rand(k, dtype, 1), rand(v, dtype, 2)


def counts(layer, *xs):
    """The kernel's counts, checked against the closed form."""
    y, ops = layer(*xs)
    shape = xs[0].shape if len(xs) == 1 else tuple(x.shape for x in xs)
    assert formulas.for_layer(layer, shape) == ops
    return ops


# -- counts by hand ---------------------------------------------------------------------------

def test_sdpa_no_mask_by_hand():
    # L=2 queries, S=4 keys, E=3, Ev=2: 8 scores. Each: 3 mul + 2 add (dot), 1 mul (scale).
    # Softmax per row of 4: cmp 3 + 1 (the −inf test), sub 4, exp 4, add 3, div 4.
    # A·V: 2 rows × 2 outputs × (4 mul + 3 add).
    ops = counts(SDPA(), *qkv((2, 3), (4, 3), (4, 2)))
    assert ops == OpCounts(mul=8 * 3 + 8 + 2 * 2 * 4, add=8 * 2 + 2 * 3 + 2 * 2 * 3,
                           cmp=2 * 4, sub=8, exp=8, div=8)


def test_sdpa_causal_dense_adds_the_mask_to_every_score():
    # L = S = 3, E = Ev = 1: 9 scores, each + 1 add for the causal bias (0 or −inf).
    ops = counts(SDPA(is_causal=True), *qkv((3, 1), (3, 1), (3, 1)))
    assert ops == OpCounts(mul=9 + 9 + 9, add=9 + 3 * 2 + 3 * 2, cmp=3 * 3, sub=9, exp=9,
                           div=9)


def test_sdpa_causal_skip_computes_the_triangle_only():
    # rows keep 1, 2, 3 keys: 6 scores, no mask add; softmax rows of n: cmp n − 1 + 1,
    # add n − 1 (0 + 1 + 2); A·V (Ev = 1): mul n, add n − 1.
    ops = counts(SDPA(is_causal=True, mask_mode="skip"), *qkv((3, 1), (3, 1), (3, 1)))
    assert ops == OpCounts(mul=6 + 6 + 6, add=3 + 3, cmp=6, sub=6, exp=6, div=6)


def test_sdpa_float_mask_is_added_in_skip_mode_too_and_minus_inf_is_skipped():
    mask = np.array([[0.5, -np.inf, 1.0]])  # row 0 keeps keys 0 and 2, rows broadcast
    q, k, v = qkv((2, 1), (3, 1), (3, 1))
    dense, skip = (counts(SDPA(mask, mask_mode=m), q, k, v) for m in ("dense", "skip"))
    assert dense.add - skip.add == (6 - 4) * 1 + 2 * 1 + 2 * 1  # dots, 2 scores, sums, A·V
    assert skip == OpCounts(mul=4 * 3, add=4 + 2 + 2, cmp=4, sub=4, exp=4, div=4)


def test_mha_self_attention_by_hand():
    # E=4, H=2 (head_dim 2), N=1, L=2, bias, need_weights (averaged). Projections q, k, v
    # and out_proj: 4 × (2 rows × 4 outputs × (4 mul, 3 + 1 add)). Per head: 4 scores of
    # 2 mul + 1 add, + 1 mul; softmax rows of 2: cmp 1 (no −inf test with weights), sub 2,
    # exp 2, add 1, div 2; A·V 2 rows × 2 × (2 mul, 1 add). Average: 4 positions, add 1, div 1.
    layer = MHA(4, 2, rng=0)
    ops = counts(layer, rand((2, 1, 4)))
    proj = OpCounts(mul=4 * 8 * 4, add=4 * 8 * 4)
    head = OpCounts(mul=4 * 2 + 4 + 4 * 2, add=4 + 2 + 4, cmp=2, sub=4, exp=4, div=4)
    assert ops == proj + head * 2 + OpCounts(add=4, div=4)


def test_scale_multiplies_each_computed_score():
    q, k, v = qkv((5, 2), (7, 2), (7, 1))
    ops = counts(SDPA(scale=1.0), q, k, v)  # a scale of 1 is still a multiplication
    assert ops.mul == 35 * 2 + 35 + 35 * 1


# -- torch's semantics ---------------------------------------------------------------------------

def test_fully_masked_rows_are_zero_in_sdpa_as_torch_on_every_backend():
    q, k, v = qkv((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 5), np.float32)
    mask = np.ones((4, 6), bool)
    mask[2] = False
    for mode in ("dense", "skip"):
        y, _ = SDPA(mask, mask_mode=mode)(q, k, v)
        assert (y[..., 2, :] == 0).all()
        for backend in (torch.nn.attention.SDPBackend.MATH,
                        torch.nn.attention.SDPBackend.FLASH_ATTENTION):
            with torch.nn.attention.sdpa_kernel(backend):
                ref = F.scaled_dot_product_attention(*map(to_torch, (q, k, v)),
                                                     attn_mask=torch.from_numpy(mask))
            assert_close_torch(y, ref)


@pytest.mark.parametrize("mode", ["dense", "skip"])
def test_fully_masked_rows_in_mha_follow_torch_path_by_path(mode):
    # key padding masks batch row 1 entirely. With need_weights torch runs F.softmax: NaN
    # weights and output. Without, its slow path runs SDPA: 0. Its fast path (eval, no
    # grad, self-attention, batch_first, ...) gives NaN there instead.
    kpm = np.zeros((2, 3), bool)
    kpm[1] = True
    x = rand((2, 3, 4), np.float32)
    for need_weights in (True, False):
        layer = MHA(4, 2, batch_first=True, key_padding_mask=kpm, need_weights=need_weights,
                    mask_mode=mode, rng=0)
        (y, w), _ = layer.forward_weights(x)
        module = twins.mha_module(layer, torch.float32)
        t = to_torch(x)
        ref, ref_w = module(t, t, t, key_padding_mask=torch.from_numpy(kpm),
                            need_weights=need_weights)  # grad on: the slow path
        assert_close_torch(y, ref)
        assert np.isnan(y[1]).all() if need_weights else (y[1] == y[1, 0]).all()
        if need_weights:
            assert_close_torch(w, ref_w) and np.isnan(w[1]).all()
        with torch.no_grad():
            fast = module(t, t, t, key_padding_mask=torch.from_numpy(kpm), need_weights=False)[0]
        assert np.isnan(fast[1].numpy()).all()  # torch's fast path: NaN


@pytest.mark.parametrize("name", ["ScaledDotProductAttention[causal, 3-D, skip]",
                                  "ScaledDotProductAttention[float mask, broadcast, skip]",
                                  "MultiheadAttention[masks, skip, weights False]"])
def test_skip_equals_dense_and_torch_on_clean_inputs(name):
    from catalogue import inputs, make

    layer, shape = make(name)
    xs = inputs(name, shape, np.float64)
    y_skip, ops_skip = layer(*xs)
    y_dense, ops_dense = layer.replace(mask_mode="dense")(*xs)
    np.testing.assert_allclose(y_skip, y_dense, rtol=1e-12, atol=1e-12)
    assert ops_skip.flops < ops_dense.flops
    ref = (twins.sdpa if layer.kind.startswith("Scaled") else twins.mha)(
        layer.replace(mask_mode="dense"), *map(to_torch, xs))
    assert_close_torch(y_skip, ref)


def test_weights_shapes_as_torch():
    x, k, v = rand((5, 3, 8)), rand((4, 3, 3)), rand((4, 3, 6))
    layer = MHA(8, 2, kdim=3, vdim=6, add_bias_kv=True, add_zero_attn=True, rng=0)
    assert layer.forward_weights(x, k, v)[0][1].shape == (3, 5, 6)  # S' = 4 + 1 + 1
    per_head = layer.replace(average_attn_weights=False).forward_weights(x, k, v)[0][1]
    assert per_head.shape == (3, 2, 5, 6)
    assert MHA(8, 2, rng=0).forward_weights(rand((5, 8)))[0][1].shape == (5, 5)  # unbatched
    assert MHA(8, 2, need_weights=False, rng=0).forward_weights(rand((5, 8)))[0][1] is None


def test_call_options_override_the_layer_for_one_call():
    kpm = np.zeros((3, 5), bool)
    kpm[:, 0] = True
    layer, x = MHA(8, 2, rng=0), rand((5, 3, 8))
    y, ops = layer(x, key_padding_mask=kpm, need_weights=False)
    y2, ops2 = layer.replace(key_padding_mask=kpm, need_weights=False)(x)
    np.testing.assert_array_equal(y, y2)
    assert ops == ops2 and layer.key_padding_mask is None and layer.need_weights
    q, k, v = qkv((2, 3), (4, 3), (4, 2))
    assert SDPA()(q, k, v, is_causal=True)[1] == SDPA(is_causal=True)(q, k, v)[1]
    with pytest.raises(TypeError, match="dropout= is not a call option"):
        layer(x, dropout=0.1)


def test_parameters_use_torch_names():
    layer = MHA(8, 2, add_bias_kv=True, kdim=3, rng=0)
    assert list(layer.parameters()) == ["q_proj_weight", "k_proj_weight", "v_proj_weight",
                                        "in_proj_bias", "bias_k", "bias_v", "out_proj.weight",
                                        "out_proj.bias"]
    assert layer.num_params == sum(p.numel() for p in twins.mha_module(
        layer, torch.float32).parameters())
    layer.out_proj.weight = np.zeros((8, 9), np.float32)
    with pytest.raises(ValueError, match="out_proj.weight has shape"):
        layer(rand((5, 1, 8)), rand((4, 1, 3)), rand((4, 1, 8)))


def test_mask_modes_report_of_a_causal_model():
    L, E = 12, 8
    causal = np.triu(np.ones((L, L), bool), 1)
    model = Sequential(Linear(E, E, rng=0), MHA(E, 2, batch_first=True, need_weights=False,
                                                attn_mask=causal, is_causal=True, rng=1))
    modes = nnref.count_mask_modes(model, (2, L, E))
    (_, _, lin_d, lin_s), (_, kind, att_d, att_s) = modes.rows()
    assert lin_d == lin_s and kind == "MultiheadAttention"
    # skip computes the 78 of 144 scores of each of 2 × 2 heads that causality keeps
    assert att_d.flops - att_s.flops == modes.saved > 0
    assert modes.skip.total == nnref.count_report(model, (2, L, E), mask_mode="skip").total
    assert model[1].mask_mode == "dense"  # restored
    text = modes.table(units="raw")
    assert "MultiheadAttention" in text and f"{modes.saved:,}" in text
    assert modes.as_dict()["saved_flops"] == modes.saved
    with pytest.raises(ValueError, match="mask_mode='flash'"):
        nnref.count_report(model, (2, L, E), mask_mode="flash")
    from nnref.reports.modes import MaskModes

    with pytest.raises(ValueError, match="different calls"):
        MaskModes(modes.dense, nnref.count_report(Linear(E, E), (2, L, E)))
    one = nnref.count_mask_modes(SDPA(is_causal=True), ((2, L, E), (2, L, E), (2, L, E)))
    assert one.saved == one.dense.total.flops - one.skip.total.flops > 0


# -- bad input, by name ---------------------------------------------------------------------------

@pytest.mark.parametrize("make_layer,error,match", [
    (lambda: MHA(7, 2), ValueError, "embed_dim=7 is not divisible by num_heads=2"),
    (lambda: MHA(8, 2, dropout=1.5), ValueError, "dropout=1.5"),
    (lambda: MHA(8, 2, attn_mask=np.zeros((2, 2), int)), TypeError, "attn_mask of dtype int64"),
    (lambda: MHA(8, 2, key_padding_mask=np.zeros((1, 2, 3), bool)), ValueError, "key_padding_mask"),
    (lambda: MHA(8, 2, is_causal=True), ValueError, "is_causal=True without attn_mask"),
    (lambda: MHA(8, 2, is_causal=True, attn_mask=np.ones((3, 3), bool)), ValueError,
     "not the causal mask|attn_mask is not"),
    (lambda: MHA(8, 2, is_causal=True, add_bias_kv=True, attn_mask=twins.CAUSAL_5), ValueError,
     "add_bias_kv"),
    (lambda: MHA(8, 2, mask_mode="flash"), ValueError, "mask_mode='flash'"),
    (lambda: SDPA(dropout_p=0.1), ValueError, "dropout_p=0.1"),
    (lambda: SDPA(np.ones((2, 2), bool), is_causal=True), ValueError, "is_causal=True with an attn_mask"),
    (lambda: SDPA(np.ones(3, bool)), ValueError, "at least 2 axes"),
    (lambda: SDPA(scale=float("nan")), ValueError, "scale=nan"),
    (lambda: SDPA([[1, 2]]), TypeError, "attn_mask of dtype int64|attn_mask="),
])
def test_bad_arguments_are_named(make_layer, error, match):
    with pytest.raises(error, match=match):
        make_layer()


@pytest.mark.parametrize("layer,shapes,match", [
    (SDPA(), ((2, 3), (4, 2), (4, 2)), "query has E=3, key has 2"),
    (SDPA(), ((2, 3), (4, 3), (5, 2)), "key has S=4, value has 5"),
    (SDPA(), ((2, 2, 3), (3, 4, 3), (3, 4, 2)), "do not broadcast"),
    (SDPA(), ((1, 2, 3), (1, 4, 3), (2, 4, 2)), "would enlarge"),
    (SDPA(enable_gqa=True), ((1, 4, 2, 3), (1, 3, 4, 3), (1, 3, 4, 2)), "divide the query's"),
    (SDPA(np.ones((2, 5), bool)), ((2, 3), (4, 3), (4, 2)), "attn_mask has shape"),
    (MHA(8, 2), ((5, 3, 8), (4, 3, 7), (4, 3, 8)), "key has 7 features; expected kdim=8"),
    (MHA(8, 2, kdim=3), ((5, 3, 8),), "key has 8 features; expected kdim=3"),
    (MHA(8, 2), ((5, 3, 8), (4, 2, 8), (4, 2, 8)), "one batch size"),
    (MHA(8, 2, key_padding_mask=np.zeros((3, 4), bool)), ((5, 3, 8),), "key_padding_mask has shape"),
    (MHA(8, 2, attn_mask=np.zeros((5, 5, 1), bool)), ((5, 3, 8),), "attn_mask has shape"),
    (MHA(8, 2), ((5, 3, 8), (4, 3, 8)), "input_shape=|key and value both"),
])
def test_shapes_that_do_not_fit_are_named(layer, shapes, match):
    with pytest.raises((ValueError, TypeError), match=match):
        layer.output_shape(shapes)
    with pytest.raises((ValueError, TypeError), match=match):
        layer(*(rand(s) for s in shapes))


def test_one_shape_is_every_operands_shape():
    # SDPA: query, key and value all (1, 4, 3); MultiheadAttention: self-attention
    assert SDPA().check_shape((1, 4, 3)) == ((1, 4, 3),) * 3
    assert formulas.for_layer(SDPA(), (1, 4, 3)) == nnref.count(SDPA(), ((1, 4, 3),) * 3)
    assert MHA(3, 1).check_shape(((5, 2, 3),)) == (5, 2, 3) == MHA(3, 1).output_shape((5, 2, 3))


def test_operands_must_agree_in_dtype_and_come_as_key_and_value():
    q, k, v = qkv((2, 3), (4, 3), (4, 2))
    with pytest.raises(TypeError, match="value has dtype float32"):
        SDPA()(q, k, v.astype(np.float32))
    with pytest.raises(TypeError, match="key and value both"):
        MHA(3, 1)(q, k)
