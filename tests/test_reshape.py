"""Flatten, Reshape, Dropout, Permute, Transpose, Contiguous, ChannelShuffle
(nnref/layers/reshape.py): data movement, no arithmetic.

Torch agreement, NaN and kernel = traced = formula on every configuration are in
tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from conftest import rand
from hypothesis import given
from hypothesis import strategies as st
from strategies import FACTORIES, STRATEGIES

from nnref import formulas
from nnref.core.opcounts import OpCounts
from nnref.layers.reshape import (ChannelShuffle, Contiguous, Dropout, Flatten, Permute, Reshape,
                                  Transpose)


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


# -- Permute, Transpose, Contiguous, ChannelShuffle ---------------------------------------------

@pytest.mark.parametrize("name", ["Permute", "Transpose", "ChannelShuffle"])
@given(data=st.data())
def test_reorders_data_without_arithmetic(name, data):
    layer, x = data.draw(FACTORIES[name](nan=False), label="layer, x")
    y, ops = layer(x)
    assert y.shape == layer.output_shape(x.shape) and sorted(y.ravel().tolist()) == \
        sorted(x.ravel().tolist())  # the same elements, moved
    assert ops == OpCounts() == formulas.for_layer(layer, x.shape)


def test_permute_transpose_contiguous_by_hand():
    x = np.arange(24.0).reshape(2, 3, 4)
    assert Permute((2, 0, 1))(x)[0].shape == (4, 2, 3) and Permute((-1, 0, 1))(x)[0][1, 0, 2] == 9
    assert Transpose(0, -1)(x)[0].shape == (4, 3, 2)
    y, _ = Contiguous()(x.transpose(2, 1, 0))
    assert y.flags.c_contiguous and (y == x.transpose(2, 1, 0)).all()
    with pytest.raises(ValueError, match=r"dims=\(0, 0, 1\) is not a permutation"):
        Permute((0, 0, 1)).output_shape((2, 3, 4))


def test_channel_shuffle_by_hand():
    # 6 channels in 3 groups of 2: output channel i·3 + j is input channel j·2 + i
    x = np.arange(6.0).reshape(1, 6, 1)
    np.testing.assert_array_equal(ChannelShuffle(3)(x)[0].ravel(), [0, 2, 4, 1, 3, 5])
    with pytest.raises(ValueError, match="C divisible by groups=4"):
        ChannelShuffle(4).output_shape((1, 6, 2, 2))
