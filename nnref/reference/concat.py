"""Traced reference of Cat, Chunk and Split: elements copied one at a time, no operations.

Counts: :func:`nnref.formulas.concat.concat`.
"""
from __future__ import annotations

import numpy as np

from ._registry import traced
from ._scalar import Tally


@traced("Cat")
def cat(layer, xs):
    """The operands one after the other along ``layer.dim``."""
    xs = xs if isinstance(xs, tuple) else (xs,)
    d = layer.dim % xs[0].ndim
    shape = list(xs[0].shape)
    shape[d] = sum(x.shape[d] for x in xs)
    out = np.empty(shape, dtype=xs[0].dtype)
    offset = 0
    for x in xs:
        for idx in np.ndindex(*x.shape):
            out[idx[:d] + (idx[d] + offset,) + idx[d + 1:]] = x[idx]
        offset += x.shape[d]
    return out, Tally().counts()


def _piece(layer, x, sizes):
    """Piece ``layer.index`` of the pieces of ``sizes`` along ``layer.dim``."""
    d = layer.dim % x.ndim
    start = sum(sizes[:layer.index])
    shape = x.shape[:d] + (sizes[layer.index],) + x.shape[d + 1:]
    out = np.empty(shape, dtype=x.dtype)
    for idx in np.ndindex(*shape):
        out[idx] = x[idx[:d] + (idx[d] + start,) + idx[d + 1:]]
    return out, Tally().counts()


@traced("Chunk")
def chunk(layer, x):
    """Pieces of ⌈n / chunks⌉ elements, the last fewer."""
    n = x.shape[layer.dim % x.ndim]
    size = -(-n // layer.chunks)
    return _piece(layer, x, [min(size, n - s) for s in range(0, n, size)])


@traced("Split")
def split(layer, x):
    """Pieces of ``split_size_or_sections`` elements (the last fewer), or of the given sizes."""
    n = x.shape[layer.dim % x.ndim]
    v = layer.split_size_or_sections
    return _piece(layer, x, [min(v, n - s) for s in range(0, n, v)] if isinstance(v, int)
                  else list(v))
