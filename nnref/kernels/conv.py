"""Counted convolution, written once for 3-D (N, C, D, H, W), in two algorithms.

* :func:`conv_naive`: the direct loop over output elements and taps (below);
* :func:`conv_im2col`: the counted GEMM of the weights and the column matrix of the
  windows, per (batch element, group), by the :func:`route` for the shapes. On many
  positions the tiled GEMM (:mod:`._gemm`) reads the windows in place from the input
  (an implicit im2col: :func:`windows_gemm`); on fewer they are unrolled
  (:mod:`._im2col`), a bounded chunk at a time, tap by tap for the tiled GEMM, or for
  deep windows on few positions position by position, for the unpacked row dot
  products of :mod:`._dots`.

Both give the same values and the same counts (:func:`nnref.formulas.conv.conv`). In the
direct loop, every output element is a dot product over its taps (c, a, b, e) = (input
channel of its group, kernel depth, height, width index), taken in that order: the
first product initialises the accumulator, the others are added to it, and a bias is
added at the end, each operation counted where it happens.

Loop order: for a block of output positions along a row, for each tap, for each output
position of the block, for each output channel of the group:

    out[co, p] += x[c, tap(p)] · w[co, c, tap]

The innermost loop runs over output channels (weights transposed to put them last), so
it is contiguous and vectorises; each output element still sees exactly its own taps,
in the same order as the textbook loop. A task is one (batch, group, output depth,
output row, block of positions) and has its own counter row.

Padding: with dense padding the driver pads the input with zeros first, so
taps that land on padding are computed (a product with zero), exactly as im2col does.
With "skip" only the taps that land inside the input run; a window without any runs
nothing and keeps the bias (or 0) as its output.
"""
import functools

import numpy as np

from ._numba import ADD, MUL, NKINDS, njit, prange
from ._gemm import (BIAS_COL, BIAS_NONE, BIAS_ROW, DEEP, PACK_COST_CACHED, block_depth, few_rows,
                    gemm, gemm_tiled, matmul_nt, narrow_cols, pack, routes, task_grid,
                    tile_cols)
from ._im2col import im2col, im2col_t
from ._taps import inside, zero_pad

#: Bytes of output accumulators a task keeps hot (its block of positions × channels).
BLOCK_BYTES = 16384


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
        espan[j, 0], espan[j, 1] = inside(j * sw - pw, dw, W, KW)
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
        a_lo, a_hi = inside(od * sd - pd, dd, D, KD)
        b_lo, b_hi = inside(oh * sh - ph, dh, H, KH)
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


# -- im2col: windows read in place by the counted GEMM, or unrolled --------------------

#: Default size of the column buffer of :func:`conv_im2col`, in bytes (the setting is the
#: layers' ``column_buffer`` attribute, or the NNREF_COLUMN_BUFFER environment variable).
COLUMN_BUFFER = 32 << 20
#: Positions below which a deep convolution (K >= DEEP) multiplies by row dot products,
#: which read the weights as they are, rather than by the tiled GEMM, which packs them.
#: Measured side by side on ResNet-50's shapes (Zen 4, float32, ms): 49 positions, the
#: dot products won (512 → 512, 3 × 3, K = 4608: 2.26 against 2.90 in place; a 1 × 1
#: 1024 → 2048 of stride 2: 2.02 against 2.95); 196, the tiled GEMM won or tied (256 →
#: 256, 3 × 3: 2.18 in place against 2.44; a 1 × 1 1024 → 256: 0.97 against 1.01); 784,
#: it won by far (128 → 128, 3 × 3: 1.76 in place against 2.73).
FEW_POSITIONS = 100


