"""Normalisation layers in inference mode (PyTorch's eval semantics).

BatchNorm1d/2d/3d use their running statistics; LayerNorm, GroupNorm and InstanceNorm1d/2d/3d
the mean and variance of their own input (InstanceNorm with ``track_running_stats=True``: the
running statistics, as torch's eval mode does).
"""
from __future__ import annotations

import warnings
from math import prod

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import check_bool, check_float, check_int, check_sizes, make_rng
from .base import Layer


class _Stats(Layer):
    """What BatchNorm and InstanceNorm share: torch's arguments, γ and β, running buffers."""

    param_names = ("weight", "bias")

    def _setup(self, num_features, eps, momentum, affine, track_running_stats, rng):
        kind = self.kind
        self.num_features = check_int(num_features, "num_features", kind)
        self.eps = check_float(eps, "eps", kind, minimum=0.0)
        self.momentum = None if momentum is None else check_float(momentum, "momentum", kind, 0.0)
        self.affine = check_bool(affine, "affine", kind)
        self.track_running_stats = check_bool(track_running_stats, "track_running_stats", kind)
        make_rng(rng)  # validated for a uniform constructor; the initial values are fixed
        c, tracked = self.num_features, self.track_running_stats
        self.weight = np.ones(c, np.float32) if self.affine else None
        self.bias = np.zeros(c, np.float32) if self.affine else None
        self.running_mean = np.zeros(c, np.float32) if tracked else None
        self.running_var = np.ones(c, np.float32) if tracked else None
        self.buffer_names = ("running_mean", "running_var") if tracked else ()

    def buffers(self) -> dict:
        """The buffer arrays by PyTorch name."""
        return {n: getattr(self, n) for n in self.buffer_names}

    def _running(self, x3, bounds=None):
        """``(y, ops, clamp_ops)`` of ``x3`` (N, C, L) normalised with the running statistics,
        then clamped to ``bounds`` (:meth:`_BatchNorm.forward_clamped`; None: no clamp, no
        clamp_ops)."""
        from ..kernels.norm import CLAMP_BELOW, CLAMP_BOTH, NO_CLAMP, batchnorm, split_rows

        c, dt = x3.shape[1], x3.dtype
        mean = self.param("running_mean", (c,), dt)
        var = self.param("running_var", (c,), dt)
        weight = self.param("weight", (c,), dt, present=self.affine)
        bias = self.param("bias", (c,), dt, present=self.affine)
        if not self.affine:
            weight, bias = np.ones(c, dt), np.zeros(c, dt)
        scale, shift = np.empty(c, dt), np.empty(c, dt)
        y = np.empty_like(x3)
        lo, hi = (0.0, None) if bounds is None else bounds
        mode = NO_CLAMP if bounds is None else CLAMP_BELOW if hi is None else CLAMP_BOTH
        rows, clamps = split_rows(batchnorm(x3, mean, var, weight, bias, self.eps, scale, shift,
                                            y, mode, float(lo), float(hi or 0.0)), mode)
        return y, OpCounts.from_rows(rows), None if bounds is None else OpCounts.from_rows(clamps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_Stats):
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

    ndims: tuple = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, *, rng=None):
        super().__init__()
        self._setup(num_features, eps, momentum, affine, track_running_stats, rng)
        if not self.track_running_stats:
            raise ValueError(f"{self.kind}: track_running_stats=False is invalid; expected True "
                             "(nnref's batch norm is inference-only and uses the running statistics)")

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
        return self.forward_clamped(x)[:2]

    def forward_clamped(self, x, bounds=None):
        """``(y, ops, clamp_ops)``: :meth:`forward`, then ``y`` clamped to ``bounds`` = ``(lo,
        hi)`` (``hi`` None: from below) in the same pass, counted apart: for the ReLU, ReLU6
        or Hardtanh that alone reads ``y`` (:func:`nnref.models.run.fusable`)."""
        self.output_shape(x.shape)
        x3 = np.ascontiguousarray(x).reshape(x.shape[0], self.num_features, prod(x.shape[2:]))
        y, ops, clamped = self._running(x3, bounds)
        return y.reshape(x.shape), ops, clamped


class BatchNorm1d(_BatchNorm):
    """Batch norm of ``x`` : ndarray of shape (N, C) or (N, C, L); see :class:`_BatchNorm`."""

    ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm of ``x`` : ndarray of shape (N, C, H, W); see :class:`_BatchNorm`."""

    ndims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch norm of ``x`` : ndarray of shape (N, C, D, H, W); see :class:`_BatchNorm`."""

    ndims = (5,)


# -- LayerNorm, GroupNorm, InstanceNorm1d/2d/3d: the statistics of the input itself -----------

