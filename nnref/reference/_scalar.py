"""A plain-Python scalar that records every arithmetic operation done on it.

    >>> tally = Tally()
    >>> a, b = Traced(2.0, tally), Traced(3.0, tally)
    >>> (a * b + 1.0).value
    7.0
    >>> print(tally.counts())
    OpCounts(add=1, mul=1; 2 FLOPs)

Operations between a Traced and a plain number count too (the constant is an operand).
Comparisons return a plain bool and record one ``cmp``. ``exp``, ``sqrt``, ``erf``,
``log`` and ``maximum``/``minimum`` are module functions (IEEE results, never a Python
exception: log(0) = −inf, log of a negative number is NaN); ``wrap``/``unwrap`` convert
arrays.
The Tally belongs to one trace run: nothing is accumulated globally.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.opcounts import KINDS, OpCounts


class Tally:
    """The running operation counts of one traced computation."""

    __slots__ = ("_n",)

    def __init__(self):
        self._n = dict.fromkeys(KINDS, 0)

    def record(self, kind: str, n: int = 1) -> None:
        self._n[kind] += n

    def counts(self) -> OpCounts:
        return OpCounts(**self._n)


def _value(v) -> float:
    return v.value if isinstance(v, Traced) else float(v)


class Traced:
    """A float that records each operation into its :class:`Tally`."""

    __slots__ = ("value", "tally")

    def __init__(self, value, tally: Tally):
        self.value = float(value)
        self.tally = tally

    def _new(self, kind: str, value: float) -> "Traced":
        self.tally.record(kind)
        return Traced(value, self.tally)

    def __add__(self, o):
        return self._new("add", self.value + _value(o))

    def __radd__(self, o):
        return self._new("add", _value(o) + self.value)

    def __sub__(self, o):
        return self._new("sub", self.value - _value(o))

    def __rsub__(self, o):
        return self._new("sub", _value(o) - self.value)

    def __mul__(self, o):
        return self._new("mul", self.value * _value(o))

    def __rmul__(self, o):
        return self._new("mul", _value(o) * self.value)

    def __truediv__(self, o):
        return self._new("div", _div(self.value, _value(o)))

    def __rtruediv__(self, o):
        return self._new("div", _div(_value(o), self.value))

    def __neg__(self):
        return self._new("neg", -self.value)

    def _cmp(self, o, op) -> bool:
        self.tally.record("cmp")
        return op(self.value, _value(o))

    def __lt__(self, o):
        return self._cmp(o, float.__lt__)

    def __le__(self, o):
        return self._cmp(o, float.__le__)

    def __gt__(self, o):
        return self._cmp(o, float.__gt__)

    def __ge__(self, o):
        return self._cmp(o, float.__ge__)

    __hash__ = None  # equality is not overridden on purpose: == is not a counted op

    def __float__(self):
        return self.value

    def __repr__(self):
        return f"Traced({self.value!r})"


def _div(a: float, b: float) -> float:
    """IEEE division: x/0 is ±inf or nan rather than a ZeroDivisionError."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def exp(t: Traced) -> Traced:
    try:
        v = math.exp(t.value)
    except OverflowError:
        v = math.inf
    return t._new("exp", v)


def sqrt(t: Traced) -> Traced:
    return t._new("sqrt", math.sqrt(t.value) if t.value >= 0 else math.nan)


def erf(t: Traced) -> Traced:
    """The error function, one ``erf``; erf(±inf) = ±1, erf(NaN) = NaN."""
    return t._new("erf", math.erf(t.value))


def log(t: Traced) -> Traced:
    """The natural logarithm, one ``log``: log(0) = −inf, log(x < 0) = NaN, log(inf) = inf."""
    v = t.value
    if v > 0:
        return t._new("log", math.log(v))
    return t._new("log", -math.inf if v == 0 else math.nan)  # v < 0 or NaN: NaN


def maximum(a: Traced, b) -> Traced:
    """The larger of ``a`` and ``b`` with one cmp; NaN in either gives NaN, as in torch."""
    a.tally.record("cmp")
    av, bv = a.value, _value(b)
    if av != av or bv != bv:
        return Traced(math.nan, a.tally)
    return a if av >= bv else (b if isinstance(b, Traced) else Traced(bv, a.tally))


def minimum(a: Traced, b) -> Traced:
    """The smaller of ``a`` and ``b`` with one cmp; NaN in either gives NaN, as in torch."""
    a.tally.record("cmp")
    av, bv = a.value, _value(b)
    if av != av or bv != bv:
        return Traced(math.nan, a.tally)
    return a if av <= bv else (b if isinstance(b, Traced) else Traced(bv, a.tally))


def wrap(x, tally: Tally) -> np.ndarray:
    """``x`` as an object array of the same shape holding one :class:`Traced` per element."""
    x = np.asarray(x)
    out = np.empty(x.shape, dtype=object)
    for idx, v in np.ndenumerate(x):
        out[idx] = Traced(v, tally)
    return out


def unwrap(t, dtype) -> np.ndarray:
    """The values of an array (or nested list) of Traced or plain numbers, as ``dtype``."""
    t = np.asarray(t, dtype=object)
    return np.array([_value(v) for v in t.flat], dtype=dtype).reshape(t.shape)
