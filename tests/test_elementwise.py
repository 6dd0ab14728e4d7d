"""Add (nnref/layers/elementwise.py): counts by hand, mismatched operands.

Torch agreement, NaN, threads and kernel = traced = formula on every configuration are
in tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from conftest import rand

from nnref.core.opcounts import OpCounts
from nnref.layers.elementwise import Add


def test_add_counts_by_hand():
    y, ops = Add()(np.ones((2, 3, 4)), np.full((2, 3, 4), 2.0))
    np.testing.assert_array_equal(y, np.full((2, 3, 4), 3.0))
    assert ops.as_dict(flops=True) == dict(add=24, sub=0, mul=0, div=0, neg=0, exp=0, sqrt=0,
                                           cmp=0, erf=0, log=0, flops=24)
    a, b = rand((3, 70_001), np.float32, 0), rand((3, 70_001), np.float32, 1)
    assert Add()(a, b)[1] == OpCounts(add=210_003)  # several tasks, the last one ragged


def test_add_rejects_mismatched_operands():
    with pytest.raises(ValueError, match=r"a has shape \(2, 3\) and b has shape \(3, 2\)"):
        Add()(rand((2, 3)), rand((3, 2)))
    with pytest.raises(TypeError, match="a has dtype float32 and b has dtype float64"):
        Add()(rand((2, 3), np.float32), rand((2, 3), np.float64))
    with pytest.raises(TypeError, match="b has dtype int64"):
        Add()(rand((2,)), np.arange(2))
