"""OpCounts arithmetic, exactness at yotta scale, and the SI formatter."""
import dataclasses

import numpy as np
import pytest

from nnref import KINDS, OpCounts, format_flops, format_si


def test_kinds_and_defaults():
    assert KINDS == ("add", "sub", "mul", "div", "neg", "exp", "sqrt", "cmp", "erf", "log")
    assert OpCounts().flops == 0
    # the constructor checks the fields by KINDS: they are the same names, in order
    assert tuple(f.name for f in dataclasses.fields(OpCounts)) == KINDS


def test_add_mul_eq_flops_dict():
    a = OpCounts(add=1, mul=2, cmp=3)
    b = OpCounts(sub=4, exp=5)
    assert a + b == OpCounts(add=1, sub=4, mul=2, exp=5, cmp=3)
    assert a * 3 == 3 * a == OpCounts(add=3, mul=6, cmp=9)
    assert sum([a, b, a]) == OpCounts(add=2, sub=4, mul=4, exp=5, cmp=6)
    assert (a + b).flops == 15
    assert a.as_dict() == {"add": 1, "sub": 0, "mul": 2, "div": 0, "neg": 0, "exp": 0, "sqrt": 0, "cmp": 3,
                           "erf": 0, "log": 0}
    assert a.as_dict(flops=True)["flops"] == 6


def test_immutable():
    with pytest.raises(AttributeError):
        OpCounts().add = 1


def test_values_are_python_ints_even_from_numpy():
    c = OpCounts(mul=np.int64(7)) * np.int32(3)
    assert type(c.mul) is int and c.mul == 21


def test_yotta_scale_does_not_overflow():
    big = OpCounts(mul=2**62) * (10**9)
    assert big.mul == 2**62 * 10**9 > 2**63
    assert (big + big).flops == 2 * 2**62 * 10**9


def test_from_rows_sums_columns_exactly():
    rows = np.full((3, len(KINDS)), 2**62, dtype=np.int64)  # the column sums overflow int64
    c = OpCounts.from_rows(rows)
    assert c.add == 3 * 2**62 and c.cmp == 3 * 2**62


@pytest.mark.parametrize("high", [2**20, 2**61, 2**63 - 1])
def test_from_rows_equals_python_sums(high):
    rows = np.random.default_rng(0).integers(0, high, (1025, len(KINDS)), dtype=np.int64)
    want = [sum(int(v) for v in rows[:, j]) for j in range(len(KINDS))]
    assert list(OpCounts.from_rows(rows).as_dict().values())[:len(KINDS)] == want
    assert OpCounts.from_rows(rows.astype(np.uint64)).add == want[0]


@pytest.mark.parametrize("bad", [1.5, "1", True, None])
def test_rejects_non_int(bad):
    with pytest.raises(TypeError, match="add"):
        OpCounts(add=bad)


def test_rejects_negative():
    with pytest.raises(ValueError, match="mul"):
        OpCounts(mul=-1)


@pytest.mark.parametrize("n,text", [
    (0, "0 FLOPs"), (999, "999 FLOPs"), (1_000, "1 kFLOPs"), (1_430_000_000, "1.43 GFLOPs"),
    (714_188_480, "714 MFLOPs"), (2 * 10**24, "2 YFLOPs"), (123 * 10**27, "123000 YFLOPs"),
])
def test_format_flops(n, text):
    assert format_flops(n) == text


def test_format_si_plain_and_errors():
    assert format_si(25_557_032) == "25.6 M"
    with pytest.raises(TypeError, match="n="):
        format_si(1.5)


# -- erf and log, and reading counts back from a dict -----------------------------------------
def test_erf_and_log_are_kinds_at_the_end():
    c = OpCounts(add=1, erf=2, log=3)
    assert c.as_tuple()[-2:] == (2, 3) and c.flops == 6
    assert str(c) == "OpCounts(add=1, erf=2, log=3; 6 FLOPs)"
    rows = np.zeros((2, len(KINDS)), np.int64)
    rows[:, KINDS.index("erf")], rows[:, KINDS.index("log")] = 5, 7
    assert OpCounts.from_rows(rows) == OpCounts(erf=10, log=14)


def test_rows_of_a_kernel_cached_before_the_kinds_changed_say_so():
    with pytest.raises(ValueError, match=r"\(3, 8\).*numba cache.*delete"):
        OpCounts.from_rows(np.zeros((3, 8), np.int64))


def test_from_dict_reads_a_missing_kind_as_zero():
    old = {"add": 1, "sub": 0, "mul": 2, "div": 0, "neg": 0, "exp": 0, "sqrt": 0, "cmp": 3,
           "flops": 6}  # written before erf and log existed
    assert OpCounts.from_dict(old) == OpCounts(add=1, mul=2, cmp=3)
    assert OpCounts.from_dict({"log": 4}) == OpCounts(log=4)
    c = OpCounts(add=1, erf=2, log=3)
    assert OpCounts.from_dict(c.as_dict(flops=True)) == OpCounts.from_dict(c.as_dict()) == c


@pytest.mark.parametrize("bad,error,match", [
    ({"add": 1, "flops": 2}, ValueError, "flops"),  # not the sum of the kinds
    ({"tanh": 1}, ValueError, "'tanh'"),
    ({"mul": -1}, ValueError, "'mul'"),
    ({"mul": 1.0}, TypeError, "'mul'"),
    ({"exp": True}, TypeError, "'exp'"),
    ([("add", 1)], TypeError, "counts="),
])
def test_from_dict_rejects_what_is_not_counts(bad, error, match):
    with pytest.raises(error, match=match):
        OpCounts.from_dict(bad)
