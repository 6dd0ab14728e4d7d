"""Counted adaptive max and average pooling, written once for 3-D (N, C, D, H, W).

The windows come in as tables of ``[start, end)`` bounds per axis, built by the layer
from :func:`nnref.shapes.adaptive_bounds`; every window holds at least one input.
Each (batch, channel) plane is one task.

Per output element with a window of ``w`` inputs:

* max: the first input initialises the maximum, each further one does cmp 1 (``w − 1``);
* avg: the first input initialises the sum, each further one does add 1 (``w − 1``),
  then div 1 by ``w``.

NaN propagates as in torch (``val > max || isnan(val)``): ``v > m`` is the counted cmp;
``math.isnan(v)`` is an uncounted bit test that classifies the value, not an arithmetic
comparison. The counted ``v > m`` runs for every input after the first whatever the
values, so counts never depend on the data.
"""
import math

import numpy as np

from ._numba import ADD, CMP, DIV, NKINDS, njit, prange

MAX, AVG = 0, 1


@njit(parallel=True)
def adaptive3d(x, out, bd, bh, bw, op):
    """Pool ``x`` (N, C, D, H, W) into ``out`` (N, C, OD, OH, OW); return the counter table.

    ``bd, bh, bw`` are int64 arrays of shape (OD, 2), (OH, 2), (OW, 2) holding each
    window's ``[start, end)``; ``op`` is ``MAX`` or ``AVG``.
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
                    acc = x[n, ch, bd[od, 0], bh[oh, 0], bw[ow, 0]]  # the first input
                    first = True
                    for z in range(bd[od, 0], bd[od, 1]):
                        for y in range(bh[oh, 0], bh[oh, 1]):
                            for w in range(bw[ow, 0], bw[ow, 1]):
                                if first:
                                    first = False
                                    continue
                                v = x[n, ch, z, y, w]
                                if op == MAX:
                                    ncmp += 1
                                    if v > acc or math.isnan(v):
                                        acc = v
                                else:
                                    nadd += 1
                                    acc += v
                    if op == AVG:
                        size = ((bd[od, 1] - bd[od, 0]) * (bh[oh, 1] - bh[oh, 0])
                                * (bw[ow, 1] - bw[ow, 0]))  # index arithmetic, not counted
                        ndiv += 1
                        out[n, ch, od, oh, ow] = acc / size
                    else:
                        out[n, ch, od, oh, ow] = acc
        counts[t, ADD] = nadd
        counts[t, DIV] = ndiv
        counts[t, CMP] = ncmp
    return counts
