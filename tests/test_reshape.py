"""Flatten, Reshape and Dropout (nnref/layers/reshape.py): data movement, no arithmetic.

Torch agreement, NaN and kernel = traced = formula on every configuration are in
tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from conftest import rand
from hypothesis import given
from hypothesis import strategies as st
from strategies import STRATEGIES

from nnref import formulas
from nnref.core.opcounts import OpCounts
from nnref.layers.reshape import Dropout, Flatten, Reshape


@pytest.mark.parametrize("name", ["Flatten", "Reshape", "Dropout"])
@given(data=st.data())
def test_moves_data_without_arithmetic(name, data):
    layer, x = data.draw(STRATEGIES[name], label="layer, x")
    y, ops = layer(x)
    assert y.dtype == x.dtype and y.shape == layer.output_shape(x.shape)
    np.testing.assert_array_equal(y.reshape(-1), x.reshape(-1))  # the same elements, in order
    assert ops == OpCounts() == formulas.for_layer(layer, x.shape)


# -- Flatten --------------------------------------------------------------------------------

def test_flatten_default_keeps_batch():
    assert Flatten().output_shape((2, 3, 4, 5)) == (2, 60)
    assert Flatten(0).output_shape((2, 3)) == (6,)


def test_flatten_rejects_bad_dims():
    with pytest.raises(ValueError, match="start_dim=1 comes after end_dim=0"):
        Flatten(1, 0)(rand((2, 3)))
    with pytest.raises(ValueError, match=r"start_dim=1 .*\(3,\)"):
        Flatten()(rand((3,)))
    with pytest.raises(ValueError, match="end_dim=5"):
        Flatten(0, 5).output_shape((2, 3))
    with pytest.raises(TypeError, match="start_dim"):
        Flatten(1.0)


# -- Reshape --------------------------------------------------------------------------------

def test_reshape_includes_batch_axis():
    assert Reshape((-1, 97, 4064)).output_shape((1, 32, 97, 127)) == (1, 97, 4064)
    assert Reshape((6,)).output_shape((2, 3)) == (6,)


@pytest.mark.parametrize("shape", [(-1, -1), (0, 3), ()])
def test_reshape_rejects_bad_target(shape):
    with pytest.raises(ValueError, match="shape"):
        Reshape(shape)


def test_reshape_rejects_wrong_element_count():
    with pytest.raises(ValueError, match=r"Reshape.*\(2, 3\)"):
        Reshape((4, -1)).output_shape((2, 3))


# -- Dropout --------------------------------------------------------------------------------

def test_dropout_is_identity_at_inference():
    x = rand((2, 3, 4), np.float32)
    y, ops = Dropout(0.3)(x)
    np.testing.assert_array_equal(y, x)
    assert ops == OpCounts() == formulas.for_layer(Dropout(), x.shape)
    assert y.dtype == x.dtype


@pytest.mark.parametrize("p,exc", [(-0.1, ValueError), (1.5, ValueError), ("0.5", TypeError),
                                   (float("nan"), ValueError)])
def test_dropout_rejects_bad_p(p, exc):
    with pytest.raises(exc, match="p="):
        Dropout(p)
