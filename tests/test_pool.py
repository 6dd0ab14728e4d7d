"""Max/avg pooling: torch agreement, kernel counts = formula, hand counts, NaN, errors."""
import numpy as np
import pytest
from conftest import assert_close_torch, rand, to_torch, torch
from hypothesis import given
from hypothesis import strategies as st

from nnref import formulas
from nnref.layers.pool import AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d

F = torch.nn.functional
MAX = {1: MaxPool1d, 2: MaxPool2d, 3: MaxPool3d}
AVG = {1: AvgPool1d, 2: AvgPool2d, 3: AvgPool3d}
TORCH_MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
TORCH_AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


@st.composite
def configs(draw, n, dilated, min_kernel=False):
    """Per-axis kernel, stride, padding (<= k/2), dilation, and an input size that fits.

    ``min_kernel``: input sizes at least the kernel size (torch's avg_pool3d demands it).
    """
    k = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    s = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    p = [draw(st.integers(0, kk // 2)) for kk in k]
    d = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)) if dilated else [1] * n
    size = [max(kk if min_kernel else 1, dd * (kk - 1) + 1 - 2 * pp + draw(st.integers(0, 5 if n < 3 else 3)))
            for kk, pp, dd in zip(k, p, d)]
    lead = [draw(st.integers(1, 2)), draw(st.integers(1, 3))]
    if draw(st.booleans()):
        lead = lead[1:]  # unbatched (C, *S)
    return dict(k=tuple(k), s=tuple(s), p=tuple(p), d=tuple(d), shape=tuple(lead + size),
                ceil_mode=draw(st.booleans()), dtype=draw(st.sampled_from([np.float32, np.float64])))


def run_max(n, c, seed=0):
    layer = MAX[n](c["k"], c["s"], c["p"], c["d"], c["ceil_mode"])
    x = rand(c["shape"], c["dtype"], seed)
    ref = TORCH_MAX[n](to_torch(x), c["k"], c["s"], c["p"], c["d"], ceil_mode=c["ceil_mode"])
    return layer, x, ref


def run_avg(n, c, include_pad, seed=0):
    layer = AVG[n](c["k"], c["s"], c["p"], c["ceil_mode"], include_pad)
    x = rand(c["shape"], c["dtype"], seed)
    ref = TORCH_AVG[n](to_torch(x), c["k"], c["s"], c["p"], c["ceil_mode"], include_pad)
    return layer, x, ref


@pytest.mark.parametrize("n", [1, 2, 3])
@given(data=st.data())
def test_maxpool_matches_torch_and_counts_equal_formula(n, data):
    layer, x, ref = run_max(n, data.draw(configs(n, dilated=True)))
    y, ops = layer(x)
    assert_close_torch(y, ref)
    assert layer.output_shape(x.shape) == tuple(ref.shape)
    assert ops == formulas.for_layer(layer, x.shape)


@pytest.mark.parametrize("n", [1, 2, 3])
@given(data=st.data(), include_pad=st.booleans())
def test_avgpool_matches_torch_and_counts_equal_formula(n, data, include_pad):
    layer, x, ref = run_avg(n, data.draw(configs(n, dilated=False, min_kernel=n == 3)), include_pad)
    y, ops = layer(x)
    assert_close_torch(y, ref)
    assert layer.output_shape(x.shape) == tuple(ref.shape)
    assert ops == formulas.for_layer(layer, x.shape)


# -- checklist, with counts worked out by hand ------------------------------------------

def test_maxpool2d_2x2_counts():
    y, ops = MaxPool2d(2)(rand((1, 1, 4, 4)))
    assert y.shape == (1, 1, 2, 2) and ops.as_tuple() == (0,) * 7 + (4 * 3,)


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
    assert_close_torch(y, F.max_pool1d(to_torch(x), 2, padding=1, dilation=2))
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
    x = rand((1, 2, 5))
    assert MaxPool1d(2, 2, 1, ceil_mode=True).output_shape(x.shape) == (1, 2, 3)
    assert_close_torch(MaxPool1d(2, 2, 1, ceil_mode=True)(x)[0],
                       F.max_pool1d(to_torch(x), 2, 2, 1, ceil_mode=True))


def test_avgpool2d_asymmetric_kernel_stride_padding():
    x = rand((2, 3, 9, 6), np.float32)
    layer = AvgPool2d((3, 2), stride=(2, 1), padding=(1, 0), count_include_pad=False)
    y, ops = layer(x)
    assert_close_torch(y, F.avg_pool2d(to_torch(x), (3, 2), (2, 1), (1, 0), count_include_pad=False))
    assert ops == formulas.for_layer(layer, x.shape)


def test_maxpool2d_resnet_stem_counts():
    # 112x112 -> 56x56 with k=3, s=2, p=1; rows/cols: window 0 has 2 taps, the others 3
    layer = MaxPool2d(3, 2, 1)
    per_axis = 2 + 55 * 3
    assert formulas.for_layer(layer, (1, 64, 112, 112)).cmp == 64 * (per_axis ** 2 - 56 * 56)


def test_maxpool3d_batched():
    x = rand((2, 2, 5, 4, 6), np.float32)
    y, ops = MaxPool3d((2, 3, 2), stride=(1, 2, 3), padding=(1, 1, 0))(x)
    assert_close_torch(y, F.max_pool3d(to_torch(x), (2, 3, 2), (1, 2, 3), (1, 1, 0)))
    assert ops == formulas.for_layer(MaxPool3d((2, 3, 2), (1, 2, 3), (1, 1, 0)), x.shape)


def test_unbatched_input_like_torch():
    x = rand((3, 6, 5))
    y, _ = AvgPool2d(2)(x)
    assert_close_torch(y, F.avg_pool2d(to_torch(x), 2))


@pytest.mark.parametrize("n", [1, 2, 3])
def test_nan_propagates_like_torch(n):
    x = rand((1, 2) + (5,) * n)
    x.reshape(-1)[[1, x.size // 2, x.size - 1]] = np.nan  # NaN as first and later tap
    for layer, ref in ((MAX[n](2, 1), TORCH_MAX[n](to_torch(x), 2, 1)),
                       (AVG[n](2, 1), TORCH_AVG[n](to_torch(x), 2, 1))):
        y, ops = layer(x)
        assert_close_torch(y, ref)
        assert ops == formulas.for_layer(layer, x.shape)  # NaN does not change counts


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
