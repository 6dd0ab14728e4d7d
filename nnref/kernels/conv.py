"""Counted direct ("naive") convolution, written once for 3-D (N, C, D, H, W).

Every output element is a dot product over its taps (c, a, b, e) = (input channel of
its group, kernel depth, height, width index), taken in that order: the first product
initialises the accumulator (mul 1), each further tap does mul 1 and add 1, and a bias
adds 1 add at the end.

Loop order: for a block of output positions along a row, for each tap, for each output
position of the block, for each output channel of the group:

    out[co, p] += x[c, tap(p)] · w[co, c, tap]

The innermost loop runs over output channels (weights transposed to put them last), so
it is contiguous and vectorises; each output element still sees exactly its own taps,
in the same order as the textbook loop. A task is one (batch, group, output depth,
output row, block of positions) and has its own counter row.

Padding: with ``padding_mode="dense"`` the driver pads the input with zeros first, so
taps that land on padding are computed (a product with zero), exactly as im2col does.
With ``"skip"`` only the taps that land inside the input run; a window without any does
no arithmetic at all and its output is the bias (or 0).
"""
import numpy as np

from ._numba import ADD, MUL, NKINDS, njit, prange

#: Bytes of output accumulators a task keeps hot (its block of positions × channels).
BLOCK_BYTES = 16384


@njit(inline="always")
def _inside(base, step, size, n):
    """The range ``[lo, hi)`` of ``m`` in ``[0, n)`` with ``0 <= base + m·step < size``.

    ``lo`` is the first ``m`` with ``base + m·step >= 0`` (clipped to ``n``) even when
    the range is empty.
    """
    lo = 0 if base >= 0 else (step - 1 - base) // step
    lo = min(lo, n)
    last = size - 1 - base
    hi = 0 if last < 0 else min(n, last // step + 1)
    return lo, max(hi, lo)


@njit(parallel=True)
def direct(x, wt, bias, has_bias, stride, padding, dilation, block, out):
    """Fill ``out`` with the convolution of ``x`` and ``wt``; return the counter table.

    ``x`` (N, C, D, H, W); ``wt`` (G, C/G, KD, KH, KW, Co/G), the weights of each group
    with output channels last; ``bias`` (G, Co/G), zeros unless ``has_bias``; ``out``
    (N, G, OD, OH, OW, Co/G); ``block`` output positions per task. Taps outside ``x``
    are skipped, so pass an already zero-padded ``x`` and zero ``padding`` for dense.
    """
    N, _, D, H, W = x.shape
    G, Cg, KD, KH, KW, cog = wt.shape
    OD, OH, OW = out.shape[2], out.shape[3], out.shape[4]
    sd, sh, sw = stride
    pd, ph, pw = padding
    dd, dh, dw = dilation
    espan = np.empty((OW, 2), np.int64)  # per output column: its in-bound taps e
    for j in range(OW):
        espan[j, 0], espan[j, 1] = _inside(j * sw - pw, dw, W, KW)
    nblock = (OW + block - 1) // block
    ntask = N * G * OD * OH * nblock
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        r, jb = t // nblock, t % nblock
        r, oh = r // OH, r % OH
        r, od = r // OD, r % OD
        n, g = r // G, r % G
        j0 = jb * block
        j1 = min(j0 + block, OW)
        o = out[n, g, od, oh]
        bg = bias[g]
        for j in range(j0, j1):
            o[j, :] = bg  # the bias (zeros if none): what outputs without a tap keep
        a_lo, a_hi = _inside(od * sd - pd, dd, D, KD)
        b_lo, b_hi = _inside(oh * sh - ph, dh, H, KH)
        nmul = 0
        nadd = 0
        for c in range(Cg):
            for a in range(a_lo, a_hi):
                for b in range(b_lo, b_hi):
                    xrow = x[n, g * Cg + c, od * sd - pd + a * dd, oh * sh - ph + b * dh]
                    first = c == 0 and a == a_lo and b == b_lo
                    for e in range(KW):
                        wrow = wt[g, c, a, b, e]
                        for j in range(j0, j1):
                            if e < espan[j, 0] or e >= espan[j, 1]:
                                continue  # tap on padding, skipped
                            xv = xrow[j * sw - pw + e * dw]
                            oj = o[j]
                            if first and e == espan[j, 0]:  # j's first tap
                                for co in range(cog):
                                    oj[co] = xv * wrow[co]
                                    nmul += 1
                            else:
                                for co in range(cog):
                                    oj[co] += xv * wrow[co]
                                    nmul += 1
                                    nadd += 1
        if has_bias and a_lo < a_hi and b_lo < b_hi:
            for j in range(j0, j1):
                if espan[j, 0] < espan[j, 1]:
                    oj = o[j]
                    for co in range(cog):
                        oj[co] += bg[co]
                        nadd += 1
        counts[t, MUL] = nmul
        counts[t, ADD] = nadd
    return counts


def zero_pad(x, padding):
    """``x`` (N, C, D, H, W) with ``padding`` (pd, ph, pw) zeros on both sides of each axis."""
    if not any(padding):
        return np.ascontiguousarray(x)
    return np.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in padding))


def conv_naive(x, w, bias, stride, padding, dilation, groups, skip, out):
    """Direct convolution of 3-D operands into ``out`` (N, Co, OD, OH, OW); return the counts.

    ``x`` (N, C, D, H, W), ``w`` (Co, C/groups, KD, KH, KW), ``bias`` (Co,) or None.
    With ``skip`` False the input is zero-padded first, so padding taps are computed;
    with ``skip`` True they are skipped. Copies and transposes here are not arithmetic.
    """
    N, Co = out.shape[:2]
    cog = Co // groups
    wt = np.ascontiguousarray(w.reshape((groups, cog) + w.shape[1:]).transpose(0, 2, 3, 4, 5, 1))
    b = np.zeros((groups, cog), x.dtype) if bias is None else bias.reshape(groups, cog)
    if not skip:
        x, padding = zero_pad(x, padding), (0, 0, 0)
    out_t = np.empty((N, groups) + out.shape[2:] + (cog,), x.dtype)
    block = max(1, min(32, BLOCK_BYTES // (cog * x.itemsize)))
    counts = direct(x, wt, np.ascontiguousarray(b), bias is not None, tuple(stride),
                    tuple(padding), tuple(dilation), block, out_t)
    out.reshape((N, groups, cog) + out.shape[2:])[...] = out_t.transpose(0, 1, 5, 2, 3, 4)
    return counts
