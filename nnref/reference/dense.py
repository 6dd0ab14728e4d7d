"""Traced reference of Dense / Linear: ``y[..., o] = Σ_i x[..., i]·W[o, i] (+ b[o])``.

Notes
-----
Each output is a dot product of the I features of its row, one window of
:mod:`._windows`. Counts: :func:`nnref.formulas.dense.dense`.
"""
from __future__ import annotations

import numpy as np

from ._registry import windowed
from ._windows import Plan


@windowed("Dense")
def dense_plan(layer, x) -> Plan:
    """One window per output: the whole input row, against one row of the weight."""
    w = layer.param("weight", (layer.out_features, layer.in_features), x.dtype)
    b = layer.param("bias", (w.shape[0],), x.dtype, present=None)
    outer = [(lead + (o,), None if b is None else float(b[o]),
              [(lead + (i,), (i,), (o, i)) for i in range(x.shape[-1])])
             for lead in np.ndindex(*x.shape[:-1]) for o in range(w.shape[0])]
    return Plan(layer.kind, "sum", x.shape[:-1] + (w.shape[0],), outer, [], (), w)
