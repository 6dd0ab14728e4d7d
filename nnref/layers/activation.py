"""Elementwise activations: ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, SiLU.

Each works on any shape; the output has the input's shape and dtype.
"""
from __future__ import annotations

import numpy as np

from ..counting.opcounts import OpCounts
from .base import Layer
from .validate import check_float


class _Elementwise(Layer):
    """Shared forward for the activations; subclasses set ``op`` (a kernel op code name)."""

    op = ""

    def output_shape(self, input_shape):
        return self.check_shape(input_shape)

    def forward(self, x):
        from ..kernels import activation as K

        x = np.ascontiguousarray(x)
        y = np.empty_like(x)
        rows = K.elementwise(x.reshape(-1), y.reshape(-1), getattr(K, self.op), self._slope())
        return y, OpCounts.from_rows(rows)

    def _slope(self) -> float:
        return 0.0


class ReLU(_Elementwise):
    """max(x, 0): cmp 1 per element."""

    op = "RELU"


class ReLU6(_Elementwise):
    """min(max(x, 0), 6): cmp 2 per element."""

    op = "RELU6"


class LeakyReLU(_Elementwise):
    """x if x > 0 else a·x, i.e. max(x, a·x) for 0 <= a <= 1: mul 1, cmp 1 per element."""

    op = "LEAKY_RELU"

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = check_float(negative_slope, "negative_slope", "LeakyReLU")

    def _slope(self):
        return self.negative_slope

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Sigmoid(_Elementwise):
    """1 / (1 + exp(−x)): neg 1, exp 1, add 1, div 1 per element."""

    op = "SIGMOID"


class Tanh(_Elementwise):
    """1 − 2 / (exp(2x) + 1): mul 1, exp 1, add 1, div 1, sub 1 per element."""

    op = "TANH"


class SiLU(_Elementwise):
    """x · sigmoid(x): neg 1, exp 1, add 1, div 1, mul 1 per element."""

    op = "SILU"
