"""Activations: torch agreement, kernel counts = formula, NaN propagation."""
import numpy as np
import pytest
from conftest import assert_close_torch, rand, to_torch, torch
from hypothesis import given
from hypothesis import strategies as st

from nnref import formulas
from nnref.layers.activation import LeakyReLU, ReLU, ReLU6, SiLU, Sigmoid, Tanh

F = torch.nn.functional
CASES = [
    (ReLU(), F.relu),
    (ReLU6(), F.relu6),
    (LeakyReLU(0.2), lambda t: F.leaky_relu(t, 0.2)),
    (LeakyReLU(1.5), lambda t: F.leaky_relu(t, 1.5)),
    (Sigmoid(), torch.sigmoid),
    (Tanh(), torch.tanh),
    (SiLU(), F.silu),
]
IDS = [repr(c[0]) for c in CASES]


@pytest.mark.parametrize("layer,ref", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_torch(layer, ref, dtype):
    x = rand((2, 3, 17, 5), dtype) * 4
    x[0, 0, 0, :3] = [60.0, -60.0, 0.0]  # tanh/sigmoid saturation must not give NaN
    y, _ = layer(x)
    assert_close_torch(y, ref(to_torch(x)))


@pytest.mark.parametrize("layer,ref", CASES, ids=IDS)
def test_nan_propagates_like_torch(layer, ref):
    x = np.array([np.nan, 1.0, -1.0, np.inf, -np.inf], dtype=np.float32)
    y, _ = layer(x)
    assert_close_torch(y, ref(to_torch(x)))


@pytest.mark.parametrize("layer,ref", CASES, ids=IDS)
@given(shape=st.lists(st.integers(1, 40), min_size=1, max_size=4))
def test_counts_equal_formula(layer, ref, shape):
    _, ops = layer(rand(shape))
    assert ops == formulas.for_layer(layer, shape)


def test_counts_equal_formula_beyond_one_chunk():
    layer = Sigmoid()
    shape = (3, 50_001)  # several parallel tasks, with a ragged last one
    _, ops = layer(rand(shape, np.float32))
    assert ops == formulas.for_layer(layer, shape)
    assert ops.exp == 150_003


@pytest.mark.parametrize("bad", [np.arange(4), np.ones(3, bool), np.ones(3, complex)])
def test_rejects_non_float_input(bad):
    with pytest.raises(TypeError, match="dtype"):
        ReLU()(bad)


def test_rejects_bad_slope():
    with pytest.raises(TypeError, match="negative_slope"):
        LeakyReLU("0.1")
