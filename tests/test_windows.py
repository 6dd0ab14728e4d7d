"""Traced window reference: counts == kernels == formulas, values == kernels and torch."""
import numpy as np
import pytest
from conftest import assert_close_torch, to_torch, torch
from hypothesis import assume, given
from hypothesis import strategies as st

from nnref.counting import OpCounts, formulas
from nnref.layers.conv import Conv1d, Conv2d, Conv3d
from nnref.layers.dense import Dense, Linear
from nnref.layers.depthwise import DepthwiseConv2d, PointwiseConv2d
from nnref.layers.pool import AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d
from nnref.trace.windows import REFERENCES, axis_windows, reference

F = torch.nn.functional
CONVS = {1: Conv1d, 2: Conv2d, 3: Conv3d}
MAXPOOLS = {1: MaxPool1d, 2: MaxPool2d, 3: MaxPool3d}
AVGPOOLS = {1: AvgPool1d, 2: AvgPool2d, 3: AvgPool3d}


def per_axis(n, lo, hi):
    return st.tuples(*[st.integers(lo, hi)] * n)


def sizes_that_fit(draw, k, p, d, most=4):
    """Spatial sizes large enough for the dilated kernel on the padded input."""
    least = [max(1, dd * (kk - 1) + 1 - 2 * pp) for kk, pp, dd in zip(k, p, d)]
    return tuple(draw(st.integers(n, n + most)) for n in least)


def data(draw, shape, dtype=np.float64):
    return np.random.default_rng(draw(st.integers(0, 999))).standard_normal(shape).astype(dtype)


def check_three_way(layer, x):
    """The reference's counts equal the kernel's and the formula's; its values the kernel's."""
    y_ref, ops_ref = reference(layer, x)
    y, ops = layer(x)
    assert ops_ref == ops == formulas.for_layer(layer, x.shape), repr(layer)
    assert y_ref.dtype == y.dtype == x.dtype and y_ref.shape == y.shape
    tol = dict(rtol=1e-10, atol=1e-12) if x.dtype == np.float64 else dict(rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(y_ref, y, equal_nan=True, err_msg=repr(layer), **tol)


@st.composite
def convs(draw):
    nd = draw(st.integers(1, 3))
    g = draw(st.integers(1, 2))
    small = nd == 3  # keep 3-D cases to a few hundred taps: the reference is plain Python
    k, s = draw(per_axis(nd, 1, 2 if small else 3)), draw(per_axis(nd, 1, 3))
    p, d = draw(per_axis(nd, 0, 1 if small else 2)), draw(per_axis(nd, 1, 2))
    mode = draw(st.sampled_from(["dense", "skip"]))
    algorithm = "naive" if mode == "skip" else draw(st.sampled_from(["naive", "im2col"]))
    layer = CONVS[nd](g * draw(st.integers(1, 2)), g * draw(st.integers(1, 2)), k, s, p, d, g,
                      bias=draw(st.booleans()), padding_mode=mode, algorithm=algorithm,
                      rng=draw(st.integers(0, 99)))
    shape = (draw(st.integers(1, 1 if small else 2)), layer.in_channels) + sizes_that_fit(
        draw, k, p, d, 1 if small else 3)
    return layer, data(draw, shape, draw(st.sampled_from([np.float32, np.float64])))


@st.composite
def separables(draw):
    if draw(st.booleans()):
        c = draw(st.integers(1, 3))
        k, p, d = draw(per_axis(2, 1, 3)), draw(per_axis(2, 0, 2)), draw(per_axis(2, 1, 2))
        layer = DepthwiseConv2d(c, k, draw(st.integers(1, 2)), draw(per_axis(2, 1, 2)), p, d,
                                bias=draw(st.booleans()),
                                padding_mode=draw(st.sampled_from(["dense", "skip"])))
        shape = (draw(st.integers(1, 2)), c) + sizes_that_fit(draw, k, p, d)
    else:
        layer = PointwiseConv2d(draw(st.integers(1, 3)), draw(st.integers(1, 3)),
                                bias=draw(st.booleans()))
        shape = (draw(st.integers(1, 2)), layer.in_channels) + draw(per_axis(2, 1, 3))
    return layer, data(draw, shape)


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
    return layer, data(draw, lead + sizes_that_fit(draw, k, p, d))


@st.composite
def denses(draw):
    layer = draw(st.sampled_from([Dense, Linear]))(draw(st.integers(1, 5)), draw(st.integers(1, 4)),
                                                   bias=draw(st.booleans()))
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    return layer, data(draw, lead + (layer.in_features,))


# -- three-way agreement on generated configurations -------------------------------------


@given(convs())
def test_conv_grouped_dilated_strided_padded_skip_dense(case):
    check_three_way(*case)


@given(separables())
def test_depthwise_and_pointwise(case):
    check_three_way(*case)


@given(pools())
def test_pool_ceil_mode_count_include_pad_unbatched(case):
    check_three_way(*case)


@given(denses())
def test_dense_with_leading_dims(case):
    check_three_way(*case)


def test_references_cover_every_window_layer():
    names = {f"{c}{n}d" for c in ("Conv", "MaxPool", "AvgPool") for n in (1, 2, 3)}
    assert set(REFERENCES) == names | {"DepthwiseConv2d", "PointwiseConv2d", "Dense", "Linear"}


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
    if 2 * p > k or d * (k - 1) + 1 > i + 2 * p:
        return
    y = F.max_pool1d(torch.zeros(1, 1, i), k, s, p, d, ceil_mode=ceil)
    assert len(axis_windows(i, k, s, p, d, ceil)) == y.shape[-1]


def test_rejects_what_the_layer_rejects():
    with pytest.raises(ValueError, match="channels"):
        reference(Conv2d(2, 1, 3), np.zeros((1, 3, 5, 5)))
    with pytest.raises(TypeError, match="dtype"):
        reference(Conv2d(1, 1, 3), np.zeros((1, 1, 5, 5), int))
