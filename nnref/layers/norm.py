"""Batch normalization in inference mode, with running statistics (PyTorch semantics)."""
from __future__ import annotations

from math import prod

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import check_bool, check_float, check_int, make_rng
from .base import Layer


class _BatchNorm(Layer):
    """y = (x − μ) / sqrt(σ² + eps) · γ + β per channel, with the running μ and σ².

    Parameters
    ----------
    num_features : int
        C, the number of channels (axis 1 of the input).
    eps : float
        Added to the variance, >= 0.
    momentum : float or None
        Kept for PyTorch compatibility; unused in inference.
    affine : bool
        Whether ``weight`` (γ) and ``bias`` (β) exist; without them γ = 1 and β = 0.
    track_running_stats : bool
        Must be True: inference uses the running statistics.
    rng : None, int or numpy Generator
        Accepted for a uniform constructor; the initial γ = 1, β = 0 as in PyTorch.

    Attributes
    ----------
    weight, bias : ndarray of shape (C,) or None
        The parameters γ and β (``param_names``).
    running_mean, running_var : ndarray of shape (C,)
        Buffers μ (zeros) and σ² (ones), assignable, listed in ``buffer_names`` and not
        counted in ``num_params`` (as in torchvision's parameter counts).

    Notes
    -----
    The affine transform is folded once per channel and call,

        scale = γ / sqrt(σ² + eps),   shift = β − μ·scale,

    then applied per element, ``y = x·scale + shift``. With ``affine=False`` the same
    arithmetic runs with γ = 1 and β = 0. Counts: :func:`nnref.formulas.norm.batch_norm`.
    """

    param_names = ("weight", "bias")
    buffer_names = ("running_mean", "running_var")
    ndims: tuple = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, *, rng=None):
        super().__init__()
        kind = self.kind
        self.num_features = check_int(num_features, "num_features", kind)
        self.eps = check_float(eps, "eps", kind, minimum=0.0)
        self.momentum = None if momentum is None else check_float(momentum, "momentum", kind, 0.0)
        self.affine = check_bool(affine, "affine", kind)
        self.track_running_stats = check_bool(track_running_stats, "track_running_stats", kind)
        if not self.track_running_stats:
            raise ValueError(f"{kind}: track_running_stats=False is invalid; expected True "
                             "(nnref's batch norm is inference-only and uses the running statistics)")
        make_rng(rng)  # validated for a uniform constructor; the initial values are fixed
        c = self.num_features
        self.weight = np.ones(c, np.float32) if self.affine else None
        self.bias = np.zeros(c, np.float32) if self.affine else None
        self.running_mean = np.zeros(c, np.float32)
        self.running_var = np.ones(c, np.float32)

    def buffers(self) -> dict:
        """The buffer arrays by PyTorch name."""
        return {n: getattr(self, n) for n in self.buffer_names}

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        if len(shape) not in self.ndims:
            want = " or ".join(f"{d}-D" for d in self.ndims)
            raise ValueError(f"{self.kind}: input has shape {shape} ({len(shape)}-D); expected {want}")
        if shape[1] != self.num_features:
            raise ValueError(f"{self.kind}: input has shape {shape} with {shape[1]} channels at "
                             f"axis 1; expected num_features={self.num_features}")
        return shape

    def forward(self, x):
        from ..kernels.norm import batchnorm

        self.output_shape(x.shape)
        c, dt = self.num_features, x.dtype
        x3 = np.ascontiguousarray(x).reshape(x.shape[0], c, prod(x.shape[2:]))
        mean = self.param("running_mean", (c,), dt)
        var = self.param("running_var", (c,), dt)
        weight = self.param("weight", (c,), dt, present=self.affine)
        bias = self.param("bias", (c,), dt, present=self.affine)
        if not self.affine:
            weight, bias = np.ones(c, dt), np.zeros(c, dt)
        scale, shift = np.empty(c, dt), np.empty(c, dt)
        y = np.empty_like(x3)
        rows = batchnorm(x3, mean, var, weight, bias, self.eps, scale, shift, y)
        return y.reshape(x.shape), OpCounts.from_rows(rows)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm of ``x`` : ndarray of shape (N, C) or (N, C, L); see :class:`_BatchNorm`."""

    ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm of ``x`` : ndarray of shape (N, C, H, W); see :class:`_BatchNorm`."""

    ndims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch norm of ``x`` : ndarray of shape (N, C, D, H, W); see :class:`_BatchNorm`."""

    ndims = (5,)
