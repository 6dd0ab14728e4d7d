"""Traced reference of AdaptiveAvgPool1d/2d/3d and AdaptiveMaxPool1d/2d/3d.

Notes
-----
Along an axis of ``I`` inputs and ``O`` outputs, output ``j`` covers the inputs
``[floor(j·I/O), ceil((j+1)·I/O))``; a ``None`` output size keeps the input size.
Each window is reduced from its first input on: summed, then divided by its size
(average), or compared pairwise (max). The last ``k`` axes are spatial (k = 1, 2, 3);
every axis before them is looped over. Counts: :mod:`nnref.formulas.adaptive`.
"""
from __future__ import annotations

from itertools import product
import numpy as np

from ._registry import traced
from ._scalar import Tally, maximum, unwrap, wrap


def windows(i: int, o: int) -> list:
    """The ``o`` adaptive windows over ``i`` inputs as (start, stop) pairs."""
    return [((j * i) // o, -((-(j + 1) * i) // o)) for j in range(o)]


def output_sizes(layer, spatial: tuple) -> tuple:
    """``layer.output_size`` as a tuple of ints, ``None`` entries replaced by the input size."""
    o = layer.output_size
    o = tuple(o) if isinstance(o, (tuple, list)) else (o,) * len(spatial)
    return tuple(i if s is None else int(s) for i, s in zip(spatial, o, strict=True))


def _avg(cells: list):
    s = cells[0]
    for v in cells[1:]:
        s = s + v
    return s / len(cells)


def _max(cells: list):
    m = cells[0]
    for v in cells[1:]:
        m = maximum(m, v)  # NaN wins, as in torch
    return m


def _adaptive(layer, x, reduce):
    """``(y, ops)`` of the adaptive pool over the last ``len(layer.output_size)`` axes of ``x``."""
    k = len(layer.output_size)
    lead, spatial = x.shape[:-k], x.shape[-k:]
    osize = output_sizes(layer, spatial)
    wins = [windows(i, o) for i, o in zip(spatial, osize, strict=True)]
    tally = Tally()
    t = wrap(x, tally)
    out = np.empty(lead + osize, dtype=object)
    for b in np.ndindex(lead):
        for j in np.ndindex(osize):
            ranges = [range(*wins[a][j[a]]) for a in range(k)]
            out[b + j] = reduce([t[b + tap] for tap in product(*ranges)])
    return unwrap(out, x.dtype), tally.counts()


@traced("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d")
def adaptive_avg(layer, x):
    """Adaptive average pooling: the mean of each window."""
    return _adaptive(layer, x, _avg)


@traced("AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d")
def adaptive_max(layer, x):
    """Adaptive max pooling: the maximum of each window."""
    return _adaptive(layer, x, _max)
