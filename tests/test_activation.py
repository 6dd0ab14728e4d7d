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
