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

from ._numba import ADD, MUL, NKINDS, njit, prange
from .gemm import BIAS_NONE, BIAS_ROW, gemm_block, gemm_nt

#: With at least this many (batch element, group) pairs, each pair is one task
#: (:func:`im2col_groups`); with fewer, each pair runs one parallel GEMM.
MIN_PAIRS_PER_CALL = 8


@njit
def _unroll_row(x, n, c0, ksize, stride, padding, dilation, osize, r, cols):
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
        _unroll_row(x, n, c0, ksize, stride, padding, dilation, osize, r, cols)


@njit(parallel=True)
def im2col_groups(x, wm, bias, bias_mode, ksize, stride, padding, dilation, osize, groups, out):
    """Whole convolution with one task per (batch element, group): unroll, then a serial GEMM.

    For convolutions with many groups (depthwise-like) or large batches, where one
    parallel GEMM per group would spend its time starting threads. ``wm`` (Co, K),
    ``out`` (N, Co, P). Returns the counter table, one row per (n, g).
    """
    N = x.shape[0]
    Co, K = wm.shape
    P = out.shape[2]
    cog = Co // groups
    cg = x.shape[1] // groups
    counts = np.zeros((max(N * groups, 1), NKINDS), np.int64)
    for t in prange(N * groups):
        n, g = t // groups, t % groups
        cols = np.empty((P, K), x.dtype)
        for r in range(osize[0] * osize[1]):
            _unroll_row(x, n, g * cg, ksize, stride, padding, dilation, osize, r, cols)
        nmul, nadd = gemm_block(wm[g * cog:(g + 1) * cog], cols, bias[g * cog:(g + 1) * cog],
                                bias_mode, out[n, g * cog:(g + 1) * cog], 0, cog, 0, P)
        counts[t, MUL] = nmul
        counts[t, ADD] = nadd
    return counts


def conv_im2col(x, w, bias, stride, padding, dilation, groups, out):
    """Convolution of 3-D operands into ``out`` (N, Co, OD, OH, OW); returns the counter table.

    ``x`` (N, C, D, H, W), ``w`` (Co, C/groups, KD, KH, KW), ``bias`` (Co,) or None.
    The task split depends only on the shapes, never on the thread count.
    """
    N = x.shape[0]
    Co, Cg = w.shape[:2]
    ksize = tuple(w.shape[2:])
    osize = tuple(out.shape[2:])
    K = Cg * ksize[0] * ksize[1] * ksize[2]
    P = osize[0] * osize[1] * osize[2]
    cog = Co // groups
    wm = np.ascontiguousarray(w.reshape(Co, K))
    mode = BIAS_NONE if bias is None else BIAS_ROW
    b = np.zeros(Co, x.dtype) if bias is None else bias
    geometry = (ksize, tuple(stride), tuple(padding), tuple(dilation), osize)
    if N * groups >= MIN_PAIRS_PER_CALL:
        flat = out.reshape(N, Co, P)
        if not np.shares_memory(flat, out):
            raise ValueError("out must be C-contiguous")  # a copy would drop the results
        return im2col_groups(x, wm, b, mode, *geometry, groups, flat)
    cols = np.empty((P, K), x.dtype)
    tables = []
    for n in range(N):
        for g in range(groups):
            im2col(x, n, g * Cg, *geometry, cols)
            o = out[n, g * cog:(g + 1) * cog].reshape(cog, P)
            tables.append(gemm_nt(wm[g * cog:(g + 1) * cog], cols, b[g * cog:(g + 1) * cog], mode, o))
    return np.concatenate(tables)
