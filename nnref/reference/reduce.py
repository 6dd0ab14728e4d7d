"""Traced reference of Mean: each output's elements summed in row-major order, then divided.

Counts: :func:`nnref.formulas.reduce.mean`.
"""
from __future__ import annotations

from itertools import product

import numpy as np

from ._registry import traced
from ._scalar import Tally, unwrap, wrap


@traced("Mean")
def mean(layer, x):
    """``(mean of x over layer.dim, ops)``, keeping the reduced axes with ``keepdim``."""
    out_shape = layer.output_shape(x.shape)
    x = x.reshape(x.shape or (1,))  # a 0-d input: one axis of size 1, as in torch
    tally = Tally()
    t = wrap(x, tally)
    axes = list(layer.axes(x.shape))
    kept = [i for i in range(x.ndim) if i not in axes]
    n = 1
    for i in axes:
        n *= x.shape[i]
    values = {}
    for out_idx in product(*(range(x.shape[i]) for i in kept)):
        total = None
        for red in product(*(range(x.shape[i]) for i in sorted(axes))):
            idx = [0] * x.ndim
            for i, v in zip(kept, out_idx):
                idx[i] = v
            for i, v in zip(sorted(axes), red):
                idx[i] = v
            v = t[tuple(idx)]
            total = v if total is None else total + v
        values[out_idx] = total / float(n)
    y = np.empty([x.shape[i] for i in kept], dtype=object)
    for idx, v in values.items():
        y[idx] = v
    out = unwrap(y, x.dtype)
    return out.reshape(out_shape), tally.counts()
