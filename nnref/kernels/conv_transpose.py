"""Counted transposed convolution, written once for 3-D (N, C, D, H, W), in two algorithms.

Along each axis, input ``j`` reaches position ``f = j·s + m·d`` of the full output through
tap ``m``. Both algorithms accumulate the products into a buffer of output positions and
then crop it (:func:`crop_planes`): with dense padding the buffer is the full output
``[0, L)``, ``L = max((i − 1)·s + d·(k − 1) + 1, p + o)``, and output ``j`` is buffer
position ``j + p``; with "skip" (naive only) the buffer is the output itself and products
landing on the cropped padding are not computed.

* :func:`conv_transpose_naive`: the textbook scatter, each input element times each tap,
  accumulated into its position (:func:`scatter`);
* :func:`conv_transpose_col2im`: the counted GEMM ``cols[(co, m), j] = Σ_ci w[ci, co, m]·x[ci, j]``
  (every input element times every tap, :mod:`._gemm`), then col2im sums, for each buffer
  position, the columns that reach it (:func:`gather_rows`), in one kernel
  (:func:`gemm_col2im`).

In both, the first value written to a buffer position initialises it and every later
one is added; the bias is then added to each output some tap reaches, and an output no
tap reaches is the bias (or 0), with nothing executed. The two give the same counts
(:func:`nnref.formulas.conv_transpose.conv_transpose`). A task is one (batch, output
channel) plane of the scatter and of its crop, or one (batch, group, block of output
channels) of the GEMM + col2im + crop, the block chosen from the shapes.
"""
import numpy as np

from ._numba import ADD, MUL, NKINDS, njit, prange
from ._gemm import BIAS_NONE, gemm_block, gemm_nt
from ._taps import inside

#: Columns of the GEMM per call of its core, so that they stay in cache.
COLS = 64
#: The most elements of columns (output channels × taps × input positions) a task holds.
COLUMN_ELEMENTS = 1 << 20
#: Multiplications of a task's GEMM from which it runs through the tiled GEMM
#: (:func:`._gemm.gemm_nt`) rather than as dot products inside :func:`gemm_col2im`.
TILED = 1 << 16


@njit(parallel=True)
def scatter(x, w, groups, stride, dilation, origin, buf, seen, reach, shift, bias, has_bias,
            out):
    """Scatter ``x`` (N, Cin, ID, IH, IW) through ``w`` (Cin, Co/g, KD, KH, KW) into ``buf``,
    then crop ``buf`` into ``out`` (:func:`crop_planes`).

    Full position ``f`` is ``buf[n, co, f − origin]``; products landing outside ``buf``
    are skipped. ``seen`` (zeros, the shape of ``buf``) marks written positions. One task
    (and counter row) per (n, co) plane.
    """
    N, Cin, ID, IH, IW = x.shape
    cog, KD, KH, KW = w.shape[1], w.shape[2], w.shape[3], w.shape[4]
    Co, LD, LH, LW = buf.shape[1], buf.shape[2], buf.shape[3], buf.shape[4]
    cg = Cin // groups
    sd, sh, sw = stride
    dd, dh, dw = dilation
    zd, zh, zw = origin
    counts = np.zeros((max(N * Co, 1), NKINDS), np.int64)
    for t in prange(N * Co):
        n, co = t // Co, t % Co
        g, c = co // cog, co % cog
        plane, mark = buf[n, co], seen[n, co]
        nmul = 0
        nadd = 0
        for ci in range(g * cg, (g + 1) * cg):
            for a in range(KD):
                d_lo, d_hi = inside(a * dd - zd, sd, LD, ID)
                for b in range(KH):
                    h_lo, h_hi = inside(b * dh - zh, sh, LH, IH)
                    for e in range(KW):
                        w_lo, w_hi = inside(e * dw - zw, sw, LW, IW)
                        wv = w[ci, c, a, b, e]
                        for jd in range(d_lo, d_hi):
                            fd = jd * sd + a * dd - zd
                            for jh in range(h_lo, h_hi):
                                fh = jh * sh + b * dh - zh
                                xrow = x[n, ci, jd, jh]
                                prow, mrow = plane[fd, fh], mark[fd, fh]
                                for jw in range(w_lo, w_hi):
                                    fw = jw * sw + e * dw - zw
                                    v = xrow[jw] * wv
                                    nmul += 1
                                    if mrow[fw]:
                                        prow[fw] += v
                                        nadd += 1
                                    else:  # the first write initialises
                                        prow[fw] = v
                                        mrow[fw] = True
        counts[t, MUL] = nmul
        counts[t, ADD] = nadd
        crop_planes(buf[n, co:co + 1], reach[0], reach[1], reach[2], shift, bias[co:co + 1],
                    has_bias, out[n, co:co + 1], counts[t])
    return counts


