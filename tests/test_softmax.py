"""Softmax: hand counts, one-element rows, overflow, rows with infinities, errors.

Torch agreement, NaN, threads and kernel = traced = formula on every configuration are
in tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from catalogue import twin
from conftest import assert_close_torch, rand

import nnref
from nnref import formulas
from nnref.layers.softmax import Softmax


def test_counts_by_hand():
    # 2 rows of 5: cmp 4, sub 5, exp 5, add 4, div 5 per row
    _, ops = Softmax(1)(rand((2, 5)))
    assert ops.as_dict() == dict(add=8, sub=10, mul=0, div=10, neg=0, exp=10, sqrt=0, cmp=8,
                                 erf=0, log=0)


def test_middle_axis_batched():
    x = rand((2, 6, 3, 4), np.float32)
    y, ops = Softmax(1)(x)
    assert_close_torch(y, twin(Softmax(1), x))
    assert ops.exp == x.size and ops.cmp == 2 * 3 * 4 * 5


def test_single_element_rows_are_one():
    y, ops = Softmax(-1)(rand((3, 1)))
    np.testing.assert_array_equal(y, np.ones((3, 1)))
    assert (ops.cmp, ops.add, ops.exp) == (0, 0, 3)


def test_large_values_do_not_overflow():
    x = np.array([[1000.0, 999.0, -1000.0]], np.float32)
    assert_close_torch(Softmax(1)(x)[0], twin(Softmax(1), x))


def test_nan_and_inf_like_torch():
    x = np.array([[1.0, np.nan, 2.0], [np.nan, 1.0, 0.0], [np.inf, 1.0, 0.0],
                  [-np.inf, -np.inf, -np.inf], [-np.inf, 0.0, 1.0]])
    y, ops = Softmax(1)(x)
    assert_close_torch(y, twin(Softmax(1), x))
    assert ops == formulas.for_layer(Softmax(1), x.shape)


@pytest.mark.parametrize("dim", [None, 1.0, "1", True])
def test_rejects_non_int_dim(dim):
    with pytest.raises(TypeError, match="dim"):
        Softmax(dim)


def test_rejects_dim_out_of_range():
    with pytest.raises(ValueError, match=r"dim=2 .*\(3, 4\)"):
        Softmax(2)(rand((3, 4)))
    with pytest.raises(ValueError, match="dim=-3"):
        Softmax(-3).output_shape((3, 4))
    with pytest.raises(TypeError, match="dtype"):
        Softmax(0)(np.ones(3, complex))


@pytest.mark.parametrize("dim", [0, -1])
def test_zero_d_input_is_one_row_of_one_element_like_torch(dim):
    x = np.array(2.5)
    y, ops = Softmax(dim)(x)
    assert_close_torch(y, twin(Softmax(dim), x))
    assert ops == formulas.for_layer(Softmax(dim), ()) == nnref.OpCounts(sub=1, exp=1, div=1)
    with pytest.raises(ValueError, match=r"dim=1 is out of range for input of shape \(\)"):
        Softmax(1)(x)
