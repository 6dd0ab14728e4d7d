"""Reshape: a leaf layer that changes the shape of the whole tensor, with no arithmetic."""
from __future__ import annotations

from math import prod

import numpy as np

from ..counting.opcounts import OpCounts
from ..layers.base import Layer
from ..layers.validate import _is_int


class Reshape(Layer):
    """Reshape the whole tensor, batch axis included, like ``torch.reshape``; 0 operations.

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