@njit
def crop_planes(buf, reach_d, reach_h, reach_w, shift, bias, has_bias, out, row):
    """``out[c, o] = buf[c, o + shift]`` (+ ``bias[c]``, counted in ``row``) for every plane c
    where some tap reaches o, else the bias (or 0). ``reach_*``: per buffer position of each
    axis, whether a tap reaches it."""
    C, OD, OH, OW = out.shape
    nadd = 0
    for c in range(C):
        bv = bias[c]
        for od in range(OD):
            fd = od + shift[0]
            for oh in range(OH):
                fh = oh + shift[1]
                live = reach_d[fd] and reach_h[fh]
                o = out[c, od, oh]
                src = buf[c, fd, fh]
                for ow in range(OW):
                    fw = ow + shift[2]
                    if live and reach_w[fw]:
                        v = src[fw]
                        if has_bias:
                            v = v + bv
                            nadd += 1
                        o[ow] = v
                    else:  # no tap reaches it: the bias, or 0
                        o[ow] = bv
    row[ADD] += nadd


def _geometry(x, w, stride, padding, dilation, out, skip):
    """Buffer origin and lengths, crop shift and per-axis reach of the buffer positions."""
    origin, shift, lengths, reach = [], [], [], []
    for i, k, s, p, d, o in zip(x.shape[2:], w.shape[2:], stride, padding, dilation,
                                out.shape[2:], strict=True):
        full = (i - 1) * s + d * (k - 1) + 1
        z, length = (p, o) if skip else (0, max(full, p + o))
        hit = np.zeros(length, np.bool_)
        f = (np.arange(i)[None, :] * s + np.arange(k)[:, None] * d).ravel() - z
        hit[f[(f >= 0) & (f < length)]] = True
        origin.append(z)
        shift.append(p - z)
        lengths.append(length)
        reach.append(hit)
    return tuple(origin), tuple(shift), tuple(lengths), reach


def conv_transpose_naive(x, w, bias, stride, padding, dilation, groups, skip, out):
    """Transposed convolution of 3-D operands into ``out`` (N, Co, OD, OH, OW) by the scatter.

    ``x`` (N, Cin, D, H, W), ``w`` (Cin, Co/groups, KD, KH, KW), ``bias`` (Co,) or None.
    ``skip``: products landing on the cropped padding are not computed. Returns the
    counter table.
    """
    origin, shift, lengths, reach = _geometry(x, w, stride, padding, dilation, out, skip)
    buf = np.empty(out.shape[:2] + lengths, x.dtype)
    seen = np.zeros(buf.shape, np.bool_)
    b = np.zeros(out.shape[1], x.dtype) if bias is None else bias
    return scatter(x, np.ascontiguousarray(w), groups, tuple(stride), tuple(dilation), origin,
                   buf, seen, tuple(reach), shift, b, bias is not None, out)


# -- GEMM, then col2im ----------------------------------------------------------------------

def axis_pairs(i, k, s, d, length):
    """Per buffer position ``f < length``: the (tap m, input j) pairs with ``j·s + m·d = f``,
    as CSR: ``start`` (length + 1,) and ``pairs`` (E, 2), ordered by f, then m."""
    m = np.repeat(np.arange(k), i)
    j = np.tile(np.arange(i), k)
    f = j * s + m * d
    order = np.lexsort((m, f))
    start = np.zeros(length + 1, np.int64)
    np.cumsum(np.bincount(f, minlength=length), out=start[1:])
    return start, np.ascontiguousarray(np.stack([m[order], j[order]], axis=1))


