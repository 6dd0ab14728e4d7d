"""Traced reference of Add: ``y = a + b`` element by element, on traced scalars.

Counts: :func:`nnref.formulas.elementwise.add`.
"""
from __future__ import annotations

import numpy as np

from ._registry import traced
from ._scalar import Tally, unwrap, wrap


@traced("Add")
def add(layer, xs):
    """``(a + b, ops)`` for the pair ``xs = (a, b)`` of equal shapes and dtypes."""
    a, b = layer.check_operands(*xs)
    tally = Tally()
    ta, tb = wrap(a, tally), wrap(b, tally)
    out = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(a.shape):
        out[idx] = ta[idx] + tb[idx]
    return unwrap(out, a.dtype), tally.counts()
