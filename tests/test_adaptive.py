"""Adaptive pooling: hand counts, overlapping and repeating windows, None sizes, errors.

Torch agreement, NaN, threads and kernel = traced = formula on every configuration are
in tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from catalogue import twin
from conftest import assert_close_torch, rand

from nnref.layers.adaptive import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d


def test_global_avgpool_counts():
    # (2, 3, 7, 7) -> (2, 3, 1, 1): 6 windows of 49 -> add 48 each, div 1 each
    y, ops = AdaptiveAvgPool2d(1)(rand((2, 3, 7, 7)))
    assert y.shape == (2, 3, 1, 1)
    assert ops.as_dict() == dict(add=6 * 48, sub=0, mul=0, div=6, neg=0, exp=0, sqrt=0, cmp=0,
                                 erf=0, log=0)


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
    assert_close_torch(layer(x)[0], twin(layer, x))


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
