"""DepthwiseConv2d and PointwiseConv2d: same values and counts as the equivalent Conv2d and torch."""
import numpy as np
import pytest
from conftest import assert_close_torch, rand, to_torch, torch, with_threads
from hypothesis import given
from hypothesis import strategies as st

from nnref import OpCounts
from nnref import formulas
from nnref.layers.conv import Conv2d
from nnref.layers.depthwise import DepthwiseConv2d
from nnref.layers.pointwise import PointwiseConv2d

F = torch.nn.functional


@st.composite
def depthwise_configs(draw):
    axes = []
    for _ in range(2):
        k, s, p, d = (draw(st.integers(1, 3)), draw(st.integers(1, 3)),
                      draw(st.integers(0, 2)), draw(st.integers(1, 2)))
        span = d * (k - 1) + 1
        axes.append((k, s, p, d, draw(st.integers(max(1, span - 2 * p), span + 5))))
    k, s, p, d, size = zip(*axes)
    c = draw(st.integers(1, 4))
    cfg = dict(channels=c, kernel_size=k, depth_multiplier=draw(st.integers(1, 3)), stride=s,
               padding=p, dilation=d, bias=draw(st.booleans()),
               padding_mode=draw(st.sampled_from(["dense", "skip"])))
    return cfg, (draw(st.integers(1, 2)), c) + size


def torch_conv(layer, x):
    bias = None if layer.bias is None else to_torch(layer.bias.astype(x.dtype))
    return F.conv2d(to_torch(x), to_torch(layer.weight.astype(x.dtype)), bias, layer.stride,
                    layer.padding, layer.dilation, layer.groups)


def as_conv2d(layer):
    """The grouped Conv2d with the same configuration and weights as ``layer``."""
    mode = getattr(layer, "padding_mode", "dense")
    conv = Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride,
                  layer.padding, layer.dilation, layer.groups, layer.bias is not None,
                  algorithm="naive", padding_mode=mode)
    conv.weight, conv.bias = layer.weight, layer.bias
    return conv


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(data=depthwise_configs())
def test_depthwise_equals_grouped_conv2d_and_torch(dtype, data):
    cfg, shape = data
    layer = DepthwiseConv2d(**cfg, rng=0)
    x = rand(shape, dtype)
    y, ops = layer(x)
    y_conv, ops_conv = as_conv2d(layer)(x)
    assert ops == ops_conv
    assert ops == formulas.for_layer(layer, shape)
    assert_close_torch(y, torch_conv(layer, x))
    assert_close_torch(y, y_conv)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(cin=st.integers(1, 9), cout=st.integers(1, 9), bias=st.booleans(),
       shape=st.tuples(st.integers(1, 2), st.integers(1, 7), st.integers(1, 7)))
def test_pointwise_equals_conv2d_and_torch(dtype, cin, cout, bias, shape):
    layer = PointwiseConv2d(cin, cout, bias, rng=0)
    x = rand((shape[0], cin) + shape[1:], dtype)
    y, ops = layer(x)
    y_conv, ops_conv = as_conv2d(layer)(x)
    assert ops == ops_conv
    assert ops == formulas.for_layer(layer, x.shape)
    assert_close_torch(y, torch_conv(layer, x))
    assert_close_torch(y, y_conv)


def test_depthwise():  # 3 channels · 4·4 outputs of 9 taps; skip: per axis 2+3+3+2 = 10 taps
    layer = DepthwiseConv2d(3, 3, padding=1, bias=False)
    x = rand((1, 3, 4, 4), np.float32)
    assert layer(x)[1] == OpCounts(mul=48 * 9, add=48 * 8)
    layer.padding_mode = "skip"
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


@pytest.mark.parametrize("layer", [
    DepthwiseConv2d(4, 3, padding=1),
    DepthwiseConv2d(4, 3, depth_multiplier=2, padding=1, padding_mode="skip"),
    PointwiseConv2d(4, 6),
], ids=repr)
def test_counts_do_not_depend_on_threads(layer):
    x = rand((2, 4, 13, 11), np.float32)
    (y1, ops1), (y2, ops2) = with_threads(1, layer, x), with_threads(2, layer, x)
    assert ops1 == ops2
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("layer", [
    DepthwiseConv2d(2, 3, padding=1),
    DepthwiseConv2d(2, 3, padding=1, padding_mode="skip"),
    PointwiseConv2d(2, 3),
], ids=repr)
def test_nan_propagates_like_torch(layer):
    x = rand((1, 2, 5, 5), np.float32)
    x[0, 1, 2, 2] = np.nan
    y, _ = layer(x)
    assert np.isnan(y).any()
    assert_close_torch(y, torch_conv(layer, x))


@pytest.mark.parametrize("make,error,match", [
    (lambda: DepthwiseConv2d(0, 3), ValueError, "channels=0"),
    (lambda: DepthwiseConv2d(2, 3, depth_multiplier=0), ValueError, "depth_multiplier=0"),
    (lambda: DepthwiseConv2d(2, (3, 3, 3)), ValueError, "kernel_size"),
    (lambda: DepthwiseConv2d(2, 3, stride=0), ValueError, "stride=0"),
    (lambda: DepthwiseConv2d(2, 3, dilation=-1), ValueError, "dilation=-1"),
    (lambda: DepthwiseConv2d(2, 3, padding=-1), ValueError, "padding=-1"),
    (lambda: DepthwiseConv2d(2, 3, padding_mode="reflect"), ValueError, "padding_mode"),
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


@pytest.mark.parametrize("layer", [DepthwiseConv2d(2, 3), PointwiseConv2d(2, 3)], ids=repr)
def test_rejects_bad_input_and_parameters(layer):
    with pytest.raises(TypeError, match="dtype"):
        layer(np.ones((1, 2, 5, 5), np.int64))
    layer.weight = np.zeros((3, 3, 3, 3))
    with pytest.raises(ValueError, match="weight has shape"):
        layer(np.ones((1, 2, 5, 5)))
