"""Traced references of the norms: BatchNorm1d/2d/3d in inference mode (running statistics),
and LayerNorm, GroupNorm, InstanceNorm1d/2d/3d with their input's statistics.

Notes
-----
BatchNorm (and InstanceNorm with running statistics), once per channel per call, with
γ = 1 and β = 0 (plain constants, still operands) when the layer has no affine parameters:

    σ = sqrt(var + eps),   scale = γ / σ,   shift = β − μ·scale

then for every element of channel c: ``y = x·scale + shift``.
Counts: :func:`nnref.formulas.norm.batch_norm`.

The others, for each group of values, in two passes: the mean, the deviations from it,
the mean of their squares, ``r = 1 / sqrt(var + eps)``, then ``(d·r)·γ + β``.
Counts: :func:`nnref.formulas.norm.input_norm`.
"""
from __future__ import annotations

import numpy as np

from ._registry import traced
from ._scalar import Tally, Traced, sqrt, unwrap, wrap


@traced("BatchNorm1d", "BatchNorm2d", "BatchNorm3d")
def batchnorm(layer, x):
    """``(y, ops)`` of BatchNorm over ``x`` of shape (N, C, ...) using running statistics."""
    return _running(layer, x)


def _running(layer, x):
    """``(y, ops)`` of ``x`` (N, C, ...) normalised with ``layer``'s running statistics."""
    tally = Tally()
    c, dt = x.shape[1], x.dtype
    mean, var = (layer.param(n, (c,), dt) for n in ("running_mean", "running_var"))
    gamma, beta = (layer.param(n, (c,), dt, present=layer.affine) for n in ("weight", "bias"))
    scale, shift = [], []
    for k in range(c):
        # without affine parameters γ = 1 and β = 0 are constant operands: their operations count
        g = 1.0 if gamma is None else Traced(gamma[k], tally)
        b = 0.0 if beta is None else Traced(beta[k], tally)
        s = g / sqrt(Traced(var[k], tally) + layer.eps)
        scale.append(s)
        shift.append(b - Traced(mean[k], tally) * s)
    t = wrap(x, tally)
    out = np.empty(t.shape, dtype=object)
    for idx, v in np.ndenumerate(t):
        out[idx] = v * scale[idx[1]] + shift[idx[1]]
    return unwrap(out, x.dtype), tally.counts()


# -- LayerNorm, GroupNorm, InstanceNorm1d/2d/3d: the statistics of the input itself -----------

def _normalised(values: list, gammas: list, betas: list, eps: float) -> list:
    """One group of traced values normalised with its own mean and biased variance, then
    ``·γ + β`` (a None γ or β is no operation)."""
    total = values[0]
    for v in values[1:]:
        total = total + v
    mean = total / float(len(values))
    d = [v - mean for v in values]
    squares = d[0] * d[0]
    for v in d[1:]:
        squares = squares + v * v
    r = 1.0 / sqrt(squares / float(len(values)) + eps)
    out = []
    for v, g, b in zip(d, gammas, betas, strict=True):
        v = v * r
        v = v if g is None else v * g
        out.append(v if b is None else v + b)
    return out


def _affine(layer, name: str, shape, dt, present: bool, tally) -> np.ndarray:
    """γ or β as an object array of Traced of ``shape``, or of None when it does not exist."""
    p = layer.param(name, shape, dt, present=present)
    return np.full(shape, None, dtype=object) if p is None else wrap(p, tally)


@traced("LayerNorm")
def layer_norm(layer, x):
    """``(y, ops)`` of LayerNorm: each row of the trailing normalized_shape on its own."""
    tally, ns = Tally(), layer.normalized_shape
    gammas = _affine(layer, "weight", ns, x.dtype, layer.scaled, tally).reshape(-1).tolist()
    betas = _affine(layer, "bias", ns, x.dtype, layer.shifted, tally).reshape(-1).tolist()
    rows = wrap(x, tally).reshape(-1, int(np.prod(ns)))
    out = [_normalised(list(row), gammas, betas, layer.eps) for row in rows]
    return unwrap(out, x.dtype).reshape(x.shape), tally.counts()


def _by_channel(layer, x3, groups: int):
    """``(y, ops)`` of ``x3`` (N, C, S): per sample, ``groups`` groups of consecutive
    channels, each normalised on its own, then γ[c] and β[c] per channel."""
    tally = Tally()
    n, c, s = x3.shape
    gammas = _affine(layer, "weight", (c,), x3.dtype, layer.affine, tally)
    betas = _affine(layer, "bias", (c,), x3.dtype, layer.affine, tally)
    t = wrap(x3, tally)
    out = np.empty(t.shape, dtype=object)
    per = c // groups
    for i in range(n):
        for g in range(groups):
            cs = range(g * per, (g + 1) * per)
            y = _normalised([t[i, ch, j] for ch in cs for j in range(s)],
                            [gammas[ch] for ch in cs for _ in range(s)],
                            [betas[ch] for ch in cs for _ in range(s)], layer.eps)
            out[i, g * per:(g + 1) * per] = np.array(y, dtype=object).reshape(per, s)
    return unwrap(out, x3.dtype), tally.counts()


@traced("GroupNorm")
def group_norm(layer, x):
    """``(y, ops)`` of GroupNorm on (N, C, *): per sample, G groups of C/G channels."""
    y, ops = _by_channel(layer, x.reshape(x.shape[0], x.shape[1], -1), layer.num_groups)
    return y.reshape(x.shape), ops


@traced("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d")
def instance_norm(layer, x):
    """``(y, ops)`` of InstanceNorm on ([N,] C, *spatial): each channel of each sample on its
    own, or, with running statistics, as BatchNorm."""
    c = x.shape[x.ndim - layer.spatial - 1]
    x3 = x.reshape(-1, c, int(np.prod(x.shape[x.ndim - layer.spatial:])))
    y, ops = _running(layer, x3) if layer.track_running_stats else _by_channel(layer, x3, c)
    return y.reshape(x.shape), ops
