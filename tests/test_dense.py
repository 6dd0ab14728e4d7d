"""Dense / Linear: the seed derivation, hand counts, weight dtype, parameters, errors.

Torch agreement, NaN, threads and kernel = traced = formula on every configuration are
in tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from catalogue import twin
from conftest import assert_close_torch, rand
from hypothesis import given
from hypothesis import strategies as st

from nnref import formulas
from nnref.formulas.dense import dense_seed
from nnref.layers.dense import Dense, Linear


@given(i=st.integers(1, 40), o=st.integers(1, 40), bias=st.booleans())
def test_single_row_seed_equals_formula_and_kernel(i, o, bias):
    layer = Dense(i, o, bias, rng=0)
    _, ops = layer(rand((1, i)))
    assert dense_seed(i, o, bias) == formulas.for_layer(layer, (1, i)).flops == ops.flops


def test_seed_by_hand():
    assert dense_seed(3, 2) == 10  # 2 outputs × (3 mul + 2 add)
    assert dense_seed(3, 2, bias=True) == 12
    assert dense_seed(2048, 1000, bias=True) == 4_096_000  # resnet50's fc


def test_1x1_counts():
    layer = Dense(1, 1, rng=0)
    y, ops = layer(np.array([[3.0]]))
    assert (ops.mul, ops.add, ops.flops) == (1, 1, 2)
    assert y[0, 0] == pytest.approx(3.0 * float(layer.weight[0, 0]) + float(layer.bias[0]))


def test_batched_and_unbatched():
    layer = Linear(6, 4, rng=2)
    x = rand((2, 3, 6), np.float32)
    y, ops = layer(x)
    assert y.shape == (2, 3, 4)
    assert (ops.mul, ops.add) == (6 * 4 * 6, 6 * 4 * 6)  # 6 rows × 4 outputs × (6 mul, 5+1 add)
    assert_close_torch(layer(x[0, 0])[0], twin(layer, x[0, 0]))


def test_float64_weights_follow_input_dtype():
    layer = Dense(5, 3, rng=0)
    layer.weight = rand((3, 5), np.float64)
    x = rand((4, 5), np.float64)
    y, _ = layer(x)
    assert y.dtype == np.float64
    assert_close_torch(y, twin(layer, x))


def test_names_params_and_repr():
    assert Dense(3, 2).kind == "Dense" and Linear(3, 2).kind == "Linear"
    assert repr(Linear(3, 2, bias=False)) == "Linear(in_features=3, out_features=2, bias=False)"
    assert Linear(2048, 1000).num_params == 2048 * 1000 + 1000
    assert list(Dense(3, 2, bias=False).parameters()) == ["weight"]
    assert Dense(3, 2).weight.shape == (2, 3) and Dense(3, 2).bias.shape == (2,)
    np.testing.assert_array_equal(Dense(4, 3, rng=7).weight, Dense(4, 3, rng=7).weight)
    assert np.abs(Dense(16, 8, rng=0).weight).max() <= 1 / 4  # U(−1/√I, 1/√I)


@pytest.mark.parametrize("args,exc,name", [
    ((0, 2), ValueError, "in_features"), ((2, 0), ValueError, "out_features"),
    ((2.0, 2), TypeError, "in_features"), ((2, 2, "yes"), TypeError, "bias"),
])
def test_rejects_bad_config(args, exc, name):
    with pytest.raises(exc, match=name):
        Dense(*args)


def test_rejects_bad_input_and_params():
    layer = Dense(4, 2)
    with pytest.raises(ValueError, match=r"\(3, 5\).*in_features=4"):
        layer(rand((3, 5)))
    with pytest.raises(TypeError, match="dtype"):
        layer(np.ones((3, 4), np.int64))
    layer.weight = np.ones((4, 2), np.float32)
    with pytest.raises(ValueError, match=r"weight has shape \(4, 2\); expected \(2, 4\)"):
        layer(rand((3, 4)))
    with pytest.raises(TypeError, match="rng"):
        Dense(2, 2, rng="seed")
