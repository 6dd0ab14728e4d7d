"""RNN, GRU, LSTM: final states against torch, saturated gates, hand counts, deep,
bidirectional and projected layers, errors, and every tool's rule against the real tool.

Torch agreement of the outputs, NaN, threads and kernel = traced = formula on every
configuration are in tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from catalogue import recurrent_module
from conftest import assert_close_torch, rand, to_torch, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from live_tools import live, nnref_side, one
from strategies import STRATEGIES

from nnref import OpCounts
from nnref import formulas
from nnref.layers.recurrent import GRU, LSTM, RNN

KINDS = {"RNN": RNN, "GRU": GRU, "LSTM": LSTM}


def make(kind, i, h, bias=True, batch_first=False, dtype=np.float64, seed=0):
    """An nnref layer and a torch module of ``dtype`` holding the same weights."""
    layer = KINDS[kind](i, h, bias=bias, batch_first=batch_first, rng=seed)
    return layer, recurrent_module(layer, torch.float64 if dtype == np.float64 else torch.float32)


def torch_run(module, x, *states):
    with torch.no_grad():
        args = tuple(to_torch(s) for s in states)
        y, hn = module(to_torch(x), (args if len(args) == 2 else args[0]) if args else None)
    return (y,) + (hn if isinstance(hn, tuple) else (hn,))


# -- final states against torch -------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_final_state_from_given_state_matches_torch(kind, dtype):
    layer, module = make(kind, 4, 3, dtype=dtype)
    x = rand((5, 2, 4), dtype, seed=1)
    states = [rand((1, 2, 3), dtype, seed=2 + k) for k in range(2 if kind == "LSTM" else 1)]
    ours, _ = layer.forward_state(x, *states)
    for a, b in zip(ours, torch_run(module, x, *states), strict=True):
        assert_close_torch(a, b)


@pytest.mark.parametrize("kind", KINDS)
def test_final_state_from_zero_state_is_last_output(kind):
    layer, module = make(kind, 2, 3, batch_first=True)
    x = rand((3, 4, 2))
    (y, h_n, *c_n), _ = layer.forward_state(x)
    np.testing.assert_array_equal(h_n[0], y[:, -1])
    for a, b in zip((y, h_n, *c_n), torch_run(module, x), strict=True):
        assert_close_torch(a, b)


@pytest.mark.parametrize("kind", KINDS)
def test_saturated_gates_match_torch(kind):
    layer, module = make(kind, 2, 3, dtype=np.float32)
    x = np.array([[[60.0, -60.0]], [[-500.0, 500.0]], [[0.0, 0.0]]], np.float32)
    y, _ = layer(x)
    assert_close_torch(y, torch_run(module, x)[0])


# -- counts ------------------------------------------------------------------------------
def test_counts_gru_hand_checked():
    # GRU, I=2, H=3, T=1, B=1, bias:
    #   gi = W_ih·x + b_ih (9 rows): mul 9·2 = 18, add 9·1 + 9 = 18
    #   gh = W_hh·h + b_hh (9 rows): mul 9·3 = 27, add 9·2 + 9 = 27   (h0 = 0 still multiplied)
    #   r, z: add 3 + 3 = 6 to join, 6 sigmoids = neg 6, exp 6, add 6, div 6
    #   n: mul 3 (r⊙gh_n), add 3, 3 tanh = mul 3, exp 3, add 3, div 3, sub 3
    #   h': sub 3 (1 − z), mul 6, add 3
    # mul 18+27+3+3+6 = 57; add 18+27+6+6+3+3+3 = 66; sub 3+3 = 6; div 6+3 = 9; neg 6; exp 6+3 = 9
    expected = OpCounts(add=66, sub=6, mul=57, div=9, neg=6, exp=9)
    _, ops = GRU(2, 3, rng=0)(rand((1, 1, 2)))
    assert ops == expected


def test_counts_lstm_hand_checked_without_bias():
    # LSTM, I=1, H=2, T=2, B=1, no bias; per step:
    #   W_ih·x (8 rows, K=1): mul 8, add 0;  W_hh·h (8 rows, K=2): mul 16, add 8
    #   join: add 8; i, f, o: 6 sigmoids = neg 6, exp 6, add 6, div 6
    #   g: 2 tanh = mul 2, exp 2, add 2, div 2, sub 2
    #   c': mul 4, add 2;  h': 2 tanh (mul 2, exp 2, add 2, div 2, sub 2), mul 2
    # per step mul 8+16+2+4+2+2 = 34; add 8+8+6+2+2+2 = 28; sub 4; div 10; neg 6; exp 10
    expected = OpCounts(add=56, sub=8, mul=68, div=20, neg=12, exp=20)
    _, ops = LSTM(1, 2, bias=False, rng=0)(rand((2, 1, 1)))
    assert ops == expected


@pytest.mark.parametrize("kind", KINDS)
def test_counts_do_not_depend_on_data(kind):
    layer = KINDS[kind](3, 4, rng=0)
    x = rand((3, 2, 3))
    x2 = np.full_like(x, np.nan)
    x2[0, 0, 0] = 1e300
    assert layer(x)[1] == layer(x2)[1] == layer(np.zeros_like(x))[1]


# -- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_rejects_wrong_input_size(kind):
    layer = KINDS[kind](3, 4)
    with pytest.raises(ValueError) as e:
        layer(rand((5, 2, 4)))
    assert "input_size=3" in str(e.value) and "(5, 2, 4)" in str(e.value)
    with pytest.raises(ValueError, match="input_size=3"):
        formulas.for_layer(layer, (5, 2, 4))


@pytest.mark.parametrize("shape", [(3,), (1, 5, 2, 3)], ids=["1d", "4d"])
def test_rejects_wrong_ndim(shape):
    with pytest.raises(ValueError, match="input_size=3"):
        GRU(3, 4)(rand(shape))


def test_rejects_empty_input():
    with pytest.raises(ValueError, match="input_shape"):
        RNN(3, 4)(np.zeros((0, 2, 3)))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("args,name,err", [
    ((0, 4), "input_size", ValueError), ((3, -1), "hidden_size", ValueError),
    ((3.0, 4), "input_size", TypeError), ((3, 4, 0), "num_layers", ValueError),
    ((3, 4, True), "num_layers", TypeError),
])
def test_rejects_bad_config(kind, args, name, err):
    with pytest.raises(err, match=name):
        KINDS[kind](*args)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("kwargs,err,match", [
    (dict(bias="yes"), TypeError, "bias='yes'"), (dict(batch_first=1), TypeError, "batch_first=1"),
    (dict(dropout=1.5), ValueError, r"dropout=1.5 is invalid; expected a probability in \[0, 1\]"),
    (dict(dropout=True), TypeError, "dropout=True"),
    (dict(bidirectional="no"), TypeError, "bidirectional='no'"),
])
def test_rejects_bad_keyword(kind, kwargs, err, match):
    with pytest.raises(err, match=match):
        KINDS[kind](3, 4, num_layers=2, **kwargs)


def test_rejects_bad_nonlinearity_and_projection():
    with pytest.raises(ValueError, match=r"nonlinearity='sigmoid' is invalid; expected one of"):
        RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="proj_size=4 is invalid with hidden_size=4"):
        LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="proj_size=-1"):
        LSTM(3, 4, proj_size=-1)
    with pytest.warns(UserWarning, match="dropout=0.5 with num_layers=1 does nothing"):
        GRU(3, 4, dropout=0.5)


def test_rejects_bad_state_shape():
    with pytest.raises(ValueError, match="h0"):
        GRU(3, 4).forward_state(rand((5, 2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="c0"):
        LSTM(3, 4).forward_state(rand((5, 2, 3)), None, np.zeros((1, 2, 5)))
    with pytest.raises(TypeError, match="h0"):
        RNN(3, 4).forward_state(rand((5, 2, 3)), np.zeros((1, 2, 4), int))


def test_rejects_bad_weight_shape():
    layer = GRU(3, 4)
    layer.weight_hh_l0 = np.zeros((12, 3), np.float32)
    with pytest.raises(ValueError, match="weight_hh_l0"):
        layer(rand((2, 1, 3)))


def test_parameters_follow_torch():
    layer = LSTM(3, 5, rng=0)
    module = torch.nn.LSTM(3, 5)
    assert list(layer.parameters()) == [n for n, _ in module.named_parameters()]
    for name, p in module.named_parameters():
        ours = layer.parameters()[name]
        assert ours.shape == tuple(p.shape) and ours.dtype == np.float32
        assert np.abs(ours).max() <= 1 / np.sqrt(5)
    assert layer.num_params == sum(p.numel() for p in module.parameters())
    assert list(GRU(3, 5, bias=False).parameters()) == ["weight_ih_l0", "weight_hh_l0"]
    assert repr(GRU(3, 5, bias=False, batch_first=True)) == "GRU(3, 5, bias=False, batch_first=True)"


# -- deep, bidirectional, projected ------------------------------------------------------------
DEEP = [("RNN", dict(num_layers=2, nonlinearity="relu", bidirectional=True)),
        ("GRU", dict(num_layers=3, bidirectional=True, batch_first=True)),
        ("LSTM", dict(num_layers=2, bidirectional=True)),
        ("LSTM", dict(num_layers=2, bidirectional=True, proj_size=2, bias=False))]


@pytest.mark.parametrize("kind,kwargs", DEEP, ids=lambda v: str(v))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_deep_layers_and_final_states_match_torch(kind, kwargs, dtype):
    layer = KINDS[kind](3, 4, rng=0, **kwargs)
    module = recurrent_module(layer, torch.float64 if dtype == np.float64 else torch.float32)
    assert list(layer.parameters()) == [n for n, _ in module.named_parameters()]
    assert layer.num_params == sum(p.numel() for p in module.parameters())
    x = rand((2, 5, 3) if layer.batch_first else (5, 2, 3), dtype, seed=1)
    lead = layer.num_directions * layer.num_layers
    states = [rand((lead, 2, layer.output_size), dtype, seed=2)]
    if kind == "LSTM":
        states.append(rand((lead, 2, 4), dtype, seed=3))
    ours, ops = layer.forward_state(x, *states)
    for a, b in zip(ours, torch_run(module, x, *states), strict=True):
        assert_close_torch(a, b)
    assert ops == formulas.for_layer(layer, x.shape)


def test_counts_deep_bidirectional_rnn_hand_checked():
    # RNN(2 → 3), 2 layers, bidirectional, no bias, T = B = 1, per direction:
    #   layer 0 (I = 2): mat-vecs mul 3·2 + 3·3 = 15, add 3·1 + 3·2 = 9; join add 3; 3 tanh
    #   layer 1 (I = 2·3 = 6): mat-vecs mul 3·6 + 9 = 27, add 3·5 + 6 = 21; join 3; 3 tanh
    # tanh = mul, exp, add, div, sub each; both directions: × 2
    expected = OpCounts(mul=2 * (15 + 3 + 27 + 3), add=2 * (9 + 3 + 3 + 21 + 3 + 3),
                        exp=12, div=12, sub=12)
    _, ops = RNN(2, 3, 2, bias=False, bidirectional=True, rng=0)(rand((1, 1, 2)))
    assert ops == expected


def test_counts_projected_lstm_hand_checked():
    # LSTM(1 → 3, proj_size=2), no bias, T = B = 1:
    #   W_ih·x (12 rows, K = 1): mul 12;  W_hh·h (12 rows, K = H_out = 2): mul 24, add 12
    #   join add 12; 9 σ (neg, exp, add, div 9 each); g: 3 tanh; c': mul 6, add 3;
    #   h': 3 tanh, mul 3; W_hr·h' (2 rows, K = 3): mul 6, add 4
    expected = OpCounts(mul=12 + 24 + 3 + 6 + 3 + 3 + 6, add=12 + 12 + 9 + 3 + 3 + 3 + 4,
                        neg=9, exp=15, div=15, sub=6)
    layer = LSTM(1, 3, bias=False, proj_size=2, rng=0)
    assert layer.forward(rand((1, 1, 1)))[1] == expected
    assert layer.weight_hr_l0.shape == (2, 3) and layer.weight_hh_l0.shape == (12, 2)


def test_counts_relu_rnn_hand_checked():
    # RNN(1 → 2, relu), bias: mat-vecs mul 2 + 4, add 0 + 2 + 4 (2H bias); join 2; relu cmp 2
    assert RNN(1, 2, nonlinearity="relu", rng=0)(rand((1, 1, 1)))[1] == OpCounts(mul=6, add=8,
                                                                                cmp=2)


def test_dropout_is_not_applied_in_inference():
    with_dropout, without = GRU(3, 4, 2, dropout=0.9, rng=0), GRU(3, 4, 2, rng=0)
    x = rand((4, 2, 3))
    np.testing.assert_array_equal(with_dropout(x)[0], without(x)[0])
    assert with_dropout(x)[1] == without(x)[1]
    assert repr(with_dropout) == "GRU(3, 4, num_layers=2, dropout=0.9)"


@pytest.mark.parametrize("kind", KINDS)
def test_state_shapes_follow_torch(kind):
    layer = KINDS[kind](3, 4, 2, bidirectional=True)
    with pytest.raises(ValueError, match=r"h0 has shape \(1, 2, 4\); expected \(4, 2, 4\)"):
        layer.forward_state(rand((5, 2, 3)), np.zeros((1, 2, 4)))


# -- every tool, live ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=10)
@given(data=st.data())
def test_every_rule_equals_the_real_tool(kind, data):
    layer, x = data.draw(STRATEGIES[kind], label="layer, x")
    module = recurrent_module(layer, torch.float32)
    assert live(module, torch.zeros(x.shape)) == nnref_side(one(layer, x.shape))
