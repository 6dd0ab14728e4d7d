"""Conv1d/2d/3d: the hand-counted checklist, layouts and parameters, bad configurations.

Torch agreement, NaN, threads and kernel = traced = formula on every configuration are
in tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from catalogue import twin
from conftest import assert_close_torch, rand
from strategies import MODES

import nnref
from nnref import OpCounts
from nnref import formulas
from nnref.layers.conv import Conv1d, Conv2d, Conv3d

#: (algorithm, padding_taps) pairs of the dense padding mode.
DENSE = [m for m in MODES if m[1] == "dense"]


# -- the checklist: torch values and hand-counted operations -------------------------
def check(layer, shape, mul, add, modes=DENSE):
    """Each (algorithm, padding_taps) in ``modes`` matches torch and counts mul/add exactly."""
    x = rand(shape, np.float32, seed=1)
    for layer.algorithm, layer.padding_taps in modes:
        y, ops = layer(x)
        assert_close_torch(y, twin(layer, x))
        assert ops == OpCounts(mul=mul, add=add)
        assert ops == formulas.for_layer(layer, shape)


def test_1x1():  # 45 outputs, 4 taps each, bias
    check(Conv2d(4, 5, 1), (1, 4, 3, 3), mul=45 * 4, add=45 * 3 + 45)


def test_strided():  # o = (7 − 3)//2 + 1 = 3: 27 outputs of 18 taps
    check(Conv2d(2, 3, 3, stride=2, bias=False), (1, 2, 7, 7), mul=27 * 18, add=27 * 17)


def test_padded():  # 16 outputs of 9 taps; in-bound taps per axis 2, 3, 3, 2 (sum 10)
    layer = Conv2d(1, 1, 3, padding=1, bias=False)
    check(layer, (1, 1, 4, 4), mul=16 * 9, add=16 * 8)
    check(layer, (1, 1, 4, 4), mul=10 * 10, add=10 * 10 - 16, modes=[("naive", "skip")])


def test_padded_window_without_taps():  # taps per window 0, 1, 1, 0: the ends are the bias
    layer = Conv1d(1, 1, 1, padding=1)
    check(layer, (1, 1, 2), mul=4, add=4)
    check(layer, (1, 1, 2), mul=2, add=2, modes=[("naive", "skip")])
    y, _ = layer(np.full((1, 1, 2), np.nan, np.float32))
    assert y[0, 0, 0] == y[0, 0, 3] == layer.bias[0]
    layer.bias = None
    check(layer, (1, 1, 2), mul=2, add=0, modes=[("naive", "skip")])


def test_dilated():  # span 5, o = 3: 18 outputs of 9 taps, bias
    check(Conv2d(1, 2, 3, dilation=2), (1, 1, 7, 7), mul=18 * 9, add=18 * 9)


def test_grouped():  # 54 outputs, each reading 2 of 4 channels: 18 taps
    check(Conv2d(4, 6, 3, groups=2), (1, 4, 5, 5), mul=54 * 18, add=54 * 18)


def test_grouped_batched():  # 3·4 (image, group) pairs: one task each; 3·8·5·5 outputs of 2·9 taps
    check(Conv2d(8, 8, 3, padding=1, groups=4), (3, 8, 5, 5), mul=600 * 18, add=600 * 18)


def test_depthwise():  # groups = channels: 48 outputs of 9 taps
    check(Conv2d(3, 3, 3, groups=3, padding=1, bias=False), (1, 3, 4, 4), mul=48 * 9, add=48 * 8)


def test_depthwise_multiplier():  # out = 2·in: output channel c·2 + j reads channel c
    check(Conv2d(2, 4, 2, groups=2), (1, 2, 3, 3), mul=16 * 4, add=16 * 4)


def test_asymmetric():  # Ho = 3, Wo = 6: 36 outputs of 2·1·3 taps
    layer = Conv2d(2, 2, (1, 3), stride=(2, 1), padding=(0, 1), bias=False)
    check(layer, (1, 2, 5, 6), mul=36 * 6, add=36 * 5)


def test_batched():  # 4 images · 3 channels · 2·2 outputs, 8 taps, bias
    check(Conv2d(2, 3, 2), (4, 2, 3, 3), mul=48 * 8, add=48 * 8)


def test_1d():  # 2·3·5 outputs of 6 taps, bias
    check(Conv1d(2, 3, 3, padding=1), (2, 2, 5), mul=30 * 6, add=30 * 6)


def test_3d():  # output 2×2×2, 2 channels: 16 outputs of 2·2·3·1 taps, bias
    check(Conv3d(2, 2, (2, 3, 1), stride=(1, 2, 1)), (1, 2, 3, 5, 2), mul=16 * 12, add=16 * 12)


def test_skip_mode_3d_corner():  # 1 output; in-bound taps 1·2·2 of 3·3·3 on each of 2 channels
    layer = Conv3d(2, 1, 3, padding=(1, 1, 1), stride=5, bias=False)
    check(layer, (1, 2, 1, 2, 2), mul=8, add=7, modes=[("naive", "skip")])


# -- layouts and parameters ------------------------------------------------------
@pytest.mark.parametrize("algorithm", ["naive", "im2col"])
def test_non_contiguous_input_and_weight(algorithm):
    layer = Conv2d(3, 4, 2, stride=(1, 2), algorithm=algorithm)
    x = rand((2, 5, 6, 3), np.float64).transpose(0, 3, 2, 1)  # (2, 3, 6, 5), not contiguous
    layer.weight = np.asfortranarray(layer.weight)
    y, ops = layer(x)
    assert_close_torch(y, twin(layer, x))
    assert ops == formulas.for_layer(layer, x.shape)


def test_parameters_follow_pytorch():
    layer = Conv2d(4, 6, (3, 1), groups=2, rng=0)
    assert layer.weight.shape == (6, 2, 3, 1) and layer.weight.dtype == np.float32
    assert layer.bias.shape == (6,) and layer.param_names == ("weight", "bias")
    assert np.abs(layer.weight).max() <= 1 / np.sqrt(6) and layer.num_params == 36 + 6
    assert (layer.kernel_size, layer.stride, layer.padding, layer.dilation) == (
        (3, 1), (1, 1), (0, 0), (1, 1))
    np.testing.assert_array_equal(Conv2d(4, 6, (3, 1), groups=2, rng=0).weight, layer.weight)
    assert Conv2d(1, 1, 1, bias=False).parameters().keys() == {"weight"}


# -- bad configuration and bad input ------------------------------------------------
BAD_CONFIG = [
    (dict(in_channels=3, out_channels=4, kernel_size=3, groups=2), ValueError, "in_channels=3"),
    (dict(in_channels=4, out_channels=3, kernel_size=3, groups=2), ValueError, "out_channels=3"),
    (dict(in_channels=0, out_channels=1, kernel_size=1), ValueError, "in_channels=0"),
    (dict(in_channels=1, out_channels=1, kernel_size=0), ValueError, "kernel_size=0"),
    (dict(in_channels=1, out_channels=1, kernel_size=(3, 3, 3)), ValueError, "kernel_size"),
    (dict(in_channels=1, out_channels=1, kernel_size=3.0), TypeError, "kernel_size"),
    (dict(in_channels=1, out_channels=1, kernel_size=True), TypeError, "kernel_size"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, stride=0), ValueError, "stride=0"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, stride=(1, -2)), ValueError, "stride"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, dilation=0), ValueError, "dilation=0"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, padding=-1), ValueError, "padding=-1"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, padding="full"), ValueError, "padding=.full."),
    (dict(in_channels=1, out_channels=1, kernel_size=3, stride=2, padding="same"), ValueError,
     "padding=.same. is invalid with stride"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, padding_mode="reflect", algorithm="naive",
          padding_taps="skip"), ValueError, "padding_taps=.skip. is invalid with padding_mode"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, groups=0), ValueError, "groups=0"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, bias="yes"), TypeError, "bias"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, algorithm="fft"), ValueError, "algorithm"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, algorithm=None), TypeError, "algorithm"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, padding_taps="zeros"), ValueError, "padding_taps"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, padding_taps="skip"), ValueError,
     "padding_taps='skip'.*algorithm='im2col'"),
]


@pytest.mark.parametrize("kwargs,error,match", BAD_CONFIG)
def test_rejects_bad_config(kwargs, error, match):
    with pytest.raises(error, match=match):
        Conv2d(**kwargs)


BAD_SHAPES = [
    (Conv2d(1, 1, 5), (1, 1, 3, 3), "kernel_size"),
    (Conv2d(1, 1, 3, dilation=2), (1, 1, 4, 9), "dilation"),
    (Conv1d(1, 1, 4, padding=1), (1, 1, 1), "kernel_size"),
    (Conv2d(2, 1, 1), (1, 2, 3), r"\(1, 2, 3\).*expected 4-D"),
    (Conv2d(2, 1, 1), (1, 3, 3, 3), r"3 channels.*C=2"),
    (Conv3d(2, 1, 1), (1, 2, 3, 3), "expected 5-D"),
]


@pytest.mark.parametrize("layer,shape,match", BAD_SHAPES)
def test_rejects_bad_input_shape(layer, shape, match):
    with pytest.raises(ValueError, match=match):
        layer.output_shape(shape)
    with pytest.raises(ValueError, match=match):
        layer(np.zeros(shape, np.float32))


def test_kernel_fits_with_padding():
    assert Conv2d(1, 1, 5, padding=1).output_shape((1, 1, 3, 3)) == (1, 1, 1, 1)


def test_rejects_assigned_parameters_of_wrong_shape():
    layer = Conv2d(2, 3, 3)
    layer.weight = np.zeros((3, 2, 3, 2), np.float32)
    with pytest.raises(ValueError, match=r"weight has shape \(3, 2, 3, 2\); expected \(3, 2, 3, 3\)"):
        layer(rand((1, 2, 5, 5)))
    layer = Conv2d(2, 3, 3)
    layer.bias = np.zeros(2)
    with pytest.raises(ValueError, match="bias"):
        layer(rand((1, 2, 5, 5)))


@pytest.mark.parametrize("make", [
    lambda **kw: Conv2d(2, 2, 3, padding=1, algorithm="naive", **kw),
    lambda **kw: nnref.DepthwiseConv2d(2, 3, padding=1, **kw),
], ids=["Conv2d", "DepthwiseConv2d"])
def test_old_padding_mode_spelling_still_works_with_a_deprecation_warning(make):
    with pytest.warns(DeprecationWarning, match="padding_taps='skip'"):
        old = make(padding_mode="skip", rng=0)
    new = make(padding_taps="skip", rng=0)
    assert (old.padding_mode, old.padding_taps) == (new.padding_mode, new.padding_taps) == ("zeros", "skip")
    x = rand((1, 2, 5, 5))
    assert old(x)[1] == new(x)[1] != make(rng=0)(x)[1]  # skip saves the padding taps
    with pytest.raises(ValueError, match="padding_mode='mirror'.*expected one of"):
        make(padding_mode="mirror")


def test_zoo_build_takes_the_old_padding_mode_spelling():
    from nnref.models import zoo

    with pytest.warns(DeprecationWarning, match="padding_taps='skip'"):
        model = zoo.build("seed_crnn", padding_mode="skip", algorithm="naive")
    assert model["conv"].padding_taps == "skip"
