"""Traced reference of BatchNorm1d/2d/3d in inference mode (running statistics).

Notes
-----
Once per channel per call, with γ = 1 and β = 0 when the layer has no affine parameters:

    σ = sqrt(var + eps)            add 1, sqrt 1
    scale = γ / σ                  div 1
    shift = β − μ·scale            mul 1, sub 1

then for every element of channel c: ``y = x·scale + shift`` (mul 1, add 1).
"""
from __future__ import annotations

import numpy as np

from ..scalar import Tally, Traced, sqrt, unwrap, wrap


def _channel(layer, name: str, c: int, dtype, tally: Tally, default=None):
    """Parameter ``name`` at channel ``c`` as a Traced (``default`` when the layer has none)."""
    value = getattr(layer, name, None)
    if value is None and default is not None:
        return default  # a constant operand (no affine parameters): its operations still count
    return Traced(np.asarray(value, dtype=dtype)[c], tally)


def batchnorm(layer, x):
    """``(y, ops)`` of BatchNorm over ``x`` of shape (N, C, ...) using running statistics."""
    tally = Tally()
    scale, shift = [], []
    for c in range(x.shape[1]):
        mean = _channel(layer, "running_mean", c, x.dtype, tally)
        var = _channel(layer, "running_var", c, x.dtype, tally)
        gamma = _channel(layer, "weight", c, x.dtype, tally, 1.0)
        beta = _channel(layer, "bias", c, x.dtype, tally, 0.0)
        s = gamma / sqrt(var + layer.eps)
        scale.append(s)
        shift.append(beta - mean * s)
    t = wrap(x, tally)
    out = np.empty(t.shape, dtype=object)
    for idx, v in np.ndenumerate(t):
        out[idx] = v * scale[idx[1]] + shift[idx[1]]
    return unwrap(out, x.dtype), tally.counts()


REFERENCES = {"BatchNorm1d": batchnorm, "BatchNorm2d": batchnorm, "BatchNorm3d": batchnorm}
