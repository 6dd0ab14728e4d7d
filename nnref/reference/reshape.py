"""Traced reference of data movement: Identity, Flatten, Reshape, Dropout (inference),
Permute, Transpose, Contiguous, ChannelShuffle, Expand, Parameter; no operations.

Each element is copied to its new place one at a time, with no traced arithmetic.
Counts: :func:`nnref.formulas.reshape.reshape`.
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


def _gathered(x, shape, source):
    """An array of ``shape`` whose element at each index is ``x[source(index)]``."""
    out = np.empty(shape, dtype=x.dtype)
    for idx in np.ndindex(*shape):
        out[idx] = x[source(idx)]
    return out, Tally().counts()


@traced("Permute")
def permute(layer, x):
    """Output axis ``i`` is input axis ``dims[i]``."""
    dims = [d % x.ndim for d in layer.dims] if x.ndim else []
    inverse = [dims.index(a) for a in range(x.ndim)]
    return _gathered(x, tuple(x.shape[d] for d in dims),
                     lambda idx: tuple(idx[inverse[a]] for a in range(x.ndim)))


@traced("Transpose")
def transpose(layer, x):
    """Axes ``dim0`` and ``dim1`` swapped."""
    if not x.ndim:
        return _moved(x, ())
    a, b = layer.dim0 % x.ndim, layer.dim1 % x.ndim

    def swap(idx):
        idx = list(idx)
        idx[a], idx[b] = idx[b], idx[a]
        return tuple(idx)

    return _gathered(x, swap(x.shape), swap)


@traced("Contiguous")
def contiguous(layer, x):
    """A copy."""
    return _moved(x, x.shape)


@traced("ChannelShuffle")
def channel_shuffle(layer, x):
    """Output channel ``i·g + j`` reads input channel ``j·(C/g) + i``."""
    g, per = layer.groups, x.shape[1] // layer.groups
    return _gathered(x, x.shape, lambda idx: (idx[0], idx[1] % g * per + idx[1] // g) + idx[2:])


@traced("Expand")
def expand(layer, x):
    """Output index ``i`` reads input index ``i`` aligned from the right, 0 on a size-1 axis."""
    new = len(layer.sizes) - x.ndim
    shape = tuple(list(layer.sizes[:new]) + [d if s == -1 else s
                                             for d, s in zip(x.shape, layer.sizes[new:])])
    return _gathered(x, shape, lambda idx: tuple(0 if d == 1 else i
                                                 for i, d in zip(idx[new:], x.shape)))


@traced("Parameter")
def parameter(layer, x):
    """No input (``x`` is the empty tuple): the held tensor, copied element by element."""
    return _moved(layer.data, layer.data.shape)