@functools.lru_cache(maxsize=256)
def window_offsets(size, channels, ksize, stride, dilation, osize):
    """``(pos, taps)``: in a block of ``channels`` × ``size`` (D, H, W) elements (padding
    included), tap q = (c, a, b, e) of output position p = (od, oh, ow) is element
    ``pos[p] + taps[q]``. Both uint64 (so the GEMM's indexing has no negative-index
    check), positions and taps in C order, as im2col's rows and columns. Remembered for
    the shapes (tuples), as :func:`route` is (the kernels only read them)."""
    (D, H, W), (KD, KH, KW), (OD, OH, OW) = size, ksize, osize
    (sd, sh, sw), (dd, dh, dw) = stride, dilation
    pos = (np.arange(OD)[:, None, None] * sd * H + np.arange(OH)[:, None] * sh) * W + np.arange(OW) * sw
    taps = ((np.arange(channels)[:, None, None, None] * D + np.arange(KD)[:, None, None] * dd) * H
            + np.arange(KH)[:, None] * dh) * W + np.arange(KW) * dw
    return pos.reshape(-1).astype(np.uint64), taps.reshape(-1).astype(np.uint64)


@functools.lru_cache(maxsize=1024)
def route(K: int, P: int, cog: int, itemsize: int) -> str:
    """How :func:`conv_im2col` multiplies the weights by the windows of ``P`` positions
    over ``K`` taps onto ``cog`` output channels of a group:

    * ``"rows"``: unrolled position by position, ``(P, K)``, for
      :func:`._gemm.matmul_nt`: deep windows on fewer than FEW_POSITIONS, fewer
      positions than a tile has rows, and fewer channels than a panel has columns (or
      than 16, which a tile holds in registers when the reduction is one block);
    * ``"in place"``: :func:`windows_gemm`, the weights packed;
    * ``"taps"``: unrolled tap by tap, ``(K, P)``, for :func:`._gemm.gemm`, which can
      read both operands as they are and run the last few positions as dot products,
      when the GEMM's cost (:func:`._gemm.routes`) with the copy (PACK_COST_CACHED an
      element) is lower than in place. Measured side by side (ms): 196 positions
      (6 · 32 + 4), 256 → 256, 3 × 3: 1.81 against 1.94 in place; a 1 × 1 512 → 1024 of
      stride 2: 1.41 against 1.88; 169 (5 · 32 + 9) lost: 1.63 against 1.48, and the
      cost keeps them in place, as 784 and 3136.
    """
    if P < few_rows(itemsize) or K >= DEEP and P < FEW_POSITIONS:
        return "rows"
    narrow = cog >= narrow_cols(itemsize) and K <= block_depth(itemsize)
    if not (cog >= tile_cols(itemsize) or narrow):
        return "rows"
    place = routes(P, cog, K, False, True, itemsize)[0][0]  # windows_gemm: tiled, transposed
    taps = min(c for c, _ in routes(cog, P, K, False, False, itemsize)
               + routes(P, cog, K, True, True, itemsize)) + PACK_COST_CACHED * K * P
    return "taps" if taps < place else "in place"


