"""Dense (fully connected) layer, with ``Linear`` as its PyTorch-named alias."""
from __future__ import annotations

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import check_bool, check_int, make_rng
from .base import Layer, uniform_init


class Dense(Layer):
    """y = x·Wᵀ + b over the last axis, through the counted GEMM.

    Parameters
    ----------
    in_features : int
        I, the size of the last input axis.
    out_features : int
        O, the size of the last output axis.
    bias : bool
        Whether to add the learned bias ``b``.
    rng : None, int or numpy Generator
        Seed for the initial weights, U(−1/√I, 1/√I) as in PyTorch.

    Attributes
    ----------
    weight : ndarray of shape (O, I)
    bias : ndarray of shape (O,) or None

    Notes
    -----
    For ``x : ndarray of shape (*, I)`` the output has shape (*, O) and

        y[..., o] = Σ_{i<I} x[..., i]·W[o, i]  (+ b[o])

    Counts: :func:`nnref.formulas.dense.dense`.
    """

    param_names = ("weight", "bias")

    def __init__(self, in_features, out_features, bias=True, *, rng=None):
        super().__init__()
        self.in_features = check_int(in_features, "in_features", self.kind)
        self.out_features = check_int(out_features, "out_features", self.kind)
        has_bias = check_bool(bias, "bias", self.kind)
        rng = make_rng(rng)
        self.weight = uniform_init(rng, (self.out_features, self.in_features), self.in_features)
        self.bias = uniform_init(rng, (self.out_features,), self.in_features) if has_bias else None

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        if len(shape) < 1 or shape[-1] != self.in_features:
            raise ValueError(f"{self.kind}: input has shape {shape}; expected (*, {self.in_features}) "
                             f"with last axis in_features={self.in_features}")
        return shape[:-1] + (self.out_features,)

    def forward(self, x):
        from ..kernels.dense import dense

        out_shape = self.output_shape(x.shape)
        a = np.ascontiguousarray(x.reshape(-1, self.in_features))
        w = self.param("weight", (self.out_features, self.in_features), x.dtype)
        b = self.param("bias", (self.out_features,), x.dtype, present=None)
        y = np.empty((a.shape[0], self.out_features), x.dtype)
        rows = dense(a, w, b, y)
        return y.reshape(out_shape), OpCounts.from_rows(rows)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Linear(Dense):
    """PyTorch's name for :class:`Dense`; identical, but reports itself as "Linear"."""
