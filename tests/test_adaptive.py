"""Adaptive pooling: torch agreement, kernel counts = formula, hand counts, NaN, errors."""
import numpy as np
import pytest
from conftest import assert_close_torch, rand, to_torch, torch
from hypothesis import given
from hypothesis import strategies as st

from nnref import formulas
from nnref.layers.adaptive import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d,
                                   AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d)

F = torch.nn.functional
LAYERS = {
    ("avg", 1): (AdaptiveAvgPool1d, F.adaptive_avg_pool1d),
    ("avg", 2): (AdaptiveAvgPool2d, F.adaptive_avg_pool2d),
    ("avg", 3): (AdaptiveAvgPool3d, F.adaptive_avg_pool3d),
    ("max", 1): (AdaptiveMaxPool1d, F.adaptive_max_pool1d),
    ("max", 2): (AdaptiveMaxPool2d, F.adaptive_max_pool2d),
    ("max", 3): (AdaptiveMaxPool3d, F.adaptive_max_pool3d),
}


@pytest.mark.parametrize("kind,n", sorted(LAYERS), ids=[f"{k}{n}d" for k, n in sorted(LAYERS)])
@given(data=st.data())
def test_matches_torch_and_counts_equal_formula(kind, n, data):
    cls, ref = LAYERS[kind, n]
    top = 9 if n < 3 else 5
    sizes = data.draw(st.lists(st.integers(1, top), min_size=n, max_size=n), label="input")
    entry = st.integers(1, top) if n == 1 else st.one_of(st.none(), st.integers(1, top))
    out = data.draw(st.lists(entry, min_size=n, max_size=n), label="output_size")
    lead = data.draw(st.sampled_from([(1, 2), (2, 3), (3,)]), label="lead")
    dtype = data.draw(st.sampled_from([np.float32, np.float64]), label="dtype")
    size = out[0] if n == 1 else tuple(out)  # torch's 1-D functions take no None
    layer = cls(size)
    x = rand(lead + tuple(sizes), dtype)
    y, ops = layer(x)
    assert_close_torch(y, ref(to_torch(x), size))
    assert ops == formulas.for_layer(layer, x.shape)


def test_global_avgpool_counts():
    # (2, 3, 7, 7) -> (2, 3, 1, 1): 6 windows of 49 -> add 48 each, div 1 each
    y, ops = AdaptiveAvgPool2d(1)(rand((2, 3, 7, 7)))
    assert y.shape == (2, 3, 1, 1)
    assert ops.as_dict() == dict(add=6 * 48, sub=0, mul=0, div=6, neg=0, exp=0, sqrt=0, cmp=0)


def test_overlapping_windows():
    # L=5 -> 3: windows [0,2), [1,4), [3,5) of 2, 3, 2 inputs -> cmp 1 + 2 + 1
    y, ops = AdaptiveMaxPool1d(3)(np.array([[[1.0, 5, 2, 4, 3]]]))
    np.testing.assert_array_equal(y, [[[5.0, 5.0, 4.0]]])
    assert ops.cmp == 4 and ops.flops == 4


def test_upsampling_repeats_inputs():
    # L=2 -> 5: windows [0,1) [0,1) [0,2) [1,2) [1,2) -> add 1, div 5
    y, ops = AdaptiveAvgPool1d(5)(np.array([[[2.0, 4.0]]]))
    np.testing.assert_array_equal(y, [[[2.0, 2.0, 3.0, 4.0, 4.0]]])
    assert (ops.add, ops.div, ops.flops) == (1, 5, 6)


def test_none_keeps_input_size():
    layer = AdaptiveAvgPool2d((None, 2))
    assert layer.output_shape((1, 3, 5, 6)) == (1, 3, 5, 2)
    x = rand((1, 3, 5, 6), np.float32)
    assert_close_torch(layer(x)[0], F.adaptive_avg_pool2d(to_torch(x), (None, 2)))


def test_3d_unbatched():
    x = rand((2, 4, 5, 3))
    y, ops = AdaptiveMaxPool3d((2, 3, 2))(x)
    assert_close_torch(y, F.adaptive_max_pool3d(to_torch(x), (2, 3, 2)))
    assert ops == formulas.for_layer(AdaptiveMaxPool3d((2, 3, 2)), x.shape)


@pytest.mark.parametrize("kind,n", sorted(LAYERS), ids=[f"{k}{n}d" for k, n in sorted(LAYERS)])
def test_nan_propagates_like_torch(kind, n):
    cls, ref = LAYERS[kind, n]
    x = rand((1, 2) + (5,) * n)
    x.reshape(-1)[[1, x.size // 2, x.size - 1]] = np.nan  # NaN as first and later input
    y, ops = cls(3)(x)
    assert_close_torch(y, ref(to_torch(x), 3))
    assert ops == formulas.for_layer(cls(3), x.shape)


@pytest.mark.parametrize("size,exc", [
    (0, ValueError), ((2, 0), ValueError), ((2,), ValueError), ((2, 2, 2), ValueError),
    (2.0, TypeError), ((2, "a"), TypeError), (None, TypeError),
])
def test_rejects_bad_output_size(size, exc):
    with pytest.raises(exc, match="output_size"):
        AdaptiveAvgPool2d(size)


def test_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\(5,\).*expected 3-D"):
        AdaptiveMaxPool1d(2)(rand((5,)))
    with pytest.raises(TypeError, match="dtype"):
        AdaptiveAvgPool1d(2)(np.ones((1, 1, 4), np.int32))
