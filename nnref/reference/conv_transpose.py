"""Traced reference of ConvTranspose1d/2d/3d: the scatter, one traced product at a time.

Notes
-----
Written from the definition, sharing nothing with the kernels or with
:mod:`nnref.core.shapes`. For each output plane (n, co), every input element of the
group's channels ``ci`` is multiplied by every tap ``m`` of ``w[ci, co]`` and the product
is accumulated at full position ``f = j·s + m·d`` of each axis: the first product at a
position initialises it, the others are added. "dense" padding accumulates every
product, those landing on the cropped padding too; "skip" only those landing inside the
output. Output ``o`` is position ``o + p``, plus the bias; a position nothing reached
is the bias (or 0). Counts: :func:`nnref.formulas.conv_transpose.conv_transpose`.
"""
from __future__ import annotations

from itertools import product

import numpy as np

from ._registry import traced
from ._scalar import Tally, Traced
from ._windows import per_axis


@traced("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
def conv_transpose(layer, x):
    """``(y, ops)`` of a transposed convolution of ``x`` (N, Cin, *S), in plain Python."""
    nd = x.ndim - 2
    w = layer.param("weight", layer.weight_shape, x.dtype)
    b = layer.param("bias", (layer.out_channels,), x.dtype, present=None)
    s, p, d = (per_axis(layer, n, nd, v) for n, v in (("stride", 1), ("padding", 0),
                                                        ("dilation", 1)))
    q = per_axis(layer, "output_padding", nd, 0)
    k, sizes = w.shape[2:], x.shape[2:]
    outs = [(i - 1) * ss + dd * (kk - 1) + qq + 1 - 2 * pp
            for i, kk, ss, pp, dd, qq in zip(sizes, k, s, p, d, q)]
    skip = layer.padding_taps == "skip"
    cpg, copg = w.shape[0] // layer.groups, w.shape[1]
    tally = Tally()
    y = np.empty((x.shape[0], layer.out_channels) + tuple(outs), x.dtype)
    for n, co in product(range(x.shape[0]), range(layer.out_channels)):
        g = co // copg
        acc = {}
        for ci in range(g * cpg, (g + 1) * cpg):
            for j in product(*map(range, sizes)):
                xv = Traced(float(x[(n, ci) + j]), tally)
                for m in product(*map(range, k)):
                    f = tuple(jj * ss + mm * dd for jj, mm, ss, dd in zip(j, m, s, d))
                    if skip and not all(pp <= ff < pp + o for ff, pp, o in zip(f, p, outs)):
                        continue
                    v = xv * float(w[(ci, co - g * copg) + m])
                    acc[f] = v if f not in acc else acc[f] + v
        for o in product(*map(range, outs)):
            f = tuple(oo + pp for oo, pp in zip(o, p))
            bias = None if b is None else float(b[co])
            if f not in acc:
                y[(n, co) + o] = 0.0 if bias is None else bias
            else:
                y[(n, co) + o] = (acc[f] if bias is None else acc[f] + bias).value
    return y, tally.counts()
