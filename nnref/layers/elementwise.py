"""Elementwise arithmetic between tensors: Add (residual connections)."""
from __future__ import annotations

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import check_array
from .base import Layer


class Add(Layer):
    """Elementwise sum of two arrays of the same shape and dtype: ``y, ops = Add()(a, b)``.

    Notes
    -----
    ``a, b : ndarray of shape S`` give ``y = a + b`` of shape S. No broadcasting:
    residual branches must already agree. ``output_shape`` takes the shape of one
    operand. Counts: :func:`nnref.formulas.elementwise.add`.
    """

    operands = 2

    def output_shape(self, input_shape):
        return self.check_shape(input_shape)

    def check_operands(self, a, b) -> tuple:
        """``(a, b)`` as float arrays of one shape and dtype; a ValueError/TypeError otherwise."""
        a = check_array(a, self.kind, "a")
        b = check_array(b, self.kind, "b")
        if a.shape != b.shape:
            raise ValueError(f"Add: a has shape {a.shape} and b has shape {b.shape}; "
                             "expected equal shapes (no broadcasting)")
        if a.dtype != b.dtype:
            raise TypeError(f"Add: a has dtype {a.dtype} and b has dtype {b.dtype}; "
                            "expected equal dtypes")
        self.output_shape(a.shape)
        return a, b

    def __call__(self, a, b):
        return self.forward(*self.check_operands(a, b))

    def forward(self, a, b):
        from ..kernels.elementwise import add

        y = np.empty(a.shape, a.dtype)  # a's shape, also for 0-d operands
        rows = add(np.ascontiguousarray(a).reshape(-1), np.ascontiguousarray(b).reshape(-1),
                   y.reshape(-1))
        return y, OpCounts.from_rows(rows)
