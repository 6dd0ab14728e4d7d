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


# -- LogSoftmax ----------------------------------------------------------------------------------
from nnref.layers.softmax import LogSoftmax  # noqa: E402


def test_log_softmax_counts_by_hand():
    # 2 rows of 5: cmp 4, sub 5 + 5, exp 5, add 4, log 1 per row
    _, ops = LogSoftmax(1)(rand((2, 5)))
    assert ops == nnref.OpCounts(cmp=8, sub=20, exp=10, add=8, log=2)
    assert LogSoftmax(0)(rand((3, 4, 2)))[1] == formulas.softmax.log_softmax(3, 8)


def test_log_softmax_is_the_log_of_softmax_and_finite_where_softmax_underflows():
    x = rand((3, 7))
    np.testing.assert_allclose(LogSoftmax(1)(x)[0], np.log(Softmax(1)(x)[0]), rtol=1e-12)
    x = np.array([[0.0, -200.0, 1000.0]], np.float32)  # softmax gives exact 0s; log of them -inf
    y, _ = LogSoftmax(-1)(x)
    assert np.isfinite(y).all() and y[0, 2] == 0.0 and y[0, 1] == -1200.0
    assert_close_torch(y, twin(LogSoftmax(-1), x))


def test_log_softmax_nan_and_inf_like_torch():
    x = np.array([[1.0, np.nan, 2.0], [np.inf, 1.0, 0.0], [-np.inf, -np.inf, -np.inf],
                  [-np.inf, 0.0, 1.0]])
    y, ops = LogSoftmax(1)(x)
    assert_close_torch(y, twin(LogSoftmax(1), x))
    assert ops == formulas.for_layer(LogSoftmax(1), x.shape)


@pytest.mark.parametrize("dim", [0, -1])
def test_log_softmax_of_a_zero_d_input_is_zero_like_torch(dim):
    y, ops = LogSoftmax(dim)(np.array(2.5))
    assert y.shape == () and y == 0.0
    assert ops == nnref.OpCounts(sub=2, exp=1, log=1)


def test_log_softmax_rejects_a_bad_dim():
    with pytest.raises(TypeError, match=r"LogSoftmax: dim=None .*LogSoftmax\(dim=1\)"):
        LogSoftmax()
    with pytest.raises(ValueError, match=r"dim=2 .*\(3, 4\)"):
        LogSoftmax(2)(rand((3, 4)))
