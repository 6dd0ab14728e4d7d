"""Max/avg pooling: hand counts, windows on padding, ceil_mode, divisors, bad configurations.

Torch agreement, NaN, threads and kernel = traced = formula on every configuration are
in tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from catalogue import twin
from conftest import assert_close_torch, rand

from nnref import OpCounts, formulas
from nnref.layers.pool import AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d


# -- checklist, with counts worked out by hand ------------------------------------------

def test_maxpool2d_2x2_counts():
    y, ops = MaxPool2d(2)(rand((1, 1, 4, 4)))
    assert y.shape == (1, 1, 2, 2) and ops == OpCounts(cmp=4 * 3)


def test_maxpool1d_padded_never_reads_padding():
    # L=4, k=3, s=1, p=1: windows hold 2, 3, 3, 2 in-bound taps -> cmp 1+2+2+1
    x = -np.arange(1.0, 5.0)[None, None]  # all negative: a read zero pad would win
    y, ops = MaxPool1d(3, 1, 1)(x)
    np.testing.assert_array_equal(y, [[[-1.0, -1.0, -2.0, -3.0]]])
    assert ops.cmp == 6 and ops.flops == 6


def test_maxpool1d_strided():
    # L=7, k=3, s=2: 3 windows of 3 taps -> cmp 6
    y, ops = MaxPool1d(3, stride=2)(np.arange(7.0)[None, None])
    np.testing.assert_array_equal(y, [[[2.0, 4.0, 6.0]]])
    assert ops.cmp == 6


def test_maxpool1d_dilated():
    # L=5, k=2, d=3: windows {0,3} and {1,4} -> cmp 2
    y, ops = MaxPool1d(2, stride=1, dilation=3)(np.array([[[5.0, 1, 2, 3, 0]]]))
    np.testing.assert_array_equal(y, [[[5.0, 1.0]]])
    assert ops.cmp == 2


def test_maxpool1d_dilated_window_with_no_tap_is_minus_inf_like_torch():
    # L=1, k=2, p=1, d=2: the only window's taps sit at -1 and 1, both padding
    x = np.array([[[5.0]]])
    layer = MaxPool1d(2, padding=1, dilation=2)
    y, ops = layer(x)
    assert_close_torch(y, twin(layer, x))
    assert y[0, 0, 0] == -np.inf and ops.flops == 0 == formulas.for_layer(layer, x.shape).flops


def test_avgpool1d_ceil_mode_divisor_clipped_to_padded_input():
    # L=6, k=3, s=2, p=1, ceil: 4 windows with 2, 3, 3, 1 in-bound taps; the last starts
    # at 5 and is clipped to [-1, 7): divisor 2 with count_include_pad, 1 without
    x = np.ones((1, 1, 6))
    y, ops = AvgPool1d(3, 2, 1, ceil_mode=True)(x)
    np.testing.assert_allclose(y, [[[2 / 3, 1.0, 1.0, 1 / 2]]])
    assert (ops.add, ops.div, ops.flops) == (1 + 2 + 2 + 0, 4, 9)
    y, ops = AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=False)(x)
    np.testing.assert_allclose(y, [[[1.0, 1.0, 1.0, 1.0]]])
    assert (ops.add, ops.div) == (5, 4)


def test_avgpool3d_input_smaller_than_kernel_like_1d():
    # torch's avg_pool3d rejects an input smaller than the kernel (avg_pool1d/2d do not);
    # nnref follows the 1-D rule: L=1, k=2, p=1 gives 2 windows of 1 tap, divisor 2
    x = np.full((1, 1, 1, 1, 1), 5.0)
    y, ops = AvgPool3d((1, 1, 2), stride=1, padding=(0, 0, 1))(x)
    np.testing.assert_array_equal(y.reshape(-1), [2.5, 2.5])
    assert (ops.add, ops.div) == (0, 2)


def test_ceil_mode_drops_window_starting_in_padding():
    # L=5, k=2, s=2, p=1: ceil((5+2-2)/2)+1 = 4, but window 3 starts at 5 = L -> 3 outputs
    x, layer = rand((1, 2, 5)), MaxPool1d(2, 2, 1, ceil_mode=True)
    assert layer.output_shape(x.shape) == (1, 2, 3)
    assert_close_torch(layer(x)[0], twin(layer, x))


def test_maxpool2d_resnet_stem_counts():
    # 112x112 -> 56x56 with k=3, s=2, p=1; rows/cols: window 0 has 2 taps, the others 3
    layer = MaxPool2d(3, 2, 1)
    per_axis = 2 + 55 * 3
    assert formulas.for_layer(layer, (1, 64, 112, 112)).cmp == 64 * (per_axis ** 2 - 56 * 56)


# -- bad input --------------------------------------------------------------------------

def test_rejects_padding_over_half_kernel():
    with pytest.raises(ValueError, match="padding"):
        MaxPool2d(3, padding=2)
    with pytest.raises(ValueError, match="padding"):
        AvgPool1d(2, padding=(2,))


@pytest.mark.parametrize("kwargs,exc,name", [
    (dict(kernel_size=0), ValueError, "kernel_size"),
    (dict(kernel_size=2.0), TypeError, "kernel_size"),
    (dict(kernel_size=(2, 2, 2)), ValueError, "kernel_size"),
    (dict(kernel_size=2, stride=0), ValueError, "stride"),
    (dict(kernel_size=2, padding=-1), ValueError, "padding"),
    (dict(kernel_size=2, dilation=0), ValueError, "dilation"),
    (dict(kernel_size=2, ceil_mode=1), TypeError, "ceil_mode"),
])
def test_rejects_bad_config(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        MaxPool2d(**kwargs)


def test_rejects_bad_count_include_pad():
    with pytest.raises(TypeError, match="count_include_pad"):
        AvgPool2d(2, count_include_pad="yes")


def test_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\(4, 4\).*expected 4-D"):
        MaxPool2d(2)(rand((4, 4)))
    with pytest.raises(ValueError, match="output size"):
        MaxPool2d(5)(rand((1, 1, 4, 4)))
    with pytest.raises(TypeError, match="dtype"):
        AvgPool1d(2)(np.ones((1, 1, 4), int))
