"""Activations: counts by hand from each contract, saturation and infinities, bad slope.

Torch agreement, NaN, threads and kernel = traced = formula on every configuration are
in tests/test_every_layer.py and tests/test_three_way.py; inplace writes in
tests/test_internals.py.
"""
import numpy as np
import pytest
from catalogue import twin
from conftest import assert_close_torch, rand

from nnref import OpCounts
from nnref.layers.activation import (Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, ReLU, ReLU6,
                                    SiLU, Sigmoid, Tanh)

N = 3 * 50_001  # several 32768-element tasks, the last one ragged
#: layer -> its operations per element, as its contract states
PER_ELEMENT = {
    ReLU(): dict(cmp=1),  # max(x, 0)
    ReLU6(): dict(cmp=2),  # min(max(x, 0), 6)
    LeakyReLU(0.2): dict(mul=1, cmp=1),  # x if x > 0 else a·x, a·x always computed
    Sigmoid(): dict(neg=1, exp=1, add=1, div=1),  # 1 / (1 + exp(−x))
    Tanh(): dict(mul=1, exp=1, add=1, div=1, sub=1),  # 1 − 2 / (exp(2x) + 1)
    SiLU(): dict(neg=1, exp=1, add=1, div=1, mul=1),  # x · sigmoid(x)
    Hardtanh(-2.0, 0.5): dict(cmp=2),  # min(max(x, lo), hi)
    Hardsigmoid(): dict(add=1, cmp=2, div=1),  # relu6(x + 3) / 6
    Hardswish(): dict(add=1, cmp=2, mul=1, div=1),  # x · relu6(x + 3) / 6
}


@pytest.mark.parametrize("layer", PER_ELEMENT, ids=repr)
def test_counts_by_hand(layer):
    _, ops = layer(rand((3, 50_001), np.float32))
    assert ops == OpCounts(**{kind: n * N for kind, n in PER_ELEMENT[layer].items()})


