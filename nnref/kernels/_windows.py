"""Shared counted window reduction (max, average), written once for 3-D (N, C, D, H, W).

Max/avg pooling and adaptive pooling differ only in where their windows lie, so both
run :func:`reduce_windows` on per-axis window tables: :mod:`.pool` builds them with
:func:`nnref.core.shapes.pool_windows`, :mod:`.adaptive` with
:func:`nnref.core.shapes.adaptive_windows`. 1-D and 2-D inputs reach it through
singleton leading axes, which add no taps. Each (batch, channel) plane is one task.

Each output reads only its in-bound taps (padding is never read): the first tap
initialises the running maximum or sum, each further tap is compared with it (max) or
added to it (avg), and an average is then divided by the divisor. A window with no
in-bound tap (possible only with dilation) gives −inf, as in torch. Counts:
:func:`nnref.formulas.pool.max_pool`, :func:`~nnref.formulas.pool.avg_pool`,
:mod:`nnref.formulas.adaptive`.

NaN propagates as in torch (``val > max || isnan(val)``): the ordered comparison
``v > m`` is the one counted cmp per tap; ``math.isnan(v)`` is a bit test on the value's
exponent and mantissa that classifies it, not an arithmetic comparison, and is not
counted. The counted ``v > m`` runs for every tap after the first whatever the
values, so counts never depend on the data.

The divisor is the product of the per-axis divisor factors of the tables: integer
index arithmetic, not counted.
"""
import math

import numpy as np

from ._numba import ADD, CMP, DIV, NKINDS, njit, prange

MAX, AVG = 0, 1


@njit(parallel=True)
def reduce_windows(x, out, wd, wh, ww, op):
    """Reduce ``x`` (N, C, D, H, W) into ``out`` (N, C, OD, OH, OW); return the counter table.

    ``wd, wh, ww`` are int64 tables of shape (OD, 4), (OH, 4), (OW, 4): for each output
    position along that axis, its first in-bound input, number of in-bound taps, step
    between taps, and divisor factor. ``op`` is ``MAX`` or ``AVG``.
    """
    N, C = x.shape[0], x.shape[1]
    OD, OH, OW = out.shape[2], out.shape[3], out.shape[4]
    ntask = N * C
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        n = t // C  # x[n, ch, ...] indexed directly: plane views make numba's parfor
        ch = t % C  # compile several times slower
        nadd = ndiv = ncmp = 0
        for od in range(OD):
            for oh in range(OH):
                for ow in range(OW):
                    acc = x[n, ch, 0, 0, 0]  # a typed placeholder, replaced by the first tap
                    first = True
                    w0, wn, ws = ww[ow, 0], ww[ow, 1], ww[ow, 2]
                    for a in range(wd[od, 1]):
                        z = wd[od, 0] + a * wd[od, 2]
                        for b in range(wh[oh, 1]):
                            xrow = x[n, ch, z, wh[oh, 0] + b * wh[oh, 2]]
                            c0 = 0
                            if first and wn > 0:  # the window's first tap
                                acc = xrow[w0]
                                first = False
                                c0 = 1
                            for c in range(c0, wn):
                                v = xrow[w0 + c * ws]
                                if op == MAX:  # a select, not a branch: (v > acc) | isnan(v)
                                    ncmp += 1
                                    acc = v if (v > acc) | math.isnan(v) else acc
                                else:
                                    nadd += 1
                                    acc += v
                    if op == MAX:
                        out[n, ch, od, oh, ow] = -np.inf if first else acc
                    else:
                        ndiv += 1
                        out[n, ch, od, oh, ow] = acc / (wd[od, 3] * wh[oh, 3] * ww[ow, 3])
        counts[t, ADD] = nadd
        counts[t, DIV] = ndiv
        counts[t, CMP] = ncmp
    return counts
