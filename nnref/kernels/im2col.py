"""Counted im2col convolution: unroll each window into a row, then one counted GEMM per group.

For batch element n and group g, ``cols[p, q]`` holds tap q = (c, a, b, e) of output
position p (zero where the tap lands on padding), so the weights of the group, viewed
as (Co/groups, K) with K = (C/groups)·KD·KH·KW, give

    out[n, g·Co/groups + i, p] = Σ_q W[i, q]·cols[p, q]   (+ bias)

which is :func:`~nnref.kernels.gemm.gemm_nt`. Padding taps are products with zero, so
the counts per output element are those of the dense direct convolution: mul K,
add K − 1, and 1 add for a bias. Copying into ``cols`` is not arithmetic.
"""
import numpy as np

from ._numba import njit, prange
from .gemm import BIAS_NONE, BIAS_ROW, gemm_nt


@njit(parallel=True)
def im2col(x, n, c0, ksize, stride, padding, dilation, osize, cols):
    """Fill ``cols`` (P, K) with the windows of channels ``c0 …`` of ``x[n]`` (N, C, D, H, W).

    One output row (od, oh) at a time: for each tap, copy along the row (a strided read
    of one input row), writing zeros where the tap lands on padding.
    """
    _, _, D, H, W = x.shape
    KD, KH, KW = ksize
    sd, sh, sw = stride
    pd, ph, pw = padding
    dd, dh, dw = dilation
    OD, OH, OW = osize
    cg = cols.shape[1] // (KD * KH * KW)
    for r in prange(OD * OH):
        od, oh = r // OH, r % OH
        block = cols[r * OW:(r + 1) * OW]
        q = 0
        for c in range(cg):
            for a in range(KD):
                i = od * sd - pd + a * dd
                for b in range(KH):
                    j = oh * sh - ph + b * dh
                    if 0 <= i < D and 0 <= j < H:
                        xrow = x[n, c0 + c, i, j]
                        for e in range(KW):
                            for ow in range(OW):
                                k = ow * sw - pw + e * dw
                                block[ow, q + e] = xrow[k] if 0 <= k < W else 0
                    else:
                        block[:, q:q + KW] = 0
                    q += KW


def conv_im2col(x, w, bias, stride, padding, dilation, groups, out):
    """Convolution of 3-D operands into ``out`` (N, Co, OD, OH, OW); returns the counter table.

    ``x`` (N, C, D, H, W), ``w`` (Co, C/groups, KD, KH, KW), ``bias`` (Co,) or None.
    """
    N = x.shape[0]
    Co, Cg = w.shape[:2]
    ksize = tuple(w.shape[2:])
    osize = tuple(out.shape[2:])
    K = Cg * ksize[0] * ksize[1] * ksize[2]
    P = osize[0] * osize[1] * osize[2]
    cog = Co // groups
    wm = w.reshape(Co, K)
    mode = BIAS_NONE if bias is None else BIAS_ROW
    b = np.zeros(Co, x.dtype) if bias is None else bias
    cols = np.empty((P, K), x.dtype)
    tables = []
    for n in range(N):
        for g in range(groups):
            im2col(x, n, g * Cg, ksize, tuple(stride), tuple(padding), tuple(dilation), osize, cols)
            o = out[n, g * cog:(g + 1) * cog].reshape(cog, P)
            tables.append(gemm_nt(wm[g * cog:(g + 1) * cog], cols, b[g * cog:(g + 1) * cog], mode, o))
    return np.concatenate(tables)
