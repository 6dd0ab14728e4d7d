"""Counted max and average pooling, written once for 3-D (N, C, D, H, W).

1-D and 2-D pooling reach this kernel through singleton leading axes (kernel size 1,
stride 1, padding 0), which add no taps. Each (batch, channel) plane is one task.

Per output element with ``t`` in-bound taps (padding is never read):

* max: the first tap initialises the running maximum, each further tap does cmp 1
  (``t − 1``); a window with no in-bound tap (possible only with dilation) gives −inf
  and counts nothing, as in torch;
* avg: the first tap initialises the sum, each further tap does add 1 (``t − 1``),
  then div 1 by the divisor.

NaN propagates as in torch (``val > max || isnan(val)``): the ordered comparison
``v > m`` is the one counted cmp per tap; ``math.isnan(v)`` is a bit test on the value's
exponent and mantissa that classifies it, not an arithmetic comparison, and is not
counted. The counted ``v > m`` runs for every tap after the first whatever the
values, so counts never depend on the data.

The divisor is integer index arithmetic, not counted: the number of in-bound taps
(``count_include_pad=False``), or the window clipped to the padded input
``[−p, i + p)`` on every axis (``count_include_pad=True``, torch's rule, which with
ceil_mode can be smaller than the kernel volume).
"""
import math

import numpy as np

from ._numba import ADD, CMP, DIV, NKINDS, njit, prange

MAX, AVG = 0, 1


@njit(parallel=True)
def pool3d(x, out, k, s, p, d, op, count_include_pad):
    """Pool ``x`` (N, C, D, H, W) into ``out`` (N, C, OD, OH, OW); return the counter table.

    ``k, s, p, d`` are 3-tuples (kernel size, stride, padding, dilation) and ``op`` is
    ``MAX`` or ``AVG``; ``out`` already has the output size from ``shapes.pool_out``.
    """
    N, C, D, H, W = x.shape
    OD, OH, OW = out.shape[2], out.shape[3], out.shape[4]
    ntask = N * C
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        n = t // C  # x[n, ch, ...] indexed directly: plane views make numba's parfor
        ch = t % C  # compile several times slower
        nadd = ndiv = ncmp = 0
        for od in range(OD):
            z0 = od * s[0] - p[0]
            for oh in range(OH):
                y0 = oh * s[1] - p[1]
                for ow in range(OW):
                    x0 = ow * s[2] - p[2]
                    acc = x[n, ch, 0, 0, 0]  # a typed placeholder, replaced by the first tap
                    first = True
                    taps = 0  # in-bound taps: an index count for the divisor, not arithmetic
                    for a in range(k[0]):
                        z = z0 + a * d[0]
                        if z < 0 or z >= D:
                            continue
                        for b in range(k[1]):
                            y = y0 + b * d[1]
                            if y < 0 or y >= H:
                                continue
                            for c in range(k[2]):
                                w = x0 + c * d[2]
                                if w < 0 or w >= W:
                                    continue
                                v = x[n, ch, z, y, w]
                                taps += 1
                                if first:
                                    acc = v
                                    first = False
                                elif op == MAX:
                                    ncmp += 1
                                    if v > acc or math.isnan(v):
                                        acc = v
                                else:
                                    nadd += 1
                                    acc += v
                    if op == MAX:
                        out[n, ch, od, oh, ow] = -np.inf if first else acc
                    else:
                        if count_include_pad:
                            div = ((min(z0 + k[0], D + p[0]) - z0)
                                   * (min(y0 + k[1], H + p[1]) - y0)
                                   * (min(x0 + k[2], W + p[2]) - x0))
                        else:
                            div = taps
                        ndiv += 1
                        out[n, ch, od, oh, ow] = acc / div
        counts[t, ADD] = nadd
        counts[t, DIV] = ndiv
        counts[t, CMP] = ncmp
    return counts
