"""Data movement without arithmetic: Identity, Flatten, Reshape and Dropout (inference).

Each only views or copies its input. Counts: :func:`nnref.formulas.reshape.reshape`.
"""
from __future__ import annotations

from math import prod

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import _is_int, check_bool, check_float, normalize_dim
from .base import Layer


class Identity(Layer):
    """The identity, torch's ``nn.Identity``: ``y = x``, no arithmetic.

    Notes
    -----
    ``x : ndarray of any shape`` is returned as it is (the same array, as in torch).
    """

    def output_shape(self, input_shape):
        return self.check_shape(input_shape)

    def forward(self, x):
        return x, OpCounts()


class Flatten(Layer):
    """Merge axes ``start_dim … end_dim`` into one (no arithmetic).

    Parameters
    ----------
    start_dim, end_dim : int
        First and last axis to merge; negative values count from the end.

    Notes
    -----
    ``x : ndarray of shape (d_0, …, d_{k−1})`` becomes
    ``(d_0, …, d_{s−1}, d_s·…·d_e, d_{e+1}, …)``. The result is a view when possible.
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        for name, v in (("start_dim", start_dim), ("end_dim", end_dim)):
            if not _is_int(v):
                raise TypeError(f"Flatten: {name}={v!r} is invalid; expected an int axis")
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        n = max(len(shape), 1)
        s = normalize_dim(self.start_dim, n, "start_dim", self.kind, shape)
        e = normalize_dim(self.end_dim, n, "end_dim", self.kind, shape)
        if s > e:
            raise ValueError(f"Flatten: start_dim={self.start_dim} comes after end_dim={self.end_dim} "
                             f"for input of shape {shape}; expected start_dim <= end_dim")
        return shape[:s] + (prod(shape[s:e + 1]),) + shape[e + 1:]

    def forward(self, x):
        return x.reshape(self.output_shape(x.shape)), OpCounts()

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Layer):
    """Dropout in inference mode: the identity, with no arithmetic.

    Parameters
    ----------
    p : float
        The training-time drop probability, in [0, 1]; unused in inference.
    inplace : bool
        Kept for PyTorch compatibility.
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = check_float(p, "p", "Dropout", minimum=0.0)
        if self.p > 1:
            raise ValueError(f"Dropout: p={p!r} is invalid; expected a probability in [0, 1]")
        self.inplace = check_bool(inplace, "inplace", "Dropout")

    def output_shape(self, input_shape):
        return self.check_shape(input_shape)

    def forward(self, x):
        return x, OpCounts()

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Reshape(Layer):
    """Reshape the whole tensor, batch axis included, like ``torch.reshape`` (no arithmetic).

    Parameters
    ----------
    shape : tuple of int
        Target shape; one entry may be -1, inferred from the element count.
    """

    def __init__(self, shape):
        super().__init__()
        want = "a tuple of ints >= 1, with at most one -1"
        items = (shape,) if _is_int(shape) else shape
        if not isinstance(items, (tuple, list)) or not all(_is_int(s) for s in items):
            raise TypeError(f"Reshape: shape={shape!r} is invalid; expected {want}")
        items = tuple(int(s) for s in items)
        if not items or items.count(-1) > 1 or any(s < 1 and s != -1 for s in items):
            raise ValueError(f"Reshape: shape={shape!r} is invalid; expected {want}")
        self.shape = items

    def extra_repr(self):
        return f"{self.shape}"

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        n, known = prod(shape), prod(s for s in self.shape if s != -1)
        if -1 in self.shape and n % known == 0:
            return tuple(n // known if s == -1 else s for s in self.shape)
        if -1 not in self.shape and n == known:
            return self.shape
        raise ValueError(f"Reshape: input has shape {shape} ({n} elements), which cannot be "
                         f"reshaped to {self.shape}")

    def forward(self, x):
        return np.ascontiguousarray(x).reshape(self.output_shape(x.shape)), OpCounts()
