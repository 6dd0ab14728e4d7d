"""Shape and graph helpers: Flatten, Dropout (inference identity) and Add (residuals)."""
from __future__ import annotations

from math import prod

import numpy as np

from ..counting.opcounts import OpCounts
from .base import Layer
from .softmax import normalize_dim
from .validate import _is_int, check_array, check_bool, check_float


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


class Add(Layer):
    """Elementwise sum of two arrays of the same shape and dtype: ``y, ops = Add()(a, b)``.

    Notes
    -----
    ``a, b : ndarray of shape S`` give ``y = a + b`` of shape S, add 1 per element. No
    broadcasting: residual branches must already agree. ``output_shape`` takes the
    shape of one operand.
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
        from ..kernels.binary import add

        y = np.empty(a.shape, a.dtype)  # a's shape, also for 0-d operands
        rows = add(np.ascontiguousarray(a).reshape(-1), np.ascontiguousarray(b).reshape(-1),
                   y.reshape(-1))
        return y, OpCounts.from_rows(rows)
