"""Shared im2col: unroll convolution windows into a column matrix, where :mod:`.conv`
does not read them in place.

For batch element n and a group's channels starting at c0, ``cols[p, q]`` holds tap
q = (c, a, b, e) of output position p, or 0 where the tap lands on padding
(:func:`im2col`); :func:`im2col_t` writes its transpose, ``cols[q, p]``, a row per tap.
Copying is not arithmetic and counts nothing; :mod:`.conv` multiplies ``cols`` by the
weights with the counted GEMM (:mod:`._gemm`, :mod:`._dots`), a bounded chunk of output
rows at a time.
"""
from ._numba import njit, prange


@njit
def unroll_row(x, n, c0, ksize, stride, padding, dilation, osize, r, block):
    """Fill ``block`` (OW, K) for output row ``r`` = (od, oh) of channels ``c0 …`` of ``x[n]``.

    For each tap, copy along the row (a strided read of one input row), writing zeros
    where the tap lands on padding.
    """
    _, _, D, H, W = x.shape
    KD, KH, KW = ksize
    sd, sh, sw = stride
    pd, ph, pw = padding
    dd, dh, dw = dilation
    _, OH, OW = osize
    cg = block.shape[1] // (KD * KH * KW)
    od, oh = r // OH, r % OH
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
def im2col(x, n, c0, ksize, stride, padding, dilation, osize, r0, r1, cols):
    """Fill ``cols`` ((r1 − r0)·OW, K) with the windows of output rows ``r0 … r1`` (each an
    (od, oh) pair) of channels ``c0 …`` of ``x[n]`` (N, C, D, H, W)."""
    OW = osize[2]
    for r in prange(r0, r1):
        unroll_row(x, n, c0, ksize, stride, padding, dilation, osize, r,
                   cols[(r - r0) * OW:(r - r0 + 1) * OW])


@njit(parallel=True)
def im2col_t(x, n, c0, ksize, stride, padding, dilation, osize, r0, r1, cols):
    """Fill ``cols`` (K, (r1 − r0)·OW), the transpose of :func:`im2col`'s column matrix:
    row q holds tap q = (c, a, b, e) of channels ``c0 …`` of ``x[n]`` at the output
    positions of output rows ``r0 … r1`` (0 on padding), a strided copy of one input row
    for each output row."""
    _, _, D, H, W = x.shape
    KD, KH, KW = ksize
    sd, sh, sw = stride
    pd, ph, pw = padding
    dd, dh, dw = dilation
    _, OH, OW = osize
    for q in prange(cols.shape[0]):
        e, b = q % KW, q // KW % KH
        a, c = q // (KW * KH) % KD, q // (KW * KH * KD)
        for r in range(r0, r1):
            i = r // OH * sd - pd + a * dd
            j = r % OH * sh - ph + b * dh
            dst = cols[q, (r - r0) * OW:(r - r0 + 1) * OW]
            if 0 <= i < D and 0 <= j < H:
                xrow = x[n, c0 + c, i, j]
                for ow in range(OW):
                    k = ow * sw - pw + e * dw
                    dst[ow] = xrow[k] if 0 <= k < W else 0
            else:
                dst[:] = 0