@njit
def gather_rows(cols, pd, ph, pw, buf, r0, r1, row):
    """Buffer rows ``r0 … r1 − 1`` (r = (co, fd, fh)) of one group: each position the sum of
    the columns ``cols[co, a, b, e, jd, jh, jw]`` that reach it; adds counted in ``row``."""
    sd, md = pd
    sh, mh = ph
    sw, mw = pw
    LD, LH, LW = buf.shape[1], buf.shape[2], buf.shape[3]
    nadd = 0
    for r in range(r0, r1):
        co, fd, fh = r // (LD * LH), (r // LH) % LD, r % LH
        if sd[fd] == sd[fd + 1] or sh[fh] == sh[fh + 1]:
            continue  # no tap reaches this row
        brow = buf[co, fd, fh]
        for fw in range(LW):
            first = True
            acc = brow[fw]
            for u in range(sd[fd], sd[fd + 1]):
                a, jd = md[u, 0], md[u, 1]
                for v in range(sh[fh], sh[fh + 1]):
                    b, jh = mh[v, 0], mh[v, 1]
                    for q in range(sw[fw], sw[fw + 1]):
                        val = cols[co, a, b, mw[q, 0], jd, jh, mw[q, 1]]
                        if first:  # the first column initialises
                            acc = val
                            first = False
                        else:
                            acc += val
                            nadd += 1
            if not first:
                brow[fw] = acc
    row[ADD] += nadd


@njit
def transpose(src, dst):
    """``dst[b] = src[b]ᵀ`` for (B, R, C) → (B, C, R), in 32 × 32 tiles: a copy, no arithmetic
    (serial: one thread start less per call)."""
    B, R, C = src.shape
    for b in range(B):
        for r0 in range(0, R, 32):
            for c0 in range(0, C, 32):
                for r in range(r0, min(r0 + 32, R)):
                    for c in range(c0, min(c0 + 32, C)):
                        dst[b, c, r] = src[b, r, c]


@njit(parallel=True)
def gemm_col2im(xt, wm, groups, ksize, isize, pd, ph, pw, reach, shift, bias, has_bias, block,
                buf, out):
    """The GEMM, col2im and crop of every (batch element, group, block of output channels).

    ``xt`` (N·groups, P, Cin/g): each group's input, channels last; ``wm`` (groups, M,
    Cin/g), M = (Co/g)·∏k: each group's weights, input channels last; ``block`` output
    channels per task; ``buf`` (N, Co, LD, LH, LW) and ``out`` (N, Co, OD, OH, OW). A task
    computes its channels' columns ``cols[(co, m), j]`` (counted GEMM, ``COLS`` columns at a
    time), gathers them into ``buf`` and crops ``buf`` into ``out``. Returns the counter table.
    """
    NG, P, cg = xt.shape
    M = wm.shape[1]
    KD, KH, KW = ksize
    taps = KD * KH * KW
    cog = M // taps
    nb = (cog + block - 1) // block
    no_bias = np.zeros(0, xt.dtype)
    rows_per = buf.shape[2] * buf.shape[3]
    counts = np.zeros((max(NG * nb, 1), NKINDS), np.int64)
    for t in prange(NG * nb):
        pair, b = t // nb, t % nb
        n, g = pair // groups, pair % groups
        c0, c1 = b * block, min(cog, (b + 1) * block)
        cols = np.empty(((c1 - c0) * taps, P), xt.dtype)
        w = wm[g, c0 * taps:c1 * taps]
        for j0 in range(0, P, COLS):
            gemm_block(w, xt[pair], no_bias, BIAS_NONE, cols, 0, cols.shape[0], j0,
                       min(j0 + COLS, P), counts[t])
        lo, hi = g * cog + c0, g * cog + c1
        shape = (c1 - c0, KD, KH, KW, isize[0], isize[1], isize[2])
        gather_rows(cols.reshape(shape), pd, ph, pw, buf[n, lo:hi], 0, (c1 - c0) * rows_per,
                    counts[t])
        crop_planes(buf[n, lo:hi], reach[0], reach[1], reach[2], shift, bias[lo:hi], has_bias,
                    out[n, lo:hi], counts[t])
    return counts


