"""Traced reference of Add, Sub, Mul, Div: one traced operation per output element.

Two tensors are broadcast (each output reads its operands' repeated elements), a number
is a plain constant on the left or the right. Counts:
:func:`nnref.formulas.elementwise.binary`.
"""
from __future__ import annotations

import operator

import numpy as np

from ._registry import traced
from ._scalar import Tally, unwrap, wrap

_OPS = {"Add": operator.add, "Sub": operator.sub, "Mul": operator.mul, "Div": operator.truediv}


@traced("Add", "Sub", "Mul", "Div")
def binary(layer, xs):
    """``(a ⊙ b, ops)`` for the pair ``xs = (a, b)``, or ``(x ⊙ other, ops)`` for one array."""
    xs = layer.check_operands(*(xs if isinstance(xs, tuple) else (xs,)))
    f, tally = _OPS[layer.kind], Tally()
    dtype = xs[0].dtype
    if len(xs) == 2:
        out = layer.output_shape(tuple(x.shape for x in xs))
        ta, tb = (np.broadcast_to(wrap(x, tally), out) for x in xs)
        y = np.empty(out, dtype=object)
        for idx in np.ndindex(out):
            y[idx] = f(ta[idx], tb[idx])
        return unwrap(y, dtype), tally.counts()
    s = float(dtype.type(layer.other))  # the number, cast to the tensor's dtype first
    y = [f(s, t) if layer.reverse else f(t, s) for t in wrap(xs[0], tally).flat]
    return unwrap(y, dtype).reshape(xs[0].shape), tally.counts()