def windows_gemm(xg, pos, taps, w, bias, bias_mode, out):
    """``out`` (Co, P) = ``w`` (Co, K) times the windows of ``xg`` (C, D, H, W), zero
    padding included (``pos``, ``taps``: :func:`window_offsets`), read in place: the tiled
    GEMM's transposed product ``outᵀ = cols · wᵀ`` with the element (p, q) of ``cols`` at
    ``pos[p] + taps[q]`` of the input, so no column matrix is written; ``w`` is packed
    into panels. Same operations, order and counts as the unrolled windows through
    :func:`._gemm.gemm`. Returns the counter table."""
    (Co, K), P = w.shape, pos.shape[0]
    most = block_depth(out.itemsize)
    kb = -(-K // -(-K // most))  # equal blocks, as gemm's
    mode = BIAS_COL if bias_mode == BIAS_ROW else bias_mode  # the product is transposed
    wp = pack(w, False, Co, K, tile_cols(out.itemsize), kb)
    return gemm_tiled(xg.reshape(-1), pos, taps, wp, 0, K, kb, bias, mode, out, 0, True, P, Co,
                      *task_grid(P, Co, out.itemsize))


def conv_im2col(x, w, bias, stride, padding, dilation, groups, out, column_buffer=COLUMN_BUFFER):
    """Convolution of 3-D operands into ``out`` (N, Co, OD, OH, OW); returns the counter table.

    ``x`` (N, C, D, H, W), ``w`` (Co, C/groups, KD, KH, KW), ``bias`` (Co,) or None. For
    each (batch element, group), the counted GEMM multiplies the weights by the column
    matrix of the windows, straight into ``out``, by the :func:`route` for the shapes:
    the windows read in place from the (zero-padded) input (:func:`windows_gemm`), or
    those of as many output rows as fit in ``column_buffer`` bytes (at least one row)
    unrolled (:mod:`._im2col`), tap by tap or position by position, and multiplied a
    chunk at a time. A 1×1 convolution with stride 1 and no padding needs neither: its
    input is already the column matrix. The route, the chunks and the GEMM's tasks depend only on the shapes and the buffer
    size, never on the thread count; every route gives the same counts.
    """
    N, C = x.shape[:2]
    Co, Cg = w.shape[:2]
    ksize = tuple(w.shape[2:])
    osize = tuple(out.shape[2:])
    K = Cg * ksize[0] * ksize[1] * ksize[2]
    P = osize[0] * osize[1] * osize[2]
    cog = Co // groups
    wm = w.reshape(Co, K)
    mode = BIAS_NONE if bias is None else BIAS_ROW
    b = np.zeros(Co, x.dtype) if bias is None else bias
    flat = out.reshape(N, Co, P)
    if not np.shares_memory(flat, out):
        raise ValueError("out must be C-contiguous")  # a copy would drop the results
    geometry = (ksize, tuple(stride), tuple(padding), tuple(dilation), osize)
    direct = K == Cg and all(s == 1 for s in stride) and not any(padding) and x.shape[2:] == osize
    how = "direct" if direct else route(K, P, cog, x.itemsize)
    if how == "in place":
        x = zero_pad(x, padding)
        pos, taps = window_offsets(x.shape[2:], Cg, ksize, tuple(stride), tuple(dilation), osize)
    rows = osize[0] * osize[1]  # output rows (od, oh), each of OW positions
    chunk = min(rows, max(1, column_buffer // (osize[2] * K * x.itemsize)))
    cols = np.empty(chunk * osize[2] * K, x.dtype) if how in ("rows", "taps") else None
    tables = []
    for n in range(N):
        for g in range(groups):
            o, wg, bg = flat[n, g * cog:(g + 1) * cog], wm[g * cog:(g + 1) * cog], b[g * cog:(g + 1) * cog]
            xg = x[n, g * Cg:(g + 1) * Cg]
            if direct and (K >= DEEP and P < FEW_POSITIONS or P < few_rows(x.itemsize)):
                # a deep 1×1 on few positions, or on fewer than a tile has rows (a
                # matrix times vectors): the input transposed (a copy) for the row dot
                # products
                tables.append(matmul_nt(wg, np.ascontiguousarray(xg.reshape(Cg, P).T), bg, mode, o))
            elif direct:
                tables.append(gemm(wg, xg.reshape(Cg, P), bg, mode, o))
            elif how == "in place":
                tables.append(windows_gemm(xg, pos, taps, wg, bg, mode, o))
            else:
                for r0 in range(0, rows, chunk):
                    r1 = min(r0 + chunk, rows)
                    span = (r1 - r0) * osize[2]
                    if how == "taps":
                        c = cols[:span * K].reshape(K, span)  # taps × positions
                        im2col_t(x, n, g * Cg, *geometry, r0, r1, c)
                        tables.append(gemm(wg, c, bg, mode, o, r0 * osize[2]))
                    else:
                        c = cols[:span * K].reshape(span, K)  # positions × taps
                        im2col(x, n, g * Cg, *geometry, r0, r1, c)
                        tables.append(matmul_nt(wg, c, bg, mode, o, r0 * osize[2]))
    return np.concatenate(tables)
