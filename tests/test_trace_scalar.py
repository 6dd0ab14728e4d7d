"""The Traced scalar: each op records its kind, IEEE edge cases, NaN in maximum/minimum."""
import math
import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnref.core.opcounts import OpCounts
from nnref.reference._scalar import (Tally, Traced, erf, exp, log, maximum, minimum, sqrt,
                                     unwrap, wrap)

BINARY = [(operator.add, "add"), (operator.sub, "sub"), (operator.mul, "mul"),
          (operator.truediv, "div")]
NP_BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide}


def pair(a=3.0, b=2.0):
    tally = Tally()
    return Traced(a, tally), Traced(b, tally), tally


@pytest.mark.parametrize("op,kind", BINARY)
def test_binary_op_records_its_kind(op, kind):
    a, b, tally = pair()
    r = op(a, b)
    assert isinstance(r, Traced) and r.tally is tally
    assert tally.counts() == OpCounts(**{kind: 1})


@pytest.mark.parametrize("op,kind", BINARY)
def test_constant_operand_counts_on_either_side(op, kind):
    a, _, tally = pair(3.0)
    assert op(a, 2.0).value == op(3.0, 2.0)
    assert op(2.0, a).value == op(2.0, 3.0)
    assert tally.counts() == OpCounts(**{kind: 2})


@pytest.mark.parametrize("f,kind,expected", [
    (operator.neg, "neg", -3.0), (exp, "exp", math.exp(3.0)), (sqrt, "sqrt", math.sqrt(3.0)),
    (erf, "erf", math.erf(3.0)), (log, "log", math.log(3.0))])
def test_unary_op_records_its_kind(f, kind, expected):
    a, _, tally = pair(3.0)
    assert f(a).value == expected
    assert tally.counts() == OpCounts(**{kind: 1})


@pytest.mark.parametrize("op", [operator.lt, operator.le, operator.gt, operator.ge])
def test_comparison_returns_bool_and_records_cmp(op):
    a, b, tally = pair(3.0, 2.0)
    assert op(a, b) is op(3.0, 2.0)
    assert op(a, 3.0) is op(3.0, 3.0)
    assert tally.counts() == OpCounts(cmp=2)


def test_chained_expression_counts_every_op():
    a, b, tally = pair(2.0, 3.0)
    r = (a * b + 1.0) / (b - a) - (-a)
    assert r.value == (2.0 * 3.0 + 1.0) / (3.0 - 2.0) + 2.0
    assert tally.counts() == OpCounts(add=1, sub=2, mul=1, div=1, neg=1)


def test_tallies_are_independent():
    a, _, t1 = pair()
    b, _, t2 = pair()
    a + a
    assert t1.counts() == OpCounts(add=1) and t2.counts() == OpCounts()
    b * b
    assert t1.counts() == OpCounts(add=1) and t2.counts() == OpCounts(mul=1)


def test_exp_overflow_is_inf():
    a, _, tally = pair(1000.0)
    assert exp(a).value == math.inf
    assert exp(-a).value == 0.0
    assert tally.counts() == OpCounts(exp=2, neg=1)


@pytest.mark.parametrize("num,den,expected", [
    (1.0, 0.0, math.inf), (-1.0, 0.0, -math.inf), (1.0, -0.0, -math.inf),
    (-1.0, -0.0, math.inf), (math.inf, 0.0, math.inf)])
def test_division_by_zero_is_ieee_inf(num, den, expected):
    a, b, tally = pair(num, den)
    assert (a / b).value == expected
    assert (num / b).value == expected
    assert (a / den).value == expected
    assert tally.counts() == OpCounts(div=3)


@pytest.mark.parametrize("num", [0.0, -0.0, math.nan])
def test_zero_or_nan_over_zero_is_nan(num):
    a, b, _ = pair(num, 0.0)
    assert math.isnan((a / b).value)


@pytest.mark.parametrize("v,expected", [(0.0, -math.inf), (-0.0, -math.inf), (-1.0, math.nan),
                                        (math.nan, math.nan), (math.inf, math.inf)])
def test_log_is_ieee_not_a_python_error(v, expected):
    tally = Tally()
    r = log(Traced(v, tally)).value
    assert r == expected or (math.isnan(r) and math.isnan(expected))
    assert tally.counts() == OpCounts(log=1)


def test_erf_saturates_and_propagates_nan():
    tally = Tally()
    assert [erf(Traced(v, tally)).value for v in (math.inf, -math.inf, 30.0)] == [1.0, -1.0, 1.0]
    assert math.isnan(erf(Traced(math.nan, tally)).value)
    assert tally.counts() == OpCounts(erf=4)


def test_sqrt_of_negative_and_nan_is_nan():
    a, b, tally = pair(-1.0, math.nan)
    assert math.isnan(sqrt(a).value) and math.isnan(sqrt(b).value)
    assert tally.counts() == OpCounts(sqrt=2)


@pytest.mark.parametrize("f", [maximum, minimum])
@pytest.mark.parametrize("a,b", [(math.nan, 1.0), (1.0, math.nan), (math.nan, math.nan)])
def test_maximum_minimum_propagate_nan_with_one_cmp(f, a, b):
    ta, tb, tally = pair(a, b)
    assert math.isnan(f(ta, tb).value)
    assert math.isnan(f(ta, b).value)
    assert tally.counts() == OpCounts(cmp=2)


def test_maximum_minimum_values_and_constants():
    a, b, tally = pair(-2.0, 5.0)
    assert maximum(a, b).value == 5.0 and minimum(a, b).value == -2.0
    r = maximum(a, 0.0)
    assert isinstance(r, Traced) and r.value == 0.0 and minimum(b, 6.0).value == 5.0
    assert tally.counts() == OpCounts(cmp=4)


def test_equality_is_not_counted_and_traced_is_unhashable():
    a, _, tally = pair()
    assert (a == a) and tally.counts() == OpCounts()
    with pytest.raises(TypeError):
        hash(a)


def test_wrap_unwrap_round_trip_records_nothing():
    x = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5
    tally = Tally()
    t = wrap(x, tally)
    assert t.shape == (2, 3) and t.dtype == object
    assert all(isinstance(v, Traced) and v.tally is tally for v in t.flat)
    y = unwrap(t, np.float32)
    assert y.dtype == np.float32 and np.array_equal(y, x)
    assert unwrap([[1.0, t[0, 0]]], np.float64).tolist() == [[1.0, -2.5]]
    assert tally.counts() == OpCounts()


floats = st.floats(allow_nan=True, allow_infinity=True, width=64)


@given(a=floats, b=floats)
def test_binary_values_match_numpy_float64(a, b):
    for kind, f in NP_BINARY.items():
        ta, tb, _ = pair(a, b)
        r = {"add": ta + tb, "sub": ta - tb, "mul": ta * tb, "div": ta / tb}[kind]
        with np.errstate(all="ignore"):
            expected = f(np.float64(a), np.float64(b))
        assert np.array_equal(r.value, expected, equal_nan=True), (kind, a, b)


@given(a=floats)
def test_unary_values_match_numpy_float64(a):
    ta, _, tally = pair(a)
    with np.errstate(all="ignore"):
        assert np.array_equal(exp(ta).value, np.exp(np.float64(a)), equal_nan=True)
        assert np.array_equal(sqrt(ta).value, np.sqrt(np.float64(a)), equal_nan=True)
        assert np.array_equal((-ta).value, -np.float64(a), equal_nan=True)
    assert tally.counts() == OpCounts(exp=1, sqrt=1, neg=1)
