"""ConvTranspose1d/2d/3d: the hand-counted checklist, both kernels alike, output_size, bad
configurations, and every tool's rule against the real tool, live.

Torch agreement, NaN, threads and kernel = traced = formula on every configuration are
in tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from catalogue import twin
from conftest import assert_close_torch, rand, to_torch, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from live_tools import live, nnref_side, one
from strategies import FACTORIES

from nnref.testing.configs.conv_transpose import MODES_TRANSPOSED

from nnref import OpCounts, formulas
from nnref.conventions import tf_profiler
from nnref.layers import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, ReLU
from nnref.models import Sequential

DENSE = [m for m in MODES_TRANSPOSED if m[1] == "dense"]
SKIP = [("naive", "skip")]


def check(layer, shape, mul, add, modes=DENSE):
    """Each (algorithm, padding_taps) of ``modes`` matches torch and counts mul/add exactly."""
    x = rand(shape, np.float64, seed=1)
    for layer.algorithm, layer.padding_taps in modes:
        y, ops = layer(x)
        assert_close_torch(y, twin(layer, x))
        assert ops == OpCounts(mul=mul, add=add) == formulas.for_layer(layer, shape)
    return y


# -- the checklist: t(f) products reach full position f; c − 1 adds there, + 1 bias --------
def test_1x1():  # 9 positions, each 4 products: 36·5 mul, 3 adds each + bias
    check(ConvTranspose2d(4, 5, 1), (1, 4, 3, 3), mul=180, add=45 * 3 + 45)


def test_strided_no_overlap():  # s = k: each of the 6 outputs is one product
    check(ConvTranspose1d(1, 1, 2, stride=2), (1, 1, 3), mul=6, add=6)
    check(ConvTranspose1d(1, 1, 2, stride=2, bias=False), (1, 1, 3), mul=6, add=0)


def test_overlapping():  # s < k: t = 1, 2, 3, 3, 2, 1; 12 products, 6 positions
    check(ConvTranspose1d(1, 1, 3, bias=False), (1, 1, 4), mul=12, add=6)


def test_gaps_are_the_bias_alone():  # s > k: positions 0, 3, 6 reached; 1, 2, 4, 5 the bias
    layer = ConvTranspose1d(1, 1, 1, stride=3)
    y = check(layer, (1, 1, 3), mul=3, add=3)
    y, ops = layer(np.full((1, 1, 3), np.nan))
    assert (y[0, 0, [1, 2, 4, 5]] == np.float32(layer.bias[0])).all() and np.isnan(y[0, 0, 0])


def test_padded_dense_and_skip():  # full t = 1 2 3 3 2 1, output = positions 1 … 4
    layer = ConvTranspose1d(1, 1, 3, padding=1)
    check(layer, (1, 1, 4), mul=12, add=12 - 6 + 4)
    check(layer, (1, 1, 4), mul=10, add=10 - 4 + 4, modes=SKIP)  # t = 2 3 3 2


def test_output_padding_beyond_the_full_output():  # full 4 positions, output 5: the last is b
    layer = ConvTranspose1d(1, 1, 2, stride=2, output_padding=1)
    check(layer, (1, 1, 2), mul=4, add=4)
    y, _ = layer(np.full((1, 1, 2), np.inf))
    assert y[0, 0, 4] == np.float32(layer.bias[0])


def test_dilated():  # positions j + 2m: t = 1 1 2 1 1
    check(ConvTranspose1d(1, 1, 2, dilation=2, bias=False), (1, 1, 3), mul=6, add=1)


def test_grouped():  # 6 planes of 2 input channels, t per axis 1 2 2 1: 6·2·36 products
    check(ConvTranspose2d(4, 6, 2, groups=2), (1, 4, 3, 3), mul=432, add=432 - 96 + 96)


def test_depthwise_strided_padded():  # per axis full t = 1 1 2 1 2 1 1, output positions 1 … 5
    layer = ConvTranspose2d(3, 3, 3, stride=2, padding=1, groups=3, bias=False)
    check(layer, (1, 3, 3, 3), mul=3 * 81, add=3 * 81 - 3 * 49)
    check(layer, (1, 3, 3, 3), mul=3 * 49, add=3 * 49 - 3 * 25, modes=SKIP)  # t = 1 2 1 2 1


def test_asymmetric():  # H: positions 0, 2 (1 unreached); W: t = 1 2 3 2 1
    layer = ConvTranspose2d(1, 1, (1, 3), stride=(2, 1), bias=False)
    y = check(layer, (1, 1, 2, 3), mul=18, add=18 - 10)
    assert (y[0, 0, 1] == 0).all()


def test_batched():
    check(ConvTranspose1d(1, 1, 3, bias=False), (3, 1, 4), mul=36, add=18)


def test_3d_no_overlap():  # 2 planes of 4·4·4 outputs, each one product
    check(ConvTranspose3d(1, 2, 2, stride=2), (1, 1, 2, 2, 2), mul=128, add=128)


def test_many_pairs_run_one_task_each():  # N·groups >= 8: the per-pair GEMM + col2im
    check(ConvTranspose2d(4, 4, 3, stride=2, padding=1, output_padding=1, groups=4),
          (2, 4, 3, 3), mul=2 * 4 * 81, add=2 * 4 * (81 - 49 + 36))


# -- both kernels, the same values and counts ---------------------------------------------
@pytest.mark.parametrize("name", ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"])
@settings(max_examples=15)
@given(data=st.data())
def test_naive_and_col2im_agree(name, data):
    layer, x = data.draw(FACTORIES[name](modes=DENSE[:1]), label="layer, x")
    y1, ops1 = layer(x)
    layer.algorithm = "naive"
    y2, ops2 = layer(x)
    assert ops1 == ops2
    dt = x.dtype.type
    np.testing.assert_allclose(y1, y2, rtol=1e-5 if dt is np.float32 else 1e-12,
                               atol=1e-6 if dt is np.float32 else 1e-13)


# -- torch's forward(x, output_size) ---------------------------------------------------------
def test_output_size_picks_the_output_padding_as_torch():
    layer = ConvTranspose2d(3, 2, 3, stride=(2, 3), padding=1, rng=0)  # least sizes 7 and 10
    module = torch.nn.ConvTranspose2d(3, 2, 3, stride=(2, 3), padding=1).double()
    with torch.no_grad():
        module.weight.copy_(to_torch(layer.weight))
        module.bias.copy_(to_torch(layer.bias))
    x = rand((1, 3, 4, 4))
    for size in ((8, 12), [1, 2, 7, 10], (8, 11)):
        y, ops = layer(x, output_size=size)
        assert_close_torch(y, module(to_torch(x), output_size=list(size)).detach())
        assert ops == formulas.for_layer(layer.with_output_size(x.shape, size), x.shape)
    assert layer.output_padding == (0, 0)  # the layer itself is unchanged
    assert layer.with_output_size(x.shape, (8, 12)).weight is layer.weight


@pytest.mark.parametrize("size,error,match", [
    ((9, 10), ValueError, r"output_size=\(9, 10\).*axis 2 expected a size in \[7, 8\]"),
    ((7,), ValueError, "output_size=.*has 1 entries"),
    ("7", TypeError, "output_size='7'"),
])
def test_bad_output_size(size, error, match):
    with pytest.raises(error, match=match):
        ConvTranspose2d(3, 2, 3, stride=(2, 3), padding=1)(rand((1, 3, 4, 4)), output_size=size)


# -- bad configurations ------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,match", [
    (dict(stride=2, output_padding=2), r"output_padding=2 is invalid with stride=\(2,\) and "
                                       r"dilation=\(1,\); expected each output padding smaller"),
    (dict(stride=1, dilation=1, output_padding=1), "output_padding=1 is invalid"),
    (dict(padding_mode="reflect"), r"padding_mode='reflect' is invalid; expected one of \['zeros'\]"),
    (dict(padding_taps="skip"), "padding_taps='skip' is invalid with algorithm='col2im'"),
    (dict(groups=2, in_channels=3), "in_channels=3 is not divisible by groups=2"),
])
def test_bad_configuration_is_named(kwargs, match):
    args = dict(in_channels=2, out_channels=2, kernel_size=3) | kwargs
    with pytest.raises(ValueError, match=match):
        ConvTranspose1d(**args)


def test_output_padding_below_the_dilation_is_allowed_as_in_torch():
    layer = ConvTranspose1d(1, 1, 2, stride=1, dilation=2, output_padding=1, rng=0)
    x = rand((1, 1, 3))
    assert_close_torch(layer(x)[0], twin(layer, x))


def test_padding_that_leaves_no_output_is_named():
    with pytest.raises(ValueError, match=r"gives output size -1 along axis 2; expected an "
                                         r"output of at least 1"):
        ConvTranspose1d(1, 1, 2, padding=2).output_shape((1, 1, 2))


# -- every tool, live -----------------------------------------------------------------------
def torch_module(layer):
    """The torch module of an nnref ConvTranspose layer, with its weights (float32)."""
    m = getattr(torch.nn, layer.kind)(layer.in_channels, layer.out_channels, layer.kernel_size,
                                      layer.stride, layer.padding, layer.output_padding,
                                      layer.groups, layer.bias is not None, layer.dilation)
    with torch.no_grad():
        m.weight.copy_(to_torch(layer.weight))
        if layer.bias is not None:
            m.bias.copy_(to_torch(layer.bias))
    return m


def test_the_tools_live_on_a_decoder():
    """A hand-written decoder: THOP counts output positions, the others input positions."""
    up1 = ConvTranspose2d(8, 4, 4, stride=2, padding=1, rng=0)
    up2 = ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, groups=2, bias=False,
                          rng=1)
    model = Sequential(up1, ReLU(), up2)
    twin_model = torch.nn.Sequential(torch_module(up1), torch.nn.ReLU(), torch_module(up2))
    shape = (2, 8, 5, 5)
    plan = model.plan(shape)
    got = live(twin_model, torch.zeros(shape))
    assert got == nnref_side(plan)
    exact = sum(formulas.for_layer(s.layer, s.input_shape).mul for s in plan)
    assert got["fvcore"] == exact and got["torch"] == 2 * exact  # 2·8·25·4·16 + 2·4·100·1·9
    assert got["thop"] == 2 * 4 * 100 * 8 * 16 + 2 * 2 * 400 * 2 * 9  # 4 × exact here


@pytest.mark.parametrize("name", ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"])
@settings(max_examples=8)
@given(data=st.data())
def test_every_rule_equals_the_real_tool(name, data):
    layer, x = data.draw(FACTORIES[name](modes=DENSE[:1], nan=False, dtypes=(np.float32,)))
    assert live(torch_module(layer), to_torch(x)) == nnref_side(one(layer, x.shape))


def test_tf_rule_as_measured():
    """TF 2.21 (tests/data/tf_profiler.json): Conv2DBackpropInput = 2·out numel·kernel numel /
    (out depth·∏s), and the BiasAdd, on Keras' uncropped output; 3-D is not registered."""
    layer = ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1)  # full 2·3 + 1 + 1 = 8
    assert tf_profiler(one(layer, (1, 4, 3, 3))).total == 2 * 64 * 9 * 4 * 6 // 4 + 6 * 64
    grouped = ConvTranspose1d(4, 6, 2, stride=3, groups=2, bias=False)  # full 2·3 + 2 = 8
    assert tf_profiler(one(grouped, (1, 4, 3))).total == 2 * (2 * 8 * 2 * 2 * 3 // 3)
    assert tf_profiler(one(ConvTranspose3d(2, 2, 2, bias=False), (1, 2, 2, 2, 2))).total == 0
