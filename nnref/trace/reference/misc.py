"""Traced reference of Add (add 1 per output element), Flatten and Dropout (no operations)."""
from __future__ import annotations

from math import prod
from types import MappingProxyType

import numpy as np

from ..scalar import Tally, unwrap, wrap


def add(layer, xs):
    """``(a + b, ops)`` for the pair ``xs = (a, b)`` of equal shapes and dtypes."""
    a, b = layer.check_operands(*xs)
    tally = Tally()
    ta, tb = wrap(a, tally), wrap(b, tally)
    out = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(a.shape):
        out[idx] = ta[idx] + tb[idx]
    return unwrap(out, a.dtype), tally.counts()


def flatten(layer, x):
    """``x`` with axes ``start_dim … end_dim`` merged into one; no operations."""
    s, e = layer.start_dim % x.ndim, layer.end_dim % x.ndim
    shape = x.shape[:s] + (prod(x.shape[s:e + 1]),) + x.shape[e + 1:]
    return x.reshape(shape).copy(), Tally().counts()


def dropout(layer, x):
    """Inference-mode dropout is the identity; no operations."""
    return x.copy(), Tally().counts()


REFERENCES = MappingProxyType({"Add": add, "Flatten": flatten, "Dropout": dropout})
