"""Traced reference of BatchNorm1d/2d/3d in inference mode (running statistics).

Notes
-----
Once per channel per call, with γ = 1 and β = 0 (plain constants, still operands)
when the layer has no affine parameters:

    σ = sqrt(var + eps),   scale = γ / σ,   shift = β − μ·scale

then for every element of channel c: ``y = x·scale + shift``.
Counts: :func:`nnref.formulas.norm.batch_norm`.
"""
from __future__ import annotations

import numpy as np

from ._registry import traced
from ._scalar import Tally, Traced, sqrt, unwrap, wrap


@traced("BatchNorm1d", "BatchNorm2d", "BatchNorm3d")
def batchnorm(layer, x):
    """``(y, ops)`` of BatchNorm over ``x`` of shape (N, C, ...) using running statistics."""
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
