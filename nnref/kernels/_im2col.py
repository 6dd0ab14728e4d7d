"""Shared im2col: unroll each convolution window into one row of a column matrix.

For batch element n and a group's channels starting at c0, ``cols[p, q]`` holds tap
q = (c, a, b, e) of output position p, or 0 where the tap lands on padding. Copying is
not arithmetic and counts nothing; :mod:`.conv` multiplies ``cols`` by the weights with
the counted GEMM (:mod:`._gemm`).
"""
from ._numba import njit, prange


@njit
def unroll_row(x, n, c0, ksize, stride, padding, dilation, osize, r, cols):
    """Fill the rows of ``cols`` for output row ``r`` = (od, oh) of channels ``c0 …`` of ``x[n]``.

    For each tap, copy along the row (a strided read of one input row), writing zeros
    where the tap lands on padding.
    """
    _, _, D, H, W = x.shape
    KD, KH, KW = ksize
    sd, sh, sw = stride
    pd, ph, pw = padding
    dd, dh, dw = dilation
    _, OH, OW = osize
    cg = cols.shape[1] // (KD * KH * KW)
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


@njit(parallel=True)
def im2col(x, n, c0, ksize, stride, padding, dilation, osize, cols):
    """Fill ``cols`` (P, K) with the windows of channels ``c0 …`` of ``x[n]`` (N, C, D, H, W)."""
    for r in prange(osize[0] * osize[1]):
        unroll_row(x, n, c0, ksize, stride, padding, dilation, osize, r, cols)
