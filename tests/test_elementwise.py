"""Add, Sub, Mul, Div (nnref/layers/elementwise.py): counts by hand, broadcasting, numbers on
either side, in place, IEEE division, bad operands.

Torch agreement, NaN, threads and kernel = traced = formula on every configuration are
in tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from conftest import assert_close_torch, rand, to_torch, torch

from nnref import formulas
from nnref.core.opcounts import OpCounts
from nnref.layers.elementwise import Add, Div, Mul, Sub
from nnref.reference import reference


def test_add_counts_by_hand():
    y, ops = Add()(np.ones((2, 3, 4)), np.full((2, 3, 4), 2.0))
    np.testing.assert_array_equal(y, np.full((2, 3, 4), 3.0))
    assert ops.as_dict(flops=True) == dict(add=24, sub=0, mul=0, div=0, neg=0, exp=0, sqrt=0,
                                           cmp=0, erf=0, log=0, flops=24)
    a, b = rand((3, 70_001), np.float32, 0), rand((3, 70_001), np.float32, 1)
    assert Add()(a, b)[1] == OpCounts(add=210_003)  # several tasks, the last one ragged


def test_squeeze_and_excitation_broadcast_is_one_mul_per_output():
    # x (2, 8, 5, 5) times s (2, 8, 1, 1): 400 outputs, 400 mul; s is read 25 times each
    x, s = rand((2, 8, 5, 5)), rand((2, 8, 1, 1), seed=1)
    y, ops = Mul()(x, s)
    assert ops == OpCounts(mul=400) == formulas.for_layer(Mul(), ((2, 8, 5, 5), (2, 8, 1, 1)))
    assert_close_torch(y, to_torch(x) * to_torch(s))
    y2, ops2 = Mul()(s, x)  # the small operand first: same shape, same count
    assert y2.shape == (2, 8, 5, 5) and ops2 == ops


def test_broadcast_both_ways_and_missing_axes():
    a, b = rand((3, 1, 4)), rand((5, 1), seed=1)  # (3, 1, 4) ⊙ (5, 1) -> (3, 5, 4)
    for cls, f in ((Add, torch.add), (Sub, torch.sub), (Div, torch.div)):
        y, ops = cls()(a, b)
        assert y.shape == (3, 5, 4) and ops.flops == 60
        assert_close_torch(y, f(to_torch(a), to_torch(b)))
    assert reference(Sub(), (a, b))[1] == OpCounts(sub=60)


def test_a_number_on_either_side():
    x = rand((2, 3), np.float32)
    t = to_torch(x)
    cases = [(Mul(0.5), t * 0.5, OpCounts(mul=6)), (Add(1), t + 1, OpCounts(add=6)),
             (Sub(1.0, reverse=True), 1 - t, OpCounts(sub=6)),
             (Div(6.0, reverse=True), 6 / t, OpCounts(div=6)), (Div(6.0), t / 6, OpCounts(div=6))]
    for layer, want, counts in cases:
        y, ops = layer(x)  # float32 throughout: the number is cast to float32, as in torch
        assert ops == counts == formulas.for_layer(layer, x.shape)
        assert_close_torch(y, want)


def test_scalar_arithmetic_chain_like_torch():
    # x * 0.5 + 1, in float32: torch computes each step in float32 with the number cast
    x = rand((4, 5), np.float32)
    y, ops = Add(1.0)(Mul(0.5)(x)[0])
    assert_close_torch(y, to_torch(x) * 0.5 + 1)


def test_in_place_writes_into_the_first_operand():
    a, b = rand((2, 3)), rand((1, 3), seed=1)
    expected = a + b
    y, ops = Add(inplace=True)(a, b)
    assert y is a and ops == OpCounts(add=6)
    np.testing.assert_array_equal(a, expected)
    x = rand((4,))
    y, _ = Mul(2.0, inplace=True)(x)
    assert y is x
    with pytest.raises(ValueError, match="inplace=True writes into a of shape \\(1, 3\\)"):
        Add(inplace=True)(rand((1, 3)), rand((2, 3)))
    with pytest.raises(ValueError, match="read-only"):
        Add(inplace=True)(np.broadcast_to(rand((3,)), (2, 3)), rand((2, 3)))


def test_division_by_zero_is_ieee_as_in_torch():
    a = np.array([1.0, -1.0, 0.0, 2.0])
    b = np.array([0.0, 0.0, 0.0, 4.0])
    y, ops = Div()(a, b)
    np.testing.assert_array_equal(y, [np.inf, -np.inf, np.nan, 0.5])
    assert ops == OpCounts(div=4)
    y, _ = Div(0.0)(a)
    np.testing.assert_array_equal(y, to_torch(a).div(0.0).numpy())
    assert_close_torch(reference(Div(), (a, b))[0], to_torch(a) / to_torch(b))


def test_bad_operands_are_named():
    with pytest.raises(ValueError, match=r"operands of shapes \[\(2, 3\), \(3, 2\)\] cannot be "
                                         r"broadcast"):
        Add()(rand((2, 3)), rand((3, 2)))
    with pytest.raises(TypeError, match="a has dtype float32 and b has dtype float64"):
        Add()(rand((2, 3), np.float32), rand((2, 3), np.float64))
    with pytest.raises(TypeError, match="b has dtype int64"):
        Add()(rand((2,)), np.arange(2))
    with pytest.raises(TypeError, match="takes 1 array"):
        Mul(2.0)(rand((2,)), rand((2,)))
    with pytest.raises(TypeError, match="takes 2 array"):
        Mul()(rand((2,)))
    with pytest.raises(ValueError, match="reverse=True is invalid without a number"):
        Sub(reverse=True)
    with pytest.raises(TypeError, match="other='2'"):
        Mul("2")
    with pytest.raises(ValueError, match=r"3 shapes; expected one shape, or 2"):
        formulas.for_layer(Add(), ((2,), (2,), (2,)))
