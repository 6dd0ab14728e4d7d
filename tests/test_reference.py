"""The traced reference alone: hand arithmetic, the window enumeration against torch,
dispatch and errors.

Its values and counts against the kernels and the formulas, on every configuration, are
checked in tests/test_three_way.py (and the kernels against torch in
tests/test_every_layer.py).
"""
import numpy as np
import pytest
from conftest import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from nnref.counting import OpCounts
from nnref.layers.conv import Conv1d, Conv2d
from nnref.layers.pool import AvgPool1d, MaxPool2d
from nnref.layers.activation import ReLU
from nnref.layers.elementwise import Add
from nnref.reference import reference
from nnref.reference import PLANS
from nnref.reference._windows import axis_windows

F = torch.nn.functional


# -- coverage (the three-way agreement itself is in test_three_way.py) -----------------


def test_window_plans_cover_every_window_layer():
    names = {f"{c}{n}d" for c in ("Conv", "MaxPool", "AvgPool") for n in (1, 2, 3)}
    assert set(PLANS.names()) == names | {"DepthwiseConv2d", "PointwiseConv2d", "Dense"}


# -- independent of the kernels: hand arithmetic and torch ------------------------------


def test_max_pool2d_by_hand():  # 4 windows of 4 taps: cmp 3 each
    y, ops = reference(MaxPool2d(2), np.arange(16.0).reshape(1, 1, 4, 4))
    np.testing.assert_array_equal(y, [[[[5.0, 7.0], [13.0, 15.0]]]])
    assert ops == OpCounts(cmp=12)


def test_conv1d_by_hand():  # y = [1·1 + 2·(−1) + 0.5, 2·1 + 3·(−1) + 0.5]
    layer = Conv1d(1, 1, 2)
    layer.weight, layer.bias = np.array([[[1.0, -1.0]]]), np.array([0.5])
    y, ops = reference(layer, np.array([[[1.0, 2.0, 3.0]]]))
    np.testing.assert_array_equal(y, [[[-0.5, -0.5]]])
    assert ops == OpCounts(mul=4, add=4)  # per output: mul 2, add 1 + 1 bias


def test_skip_window_without_taps_is_the_bias_and_costs_nothing():
    layer = Conv1d(1, 1, 1, padding=1, algorithm="naive", padding_taps="skip")
    layer.weight, layer.bias = np.array([[[2.0]]]), np.array([1.0])
    y, ops = reference(layer, np.array([[[5.0]]]))  # windows: padding, x, padding
    np.testing.assert_array_equal(y, [[[1.0, 11.0, 1.0]]])
    assert ops == OpCounts(mul=1, add=1)
    layer.bias = None
    y, ops = reference(layer, np.array([[[5.0]]]))
    np.testing.assert_array_equal(y, [[[0.0, 10.0, 0.0]]])
    assert ops == OpCounts(mul=1)


def test_dense_padding_costs_products_with_zero():  # 3 windows of 3 taps, all computed
    layer = Conv1d(1, 1, 3, padding=1, bias=False)
    layer.weight = np.ones((1, 1, 3))
    y, ops = reference(layer, np.array([[[1.0, 2.0, 3.0]]]))
    np.testing.assert_array_equal(y, [[[3.0, 6.0, 5.0]]])
    assert ops == OpCounts(mul=9, add=6)


def test_avg_pool_divisor_with_and_without_padding():  # windows [−1, 0], [1, 2]
    x = np.array([[[4.0, 2.0, 6.0]]])
    y, ops = reference(AvgPool1d(2, 2, 1, count_include_pad=True), x)
    np.testing.assert_array_equal(y, [[[2.0, 4.0]]])  # 4/2, (2 + 6)/2
    y, ops = reference(AvgPool1d(2, 2, 1, count_include_pad=False), x)
    np.testing.assert_array_equal(y, [[[4.0, 4.0]]])  # 4/1, (2 + 6)/2
    assert ops == OpCounts(add=1, div=2)


def test_axis_windows_by_hand():
    assert axis_windows(5, 3, 2, 1, 1) == [(-1, 0, 1), (1, 2, 3), (3, 4, 5)]
    assert axis_windows(5, 2, 1, 0, 3) == [(0, 3), (1, 4)]  # dilated
    assert axis_windows(5, 2, 2, 0, 1, ceil_mode=True) == [(0, 1), (2, 3), (4, 5)]
    assert axis_windows(5, 3, 3, 1, 1, ceil_mode=True) == [(-1, 0, 1), (2, 3, 4)]  # 3rd starts at i


@given(i=st.integers(1, 9), k=st.integers(1, 4), s=st.integers(1, 4), d=st.integers(1, 2),
       p=st.integers(0, 2), ceil=st.booleans())
def test_axis_windows_count_matches_torch(i, k, s, d, p, ceil):
    assume(2 * p <= k and d * (k - 1) + 1 <= i + 2 * p)
    y = F.max_pool1d(torch.zeros(1, 1, i), k, s, p, d, ceil_mode=ceil)
    assert len(axis_windows(i, k, s, p, d, ceil)) == y.shape[-1]


# -- dispatch and errors --------------------------------------------------------------

def test_rejects_what_the_layer_rejects():
    with pytest.raises(ValueError, match="channels"):
        reference(Conv2d(2, 1, 3), np.zeros((1, 3, 5, 5)))
    with pytest.raises(TypeError, match="dtype"):
        reference(Conv2d(1, 1, 3), np.zeros((1, 1, 5, 5), int))


def test_unknown_layer_is_a_type_error_listing_the_known_ones():
    with pytest.raises(TypeError, match="layer=.*Conv2d"):
        reference(object(), np.zeros(2))


def test_bad_input_is_rejected_like_the_layer():
    with pytest.raises(TypeError, match="dtype"):
        reference(ReLU(), np.arange(3))
    with pytest.raises(ValueError, match="shape"):
        reference(Conv2d(3, 1, 2), np.zeros((1, 2, 4, 4)))
    with pytest.raises(ValueError, match="shape"):
        reference(Add(), (np.zeros((2, 3)), np.zeros((3, 2))))
    with pytest.raises(TypeError, match="tuple of 2 arrays"):
        reference(Add(), np.zeros((2, 3)))
    with pytest.raises(TypeError, match="one array"):
        reference(ReLU(), (np.zeros(2), np.zeros(2)))