def channels_last(a, groups):
    """``a`` (B, groups·c, L) as (B·groups, L, c), contiguous (a copy, not arithmetic)."""
    b, c, length = a.shape
    src = np.ascontiguousarray(a).reshape(b * groups, c // groups, length)
    dst = np.empty((b * groups, length, c // groups), a.dtype)
    transpose(src, dst)
    return dst


def conv_transpose_col2im(x, w, bias, stride, padding, dilation, groups, out):
    """Transposed convolution of 3-D operands into ``out`` (N, Co, OD, OH, OW): GEMM, col2im.

    ``x`` (N, Cin, D, H, W), ``w`` (Cin, Co/groups, KD, KH, KW), ``bias`` (Co,) or None.
    Copies and transposes here are not arithmetic. Returns the counter table; the task
    split (``block`` output channels per task) depends only on the shapes.
    """
    N, Cin = x.shape[:2]
    cog, ksize, isize = w.shape[1], tuple(w.shape[2:]), tuple(x.shape[2:])
    P, M = int(np.prod(isize)), cog * int(np.prod(ksize))
    _, shift, lengths, reach = _geometry(x, w, stride, padding, dilation, out, False)
    pairs = tuple(axis_pairs(i, k, s, d, n) for i, k, s, d, n in
                  zip(isize, ksize, stride, dilation, lengths, strict=True))
    wm = channels_last(w.reshape(1, Cin, M), groups)  # (groups, M, Cin/g)
    xt = channels_last(x.reshape(N, Cin, P), groups)  # (N·groups, P, Cin/g)
    block = max(1, min(cog, COLUMN_ELEMENTS // (M // cog * P)))
    buf = np.empty(out.shape[:2] + lengths, x.dtype)
    b = np.zeros(out.shape[1], x.dtype) if bias is None else bias
    args = (groups, ksize, isize, *pairs, tuple(reach), shift, b, bias is not None, block, buf,
            out)
    if block * M // cog * P * (Cin // groups) < TILED:  # small tasks: all in one kernel
        return gemm_col2im(xt, wm, *args)
    return tiled_col2im(xt, wm, *args)


def tiled_col2im(xt, wm, groups, ksize, isize, pd, ph, pw, reach, shift, bias, has_bias, block,
                 buf, out):
    """:func:`gemm_col2im` with each task's GEMM through the tiled GEMM, its col2im and crop
    in :func:`col2im_crop`: the same tasks, values and counts."""
    NG, P, cg = xt.shape
    taps = int(np.prod(ksize))
    cog = wm.shape[1] // taps
    none, tables = np.zeros(0, xt.dtype), []
    for t in range((NG * ((cog + block - 1) // block))):
        pair, b = divmod(t, (cog + block - 1) // block)
        n, g = divmod(pair, groups)
        c0, c1 = b * block, min(cog, (b + 1) * block)
        cols = np.empty(((c1 - c0) * taps, P), xt.dtype)
        tables.append(gemm_nt(wm[g, c0 * taps:c1 * taps], xt[pair], none, BIAS_NONE, cols))
        lo, hi = g * cog + c0, g * cog + c1
        row = np.zeros((1, NKINDS), np.int64)
        col2im_crop(cols.reshape((c1 - c0,) + tuple(ksize) + tuple(isize)), pd, ph, pw,
                    buf[n, lo:hi], reach, shift, bias[lo:hi], has_bias, out[n, lo:hi], row[0])
        tables.append(row)
    return np.concatenate(tables)


@njit
def col2im_crop(cols, pd, ph, pw, buf, reach, shift, bias, has_bias, out, row):
    """The col2im (:func:`gather_rows`) and crop (:func:`crop_planes`) of one task's columns."""
    gather_rows(cols, pd, ph, pw, buf, 0, cols.shape[0] * buf.shape[1] * buf.shape[2], row)
    crop_planes(buf, reach[0], reach[1], reach[2], shift, bias, has_bias, out, row)
