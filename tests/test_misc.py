"""Flatten, Dropout and Add: torch agreement, counts, formulas, threads, errors."""
import numpy as np
import pytest
from conftest import assert_close_torch, rand, to_torch, torch, with_threads
from hypothesis import given
from hypothesis import strategies as st

from nnref import formulas
from nnref.core.opcounts import OpCounts
from nnref.layers.elementwise import Add
from nnref.layers.reshape import Dropout, Flatten


@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=5), data=st.data())
def test_flatten_matches_torch(shape, data):
    n = len(shape)
    start = data.draw(st.integers(-n, n - 1), label="start_dim")
    end = data.draw(st.integers((start % n) - n, -1), label="end_dim")  # at or after start
    layer = Flatten(start, end)
    x = rand(shape, np.float32)
    y, ops = layer(x)
    assert_close_torch(y, torch.flatten(to_torch(x), start, end))
    assert ops == OpCounts() == formulas.for_layer(layer, shape)


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


@given(shape=st.lists(st.integers(1, 6), min_size=0, max_size=4),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_add_matches_torch_and_counts_equal_formula(shape, dtype):
    a, b = rand(shape, dtype, 0), rand(shape, dtype, 1)
    y, ops = Add()(a, b)
    assert_close_torch(y, torch.add(to_torch(a), to_torch(b)))
    assert ops == formulas.for_layer(Add(), shape)


def test_add_counts_by_hand():
    y, ops = Add()(np.ones((2, 3, 4)), np.full((2, 3, 4), 2.0))
    np.testing.assert_array_equal(y, np.full((2, 3, 4), 3.0))
    assert ops.as_dict(flops=True) == dict(add=24, sub=0, mul=0, div=0, neg=0, exp=0, sqrt=0,
                                           cmp=0, flops=24)


def test_add_nan_propagates():
    a = np.array([np.nan, 1.0, np.inf], np.float32)
    b = np.array([1.0, np.nan, -np.inf], np.float32)
    assert_close_torch(Add()(a, b)[0], to_torch(a) + to_torch(b))


def test_add_counts_do_not_depend_on_threads():
    a, b = rand((3, 70_001), np.float32, 0), rand((3, 70_001), np.float32, 1)
    assert with_threads(1, Add(), a, b)[1] == with_threads(2, Add(), a, b)[1]
    assert with_threads(2, Add(), a, b)[1].add == 210_003


def test_add_rejects_mismatched_operands():
    with pytest.raises(ValueError, match=r"a has shape \(2, 3\) and b has shape \(3, 2\)"):
        Add()(rand((2, 3)), rand((3, 2)))
    with pytest.raises(TypeError, match="a has dtype float32 and b has dtype float64"):
        Add()(rand((2, 3), np.float32), rand((2, 3), np.float64))
    with pytest.raises(TypeError, match="b has dtype int64"):
        Add()(rand((2,)), np.arange(2))
