"""Mean (nnref/layers/reduce.py): counts by hand, axes and keepdim as torch, bad axes.

Torch agreement, NaN, threads and kernel = traced = formula on every configuration are in
tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from conftest import rand

from nnref import OpCounts, formulas
from nnref.layers.reduce import Mean
from nnref.reference import reference


@pytest.mark.parametrize("dim,keepdim,out,n", [
    ((2, 3), True, (2, 3, 1, 1), 20),  # squeeze-and-excitation: 6 means of 4·5 elements
    ([2, 3], False, (2, 3), 20),  # ShuffleNetV2's x.mean([2, 3])
    (-1, False, (2, 3, 4), 5),
    (None, False, (), 120),  # every element: one mean
    (None, True, (1, 1, 1, 1), 120),
    ((0, 2), False, (3, 5), 8),
])
def test_counts_by_hand(dim, keepdim, out, n):
    x = rand((2, 3, 4, 5))
    layer = Mean(dim, keepdim)
    y, ops = layer(x)
    means = int(np.prod(out))
    assert y.shape == out and ops == OpCounts(add=(n - 1) * means, div=means)
    assert ops == formulas.for_layer(layer, x.shape) == reference(layer, x)[1]
    axis = None if dim is None else tuple(dim) if isinstance(dim, (list, tuple)) else dim
    np.testing.assert_allclose(y, x.mean(axis=axis, keepdims=keepdim), rtol=1e-12)


def test_a_row_is_summed_then_divided_once():
    # one mean of 3: add 2, div 1; over many rows split into several tasks
    assert Mean(1)(np.ones((1, 3)))[1] == OpCounts(add=2, div=1)
    x = rand((70_000, 2), np.float32)
    assert Mean(-1)(x)[1] == OpCounts(add=70_000, div=70_000)
    assert Mean()(np.array(2.5))[0] == 2.5  # a 0-d input is one axis of one element


def test_bad_axes_are_named():
    with pytest.raises(ValueError, match="dim=\\(1, -2\\) names an axis twice"):
        Mean((1, -2)).output_shape((2, 3, 4))
    with pytest.raises(ValueError, match="dim=3 is out of range for input of shape \\(2, 3\\)"):
        Mean(3).output_shape((2, 3))
    with pytest.raises(ValueError, match="dim=\\(\\) is invalid"):
        Mean(())
    with pytest.raises(TypeError, match="dim=1.5 is invalid"):
        Mean(1.5)