@pytest.mark.parametrize("layer", [*PER_ELEMENT, LeakyReLU(1.5), LeakyReLU(-0.5)], ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturation_and_infinities_like_torch(layer, dtype):
    x = np.array([60.0, -60.0, 500.0, -500.0, 0.0, -0.0, 1e-30, 6.0, np.inf, -np.inf], dtype)
    y, _ = layer(x)
    assert_close_torch(y, twin(layer, x))


def test_rejects_bad_slope():
    with pytest.raises(TypeError, match="negative_slope"):
        LeakyReLU("0.1")


def test_hard_activations_by_hand():
    x = np.array([-4.0, -3.0, -1.5, 0.0, 1.5, 3.0, 4.0])
    np.testing.assert_allclose(Hardsigmoid()(x)[0], [0, 0, 0.25, 0.5, 0.75, 1, 1])
    np.testing.assert_allclose(Hardswish()(x)[0], x * np.array([0, 0, 0.25, 0.5, 0.75, 1, 1]))
    np.testing.assert_array_equal(Hardtanh(-1.0, 2.0)(x)[0], [-1, -1, -1, 0, 1.5, 2, 2])
    with pytest.raises(ValueError, match="max_val=1.0 is invalid; expected a value above "
                                         "min_val=1.0"):
        Hardtanh(1.0, 1.0)


# -- GELU, ELU, PReLU, Softplus, Mish ------------------------------------------------------------
import torch  # noqa: E402

from nnref.layers.activation import ELU, GELU, Mish, PReLU, Softplus  # noqa: E402

#: tanh(u) = 1 − 2 / (exp(2u) + 1): mul 1, exp 1, add 1, div 1, sub 1, as Tanh
TANH = dict(mul=1, exp=1, add=1, div=1, sub=1)
MORE = {
    GELU(): dict(mul=3, erf=1, add=1),  # x·(1/√2), erf, 1 + e, x·0.5, h·s
    # x·x·x (2), 0.044715·(1), x + k, √(2/π)·(1), tanh, 1 + t, x·0.5, h·s
    GELU("tanh"): dict(mul=4 + TANH["mul"] + 2, add=1 + TANH["add"] + 1, exp=1, div=1, sub=1),
    ELU(0.5): dict(exp=1, sub=1, mul=1, cmp=1),  # α·(exp(x) − 1) always, select
    PReLU(): dict(mul=1, cmp=1),  # a·x always, select
    Softplus(2.0, 1.0): dict(mul=1, exp=1, add=1, log=1, div=1, cmp=1),  # β·x, log(1 + e)/β, select
    Mish(): dict(exp=1 + 1, add=1 + 1, log=1, mul=1 + 1, div=1, sub=1),  # exp, 1 + e, log, tanh, x·t
}


@pytest.mark.parametrize("layer", MORE, ids=repr)
def test_more_counts_by_hand(layer):
    _, ops = layer(rand((3, 50_001), np.float32))
    assert ops == OpCounts(**{kind: n * N for kind, n in MORE[layer].items()})


def _torch(layer, x):
    """torch itself, in x's dtype (the catalogue's GELU twin computes in float64)."""
    t = torch.from_numpy(x)
    if isinstance(layer, GELU):
        return torch.nn.functional.gelu(t, approximate=layer.approximate)
    return twin(layer, x)


@pytest.mark.parametrize("layer", [*MORE, ELU(), ELU(-1.5), Softplus(), Softplus(-1.0, -2.0),
                                   PReLU(1, -2.0)], ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_more_saturation_and_infinities_like_torch(layer, dtype):
    x = np.array([60.0, -60.0, 500.0, -500.0, 0.0, -0.0, 1e-30, 6.0, 20.0, -np.inf], dtype)
    assert_close_torch(layer(x)[0], _torch(layer, x))
    x = np.array([np.inf, np.nan], dtype)
    y, _ = layer(x)
    assert np.isnan(y[1])
    if not (isinstance(layer, GELU) and layer.approximate == "none" and dtype == np.float32):
        assert_close_torch(y, _torch(layer, x))  # for that one, see the next test


def test_gelu_at_plus_infinity_is_inf_where_torch_float32_may_say_nan():
    x = np.array([np.inf, -np.inf], np.float32)
    # torch's quirk, by CPU: its AVX-512 float32 erf gives NaN at +inf, its AVX2 one inf
    assert str(torch.nn.functional.gelu(torch.from_numpy(x)).numpy()[0]) in ("inf", "nan")
    assert torch.nn.functional.gelu(torch.from_numpy(x.astype(np.float64)))[0] == np.inf
    y, _ = GELU()(x)
    assert y[0] == np.inf and np.isnan(y[1])  # −inf·0: NaN, as torch in both dtypes


def test_softplus_counts_both_sides_whatever_the_threshold():
    x = rand((4, 1000))
    linear, _ = Softplus(1.0, -100.0)(x)  # every element above the threshold: y = x
    np.testing.assert_array_equal(linear, x)
    assert Softplus(1.0, -100.0)(x)[1] == Softplus(1.0, 100.0)(x)[1] == Softplus()(x)[1]


def test_prelu_slope_per_channel_of_axis_1_like_torch():
    layer = PReLU(3)
    layer.weight = np.array([0.5, -1.0, 2.0], np.float32)
    x = -np.ones((2, 3, 4), np.float32)
    y, _ = layer(x)
    np.testing.assert_array_equal(y[:, :, 0], [[-0.5, 1.0, -2.0]] * 2)
    assert_close_torch(y, twin(layer, x))
    assert layer.num_params == 3 and PReLU().num_params == 1
    np.testing.assert_array_equal(PReLU(4, init=0.1).weight, np.full(4, 0.1, np.float32))
    y, ops = PReLU()(np.array(-2.0))  # 0-d, as torch
    assert y == -0.5 and ops == OpCounts(mul=1, cmp=1)


@pytest.mark.parametrize("shape", [(3,), (2, 4), (2, 2, 3)])
def test_prelu_rejects_a_channel_count_other_than_num_parameters(shape):
    with pytest.raises(ValueError, match=r"PReLU: input has shape .* expected num_parameters=3"):
        PReLU(3)(rand(shape))


@pytest.mark.parametrize("make,error,name", [
    (lambda: GELU("erf"), ValueError, "approximate"), (lambda: GELU(None), TypeError, "approximate"),
    (lambda: ELU(float("nan")), ValueError, "alpha"), (lambda: ELU(inplace=1), TypeError, "inplace"),
    (lambda: Softplus(0.0), ValueError, "beta=0.0"), (lambda: Softplus(threshold="20"), TypeError,
                                                       "threshold"),
    (lambda: PReLU(0), ValueError, "num_parameters"), (lambda: PReLU(init=np.inf), ValueError, "init"),
    (lambda: Mish(inplace="no"), TypeError, "inplace"),
])
def test_more_reject_bad_arguments_by_name(make, error, name):
    with pytest.raises(error, match=name):
        make()
