"""DepthwiseConv2d and PointwiseConv2d: the same values and counts as the equivalent
Conv2d, hand counts, the channel each output reads, bad configurations.

Torch agreement, NaN, threads and kernel = traced = formula are in
tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from conftest import rand
from hypothesis import given
from hypothesis import strategies as st
from strategies import STRATEGIES

from nnref import OpCounts
from nnref.layers.conv import Conv2d
from nnref.layers.depthwise import DepthwiseConv2d
from nnref.layers.pointwise import PointwiseConv2d


def as_conv2d(layer):
    """The grouped Conv2d with the same configuration and weights as ``layer``."""
    mode = getattr(layer, "padding_taps", "dense")
    conv = Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride,
                  layer.padding, layer.dilation, layer.groups, layer.bias is not None,
                  algorithm="naive", padding_taps=mode)
    conv.weight, conv.bias = layer.weight, layer.bias
    return conv


@pytest.mark.parametrize("name", ["DepthwiseConv2d", "PointwiseConv2d"])
@given(data=st.data())
def test_equals_the_grouped_conv2d(name, data):
    """Same values (bit for bit) and counts as Conv2d with groups = channels (depthwise)
    or a 1x1 kernel (pointwise), in the same padding mode."""
    layer, x = data.draw(STRATEGIES[name], label="layer, x")
    y, ops = layer(x)
    y_conv, ops_conv = as_conv2d(layer)(x)
    assert ops == ops_conv
    np.testing.assert_array_equal(y, y_conv)


def test_depthwise():  # 3 channels · 4·4 outputs of 9 taps; skip: per axis 2+3+3+2 = 10 taps
    layer = DepthwiseConv2d(3, 3, padding=1, bias=False)
    x = rand((1, 3, 4, 4), np.float32)
    assert layer(x)[1] == OpCounts(mul=48 * 9, add=48 * 8)
    layer.padding_taps = "skip"
    assert layer(x)[1] == OpCounts(mul=3 * 10 * 10, add=3 * (100 - 16))


def test_depthwise_multiplier_reads_its_own_channel():  # output c·m + j sees channel c only
    layer = DepthwiseConv2d(3, 1, depth_multiplier=2, bias=False)
    layer.weight = np.arange(1, 7, dtype=np.float32).reshape(6, 1, 1, 1)
    x = np.ones((1, 3, 2, 2), np.float32) * np.array([10, 100, 1000], np.float32)[:, None, None]
    y, _ = layer(x)
    np.testing.assert_array_equal(y[0, :, 0, 0], [10, 20, 300, 400, 5000, 6000])


def test_pointwise():  # 2·3·3 positions · 5 channels, 4 taps each, bias
    layer = PointwiseConv2d(4, 5)
    assert layer(rand((2, 4, 3, 3)))[1] == OpCounts(mul=90 * 4, add=90 * 4)


@pytest.mark.parametrize("make,error,match", [
    (lambda: DepthwiseConv2d(0, 3), ValueError, "channels=0"),
    (lambda: DepthwiseConv2d(2, 3, depth_multiplier=0), ValueError, "depth_multiplier=0"),
    (lambda: DepthwiseConv2d(2, (3, 3, 3)), ValueError, "kernel_size"),
    (lambda: DepthwiseConv2d(2, 3, stride=0), ValueError, "stride=0"),
    (lambda: DepthwiseConv2d(2, 3, dilation=-1), ValueError, "dilation=-1"),
    (lambda: DepthwiseConv2d(2, 3, padding=-1), ValueError, "padding=-1"),
    (lambda: DepthwiseConv2d(2, 3, padding_taps="reflect"), ValueError, "padding_taps"),
    (lambda: DepthwiseConv2d(2, 3, bias=1), TypeError, "bias"),
    (lambda: PointwiseConv2d(2, 0), ValueError, "out_channels=0"),
    (lambda: PointwiseConv2d(2.0, 3), TypeError, "in_channels"),
])
def test_rejects_bad_config(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("layer,shape,match", [
    (DepthwiseConv2d(2, 3), (1, 2, 2, 5), "kernel_size"),
    (DepthwiseConv2d(2, 3), (1, 3, 5, 5), r"3 channels.*C=2"),
    (DepthwiseConv2d(2, 3), (2, 5, 5), "expected 4-D"),
    (PointwiseConv2d(2, 3), (1, 3, 5, 5), r"3 channels.*C=2"),
    (PointwiseConv2d(2, 3), (1, 2, 5, 5, 5), "expected 4-D"),
], ids=str)
def test_rejects_bad_input_shape(layer, shape, match):
    with pytest.raises(ValueError, match=match):
        layer(np.zeros(shape, np.float32))
