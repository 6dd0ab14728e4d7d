"""The traced reference alone: values against torch and hand arithmetic, the window
enumeration, dispatch and errors. Its counts are checked in tests/test_three_way.py."""
import numpy as np
import pytest
from conftest import assert_close_torch, to_torch, torch
from hypothesis import assume, given
from hypothesis import strategies as st

from nnref.counting import OpCounts
from nnref.layers.conv import Conv1d, Conv2d
from nnref.layers.pool import AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d
from nnref.layers.activation import LeakyReLU, ReLU, ReLU6, SiLU, Sigmoid, Tanh
from nnref.layers.adaptive import AdaptiveAvgPool2d, AdaptiveMaxPool2d
from nnref.layers.elementwise import Add
from nnref.layers.norm import BatchNorm2d
from nnref.layers.softmax import Softmax
from nnref.reference import reference
from nnref.reference import PLANS
from nnref.reference._windows import axis_windows

F = torch.nn.functional
MAXPOOLS = {1: MaxPool1d, 2: MaxPool2d, 3: MaxPool3d}
AVGPOOLS = {1: AvgPool1d, 2: AvgPool2d, 3: AvgPool3d}


def per_axis(n, lo, hi):
    return st.tuples(*[st.integers(lo, hi)] * n)


def sizes_that_fit(draw, k, p, d, most=4):
    """Spatial sizes large enough for the dilated kernel on the padded input."""
    least = [max(1, dd * (kk - 1) + 1 - 2 * pp) for kk, pp, dd in zip(k, p, d)]
    return tuple(draw(st.integers(n, n + most)) for n in least)


@st.composite
def pools(draw):
    nd = draw(st.integers(1, 3))
    k, s = draw(per_axis(nd, 1, 3)), draw(per_axis(nd, 1, 3))
    p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    ceil = draw(st.booleans())
    if draw(st.booleans()):
        d = draw(per_axis(nd, 1, 2))
        layer = MAXPOOLS[nd](k, s, p, d, ceil)
    else:
        d = (1,) * nd
        layer = AVGPOOLS[nd](k, s, p, ceil, count_include_pad=draw(st.booleans()))
    lead = draw(st.sampled_from([(2,), (1, 2), (2, 1)]))  # unbatched (C, ...) too
    x = np.random.default_rng(draw(st.integers(0, 999))).standard_normal(lead + sizes_that_fit(draw, k, p, d))
    return layer, x


# -- coverage (the three-way agreement itself is in test_three_way.py) -----------------


def test_window_plans_cover_every_window_layer():
    names = {f"{c}{n}d" for c in ("Conv", "MaxPool", "AvgPool") for n in (1, 2, 3)}
    assert set(PLANS.names()) == names | {"DepthwiseConv2d", "PointwiseConv2d", "Dense"}


# -- independent of the kernels: torch and hand arithmetic -------------------------------


@given(pools())
def test_pool_values_match_torch(case):
    layer, x = case
    nd = layer.spatial
    # torch's avg_pool3d alone refuses inputs smaller than the kernel, padding or not
    assume(layer.kind != "AvgPool3d"
           or all(i >= k for i, k in zip(x.shape[-3:], layer.kernel_size)))
    f = getattr(F, f"max_pool{nd}d" if "Max" in layer.kind else f"avg_pool{nd}d")
    kw = dict(kernel_size=layer.kernel_size, stride=layer.stride, padding=layer.padding,
              ceil_mode=layer.ceil_mode)
    if "Max" in layer.kind:
        kw["dilation"] = layer.dilation
    else:
        kw["count_include_pad"] = layer.count_include_pad
    assert_close_torch(reference(layer, x)[0], f(to_torch(x), **kw))


def test_max_pool_nan_propagates_like_torch():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 1, 2] = np.nan
    y, ops = reference(MaxPool2d(2), x)
    assert_close_torch(y, F.max_pool2d(to_torch(x), 2))
    assert ops == OpCounts(cmp=12)  # 4 windows of 4 taps


def test_conv1d_by_hand():  # y = [1·1 + 2·(−1) + 0.5, 2·1 + 3·(−1) + 0.5]
    layer = Conv1d(1, 1, 2)
    layer.weight, layer.bias = np.array([[[1.0, -1.0]]]), np.array([0.5])
    y, ops = reference(layer, np.array([[[1.0, 2.0, 3.0]]]))
    np.testing.assert_array_equal(y, [[[-0.5, -0.5]]])
    assert ops == OpCounts(mul=4, add=4)  # per output: mul 2, add 1 + 1 bias


def test_skip_window_without_taps_is_the_bias_and_costs_nothing():
    layer = Conv1d(1, 1, 1, padding=1, algorithm="naive", padding_mode="skip")
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


def test_rejects_what_the_layer_rejects():
    with pytest.raises(ValueError, match="channels"):
        reference(Conv2d(2, 1, 3), np.zeros((1, 3, 5, 5)))
    with pytest.raises(TypeError, match="dtype"):
        reference(Conv2d(1, 1, 3), np.zeros((1, 1, 5, 5), int))


# -- trace/reference families against torch ------------------------------------------

def _bn():
    rng = np.random.default_rng(2)
    layer = BatchNorm2d(3)
    layer.running_mean, layer.running_var = rng.standard_normal(3), np.array([0.5, 1.0, 2.0])
    layer.weight, layer.bias = rng.standard_normal((2, 3))
    return layer


def _torch_bn(t, layer):
    stats = (to_torch(getattr(layer, n)) for n in ("running_mean", "running_var", "weight", "bias"))
    return F.batch_norm(t, *stats, training=False, eps=layer.eps)


TORCH = {  # the families whose reference lives in trace/reference, straight against torch
    "relu6": (ReLU6(), lambda t, _: F.relu6(t)),
    "leaky_relu": (LeakyReLU(0.1), lambda t, _: F.leaky_relu(t, 0.1)),
    "silu": (SiLU(), lambda t, _: F.silu(t)),
    "tanh": (Tanh(), lambda t, _: torch.tanh(t)),
    "sigmoid": (Sigmoid(), lambda t, _: torch.sigmoid(t)),
    "softmax": (Softmax(-1), lambda t, _: torch.softmax(t, -1)),
    "adaptive_max": (AdaptiveMaxPool2d((2, 3)), lambda t, _: F.adaptive_max_pool2d(t, (2, 3))),
    "adaptive_avg": (AdaptiveAvgPool2d((3, 2)), lambda t, _: F.adaptive_avg_pool2d(t, (3, 2))),
    "batchnorm": (_bn(), _torch_bn),
}


@pytest.mark.parametrize("name", list(TORCH))
def test_reference_matches_torch_with_nan_and_inf(name):
    layer, ref = TORCH[name]
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 5)) * 4
    x[0, 0, 0, 0], x[0, 1, 2, 3], x[1, 2, 3, 4] = np.nan, np.inf, -np.inf
    y, _ = reference(layer, x)
    assert_close_torch(y, ref(to_torch(x), layer))


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
