"""Traced reference of data movement: Identity, Flatten, Reshape, Dropout (inference), no operations.

Each element is copied to its new place one at a time, in row-major order, with no
traced arithmetic. Counts: :func:`nnref.formulas.reshape.reshape`.
"""
from __future__ import annotations

from math import prod

import numpy as np

from ._registry import traced
from ._scalar import Tally


def _moved(x, shape):
    """``x``'s elements, read in row-major order, placed one by one into an array of ``shape``."""
    out = np.empty(shape, dtype=x.dtype)
    flat = out.reshape(-1)
    for i, v in enumerate(x.flat):
        flat[i] = v
    return out, Tally().counts()


@traced("Identity")
def identity(layer, x):
    """The identity."""
    return _moved(x, x.shape)


@traced("Flatten")
def flatten(layer, x):
    """Axes ``start_dim … end_dim`` merged into one."""
    s, e = layer.start_dim % max(x.ndim, 1), layer.end_dim % max(x.ndim, 1)
    return _moved(x, x.shape[:s] + (prod(x.shape[s:e + 1]),) + x.shape[e + 1:])


@traced("Reshape")
def reshape(layer, x):
    """The whole tensor in a new shape; one entry of ``layer.shape`` may be −1 (inferred)."""
    known = prod(s for s in layer.shape if s != -1)
    return _moved(x, tuple(x.size // known if s == -1 else s for s in layer.shape))


@traced("Dropout")
def dropout(layer, x):
    """Inference-mode dropout is the identity."""
    return _moved(x, x.shape)