class _InputNorm(Layer):
    """The forward of the norms that use the mean and variance of their own input.

    A subclass splits its input into normalisation groups (:meth:`_groups`): the input is
    viewed as (groups, K·L), one group per row, and element k·L + l of row g takes γ and β
    at (g mod G)·K + k of the flat ``weight`` and ``bias``. Counts:
    :func:`nnref.formulas.norm.input_norm`.
    """

    param_names = ("weight", "bias")
    buffer_names: tuple = ()
    scaled = shifted = False  # whether γ (weight) and β (bias) exist, set by __init__

    def _groups(self, shape) -> tuple:
        """``(groups, G, K, L)`` of an input of ``shape``."""
        raise NotImplementedError

    def _param_shape(self) -> tuple:
        return (self.num_features,)

    def forward(self, x):
        from ..kernels.norm import normalize

        groups, g, k, l = self._groups(self.output_shape(x.shape))
        dt, shape = x.dtype, self._param_shape()
        weight = self.param("weight", shape, dt, present=self.scaled)
        bias = self.param("bias", shape, dt, present=self.shifted)
        unused = np.zeros(1, dt)  # in place of an absent γ or β, never read
        y = np.empty((groups, k * l), dt)
        rows = normalize(np.ascontiguousarray(x).reshape(groups, k * l), g, l,
                         unused if weight is None else weight.reshape(-1),
                         unused if bias is None else bias.reshape(-1),
                         2 if self.shifted else int(self.scaled), dt.type(self.eps),
                         dt.type(k * l), y)
        return y.reshape(x.shape), OpCounts.from_rows(rows)


class LayerNorm(_InputNorm):
    """y = (x − mean) / sqrt(var + eps) · γ + β over the trailing ``normalized_shape`` axes.

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing axes normalised together, e.g. 768 or (C, H, W).
    eps : float
        Added to the variance, >= 0.
    elementwise_affine : bool
        Whether γ (``weight``, ones) and β (``bias``, zeros) of shape normalized_shape exist.
    bias : bool
        With ``elementwise_affine``, whether β exists (``bias=False``: γ only, as in torch).
    rng : None, int or numpy Generator
        Accepted for a uniform constructor; the initial γ = 1, β = 0 as in PyTorch.

    Notes
    -----
    For ``x : ndarray of shape (*, *normalized_shape)`` each of the prod(*) rows of
    D = prod(normalized_shape) elements is normalised with its own mean and biased
    variance (two passes, summed pairwise in x's precision like torch's cascade sums),
    then y[..., i] = x̂[..., i]·γ[i] + β[i].
    Counts: :func:`nnref.formulas.norm.input_norm`.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, *,
                 rng=None):
        super().__init__()
        kind = self.kind
        self.normalized_shape = check_sizes(normalized_shape, "normalized_shape", kind)
        self.eps = check_float(eps, "eps", kind, minimum=0.0)
        self.elementwise_affine = self.scaled = check_bool(elementwise_affine,
                                                           "elementwise_affine", kind)
        self.shifted = self.scaled and check_bool(bias, "bias", kind)
        make_rng(rng)
        ns = self.normalized_shape
        self.weight = np.ones(ns, np.float32) if self.scaled else None
        self.bias = np.zeros(ns, np.float32) if self.shifted else None

    def _param_shape(self):
        return self.normalized_shape

    def output_shape(self, input_shape):
        shape, ns = self.check_shape(input_shape), self.normalized_shape
        if len(shape) < len(ns) or shape[len(shape) - len(ns):] != ns:
            raise ValueError(f"{self.kind}: input has shape {shape}; expected (*, "
                             f"{', '.join(map(str, ns))}), ending in normalized_shape={ns}")
        return shape

    def _groups(self, shape):
        d = prod(self.normalized_shape)
        return prod(shape) // d, 1, d, 1

    def extra_repr(self):
        bias = ", bias=False" if self.scaled and not self.shifted else ""
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.scaled}{bias}"


class GroupNorm(_InputNorm):
    """y = (x − mean) / sqrt(var + eps) · γ + β, with statistics per sample and channel group.

    Parameters
    ----------
    num_groups : int
        G, the number of groups of channels; it divides ``num_channels``.
    num_channels : int
        C, the number of channels (axis 1 of the input).
    eps : float
        Added to the variance, >= 0.
    affine : bool
        Whether the per-channel γ (``weight``, ones) and β (``bias``, zeros) exist.
    rng : None, int or numpy Generator
        Accepted for a uniform constructor; the initial γ = 1, β = 0 as in PyTorch.

    Notes
    -----
    For ``x : ndarray of shape (N, C, *)`` each of the N·G groups of (C/G)·prod(*)
    elements (C/G consecutive channels of one sample) is normalised with its own mean and
    biased variance, then channel c is scaled by γ[c] and shifted by β[c]. As in torch, an
    input with N·(C/G)·prod(*) = 1 is refused. Counts: :func:`nnref.formulas.norm.input_norm`.
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, *, rng=None):
        super().__init__()
        kind = self.kind
        self.num_groups = check_int(num_groups, "num_groups", kind)
        self.num_channels = check_int(num_channels, "num_channels", kind)
        self.eps = check_float(eps, "eps", kind, minimum=0.0)
        self.affine = self.scaled = self.shifted = check_bool(affine, "affine", kind)
        make_rng(rng)
        if self.num_channels % self.num_groups:
            raise ValueError(f"{kind}: num_channels={self.num_channels} is not divisible by "
                             f"num_groups={self.num_groups}; expected a multiple of it")
        self.weight = np.ones(self.num_channels, np.float32) if self.affine else None
        self.bias = np.zeros(self.num_channels, np.float32) if self.affine else None

    def _param_shape(self):
        return (self.num_channels,)

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        if len(shape) < 2 or shape[1] != self.num_channels:
            raise ValueError(f"{self.kind}: input has shape {shape}; expected (N, "
                             f"{self.num_channels}, *) with num_channels={self.num_channels} "
                             "at axis 1")
        if shape[0] * self.num_channels // self.num_groups * prod(shape[2:]) == 1:
            raise ValueError(f"{self.kind}: input has shape {shape}, one value per group in "
                             "its only sample; expected more than 1 (torch refuses it too)")
        return shape

    def _groups(self, shape):
        g = self.num_groups
        return shape[0] * g, g, self.num_channels // g, prod(shape[2:])

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class _InstanceNorm(_InputNorm, _Stats):
    """y = (x − mean) / sqrt(var + eps) · γ + β, with statistics per sample and channel.

    Parameters
    ----------
    num_features : int
        C, the number of channels (axis 1, or axis 0 of an unbatched input).
    eps : float
        Added to the variance, >= 0.
    momentum : float or None
        Kept for PyTorch compatibility; unused in inference.
    affine : bool
        Whether the per-channel γ (``weight``, ones) and β (``bias``, zeros) exist.
    track_running_stats : bool
        Whether the buffers ``running_mean`` (zeros) and ``running_var`` (ones) exist; as
        in torch's eval mode, they are then used instead of the input's statistics.
    rng : None, int or numpy Generator
        Accepted for a uniform constructor; the initial values are fixed, as in PyTorch.

    Notes
    -----
    Without running statistics (the default) each channel of each sample, prod(spatial)
    elements, is normalised with its own mean and biased variance, then scaled by γ[c]
    and shifted by β[c] (counts :func:`nnref.formulas.norm.input_norm`); as torch, a
    single spatial element is refused. With ``track_running_stats=True`` the running
    statistics are folded per channel as in BatchNorm (counts
    :func:`nnref.formulas.norm.batch_norm`). As torch, a channel count other than
    ``num_features`` is refused when γ, β or the running statistics need it, and only
    warned about otherwise.
    """

    spatial = 0

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, *, rng=None):
        super().__init__()
        self._setup(num_features, eps, momentum, affine, track_running_stats, rng)
        self.scaled = self.shifted = self.affine

    def output_shape(self, input_shape):
        shape, nd = self.check_shape(input_shape), self.spatial
        if len(shape) not in (nd + 1, nd + 2):
            raise ValueError(f"{self.kind}: input has shape {shape} ({len(shape)}-D); expected "
                             f"{nd + 1}-D (C, *spatial) or {nd + 2}-D (N, C, *spatial)")
        axis = len(shape) - nd - 1
        if shape[axis] != self.num_features:
            where = f"{self.kind}: input has shape {shape} with {shape[axis]} channels at axis {axis}"
            if self.affine or self.track_running_stats:
                raise ValueError(f"{where}; expected num_features={self.num_features}")
            warnings.warn(f"{where}, not num_features={self.num_features} (unused without "
                          "affine parameters or running statistics)", stacklevel=2)
        if not self.track_running_stats and prod(shape[axis + 1:]) == 1:
            raise ValueError(f"{self.kind}: input has shape {shape}, 1 spatial element per "
                             "channel; expected more than 1 (torch refuses it too)")
        return shape

    def _groups(self, shape):
        s, c = prod(shape[len(shape) - self.spatial:]), shape[len(shape) - self.spatial - 1]
        return prod(shape) // s, c, 1, s

    def forward(self, x):
        if not self.track_running_stats:
            return super().forward(x)
        groups, c, _, s = self._groups(self.output_shape(x.shape))
        y, ops, _ = self._running(np.ascontiguousarray(x).reshape(groups // c, c, s))
        return y.reshape(x.shape), ops


class InstanceNorm1d(_InstanceNorm):
    """Instance norm of ``x`` : ndarray of shape (N, C, L) or (C, L); see :class:`_InstanceNorm`."""

    spatial = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance norm of ``x`` : ndarray of shape (N, C, H, W) or (C, H, W); see
    :class:`_InstanceNorm`."""

    spatial = 2


class InstanceNorm3d(_InstanceNorm):
    """Instance norm of ``x`` : ndarray of shape (N, C, D, H, W) or (C, D, H, W); see
    :class:`_InstanceNorm`."""

    spatial = 3
