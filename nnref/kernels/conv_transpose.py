"""Counted transposed convolution, written once for 3-D (N, C, D, H, W), in two algorithms.

Along each axis, input ``j`` reaches position ``f = j·s + m·d`` of the full output through
tap ``m``. Both algorithms accumulate the products into a buffer of output positions and
then crop it (:func:`crop`): with dense padding the buffer is the full output
``[0, L)``, ``L = max((i − 1)·s + d·(k − 1) + 1, p + o)``, and output ``j`` is buffer
position ``j + p``; with "skip" (naive only) the buffer is the output itself and products
landing on the cropped padding are not computed.

* :func:`conv_transpose_naive`: the textbook scatter, each input element times each tap,
  accumulated into its position (:func:`scatter`);
* :func:`conv_transpose_col2im`: per (batch element, group), the counted GEMM
  ``cols[(co, m), j] = Σ_ci w[ci, co, m]·x[ci, j]`` (every input element times every tap,
  :mod:`._gemm`), then col2im sums, for each buffer position, the columns that reach it
  (:func:`gather_rows`).

In both, the first value written to a buffer position initialises it and every later
one is added; the bias is then added to each output some tap reaches, and an output no
tap reaches is the bias (or 0), with nothing executed. The two give the same counts
(:func:`nnref.formulas.conv_transpose.conv_transpose`). A task is one (batch, output
channel) plane of the scatter, one block of buffer rows of col2im, one (batch, group)
pair when there are many, or one output row of the crop: chosen from the shapes.
"""
import numpy as np

from ._numba import ADD, MUL, NKINDS, njit, prange
from ._gemm import BIAS_NONE, gemm_block, gemm_nt
from ._taps import inside

#: Buffer rows (one (channel, depth, height) each) per col2im task.
ROWS = 8
#: With at least this many (batch element, group) pairs, each pair is one task.
MIN_PAIRS_PER_CALL = 8


@njit(parallel=True)
def scatter(x, w, groups, stride, dilation, origin, buf, seen):
    """Scatter ``x`` (N, Cin, ID, IH, IW) through ``w`` (Cin, Co/g, KD, KH, KW) into ``buf``.

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
    return counts


@njit(parallel=True)
def crop(buf, reach_d, reach_h, reach_w, shift, bias, has_bias, out):
    """``out[n, co, o] = buf[n, co, o + shift]`` (+ bias, counted) where some tap reaches it,
    else the bias (or 0). ``reach_*``: per buffer position of each axis, whether a tap
    reaches it. One task per (n, co, output depth)."""
    N, Co, OD, OH, OW = out.shape
    ntask = N * Co * OD
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        r, od = t // OD, t % OD
        n, co = r // Co, r % Co
        fd = od + shift[0]
        bv = bias[co]
        nadd = 0
        for oh in range(OH):
            fh = oh + shift[1]
            live = reach_d[fd] and reach_h[fh]
            o = out[n, co, od, oh]
            for ow in range(OW):
                fw = ow + shift[2]
                if live and reach_w[fw]:
                    v = buf[n, co, fd, fh, fw]
                    if has_bias:
                        v = v + bv
                        nadd += 1
                    o[ow] = v
                else:  # no tap reaches it: the bias, or 0
                    o[ow] = bv
        counts[t, ADD] = nadd
    return counts


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
    rows = scatter(x, np.ascontiguousarray(w), groups, tuple(stride), tuple(dilation), origin,
                   buf, seen)
    return np.concatenate([rows, _crop(buf, reach, shift, bias, out)])


def _crop(buf, reach, shift, bias, out):
    b = np.zeros(out.shape[1], buf.dtype) if bias is None else bias
    return crop(buf, *reach, shift, b, bias is not None, out)


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


@njit(parallel=True)
def col2im(cols, pd, ph, pw, buf):
    """All buffer rows of one group, ``ROWS`` rows per task; returns the counter table."""
    nrows = buf.shape[0] * buf.shape[1] * buf.shape[2]
    ntask = (nrows + ROWS - 1) // ROWS
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        gather_rows(cols, pd, ph, pw, buf, t * ROWS, min(nrows, (t + 1) * ROWS), counts[t])
    return counts


@njit(parallel=True)
def pairs_col2im(x, wm, ksize, isize, pd, ph, pw, groups, buf):
    """The whole GEMM + col2im with one task per (batch element, group), serial inside.

    ``x`` (N, Cin, P) flat input of spatial sizes ``isize``; ``wm`` (groups, M, Cin/g) with
    M = (Co/g)·∏k, each group's weights with the input channels last; ``buf`` (N, Co, LD,
    LH, LW). Returns the counter table, one row per (n, g).
    """
    N, Cin, P = x.shape
    M, cg = wm.shape[1], wm.shape[2]
    cog = buf.shape[1] // groups
    shape = (cog, ksize[0], ksize[1], ksize[2], isize[0], isize[1], isize[2])
    nrows = cog * buf.shape[2] * buf.shape[3]
    no_bias = np.zeros(0, x.dtype)
    counts = np.zeros((max(N * groups, 1), NKINDS), np.int64)
    for t in prange(N * groups):
        n, g = t // groups, t % groups
        xt = np.empty((P, cg), x.dtype)  # the group's input, channels last (a copy)
        for c in range(cg):
            for p in range(P):
                xt[p, c] = x[n, g * cg + c, p]
        cols = np.empty((M, P), x.dtype)
        gemm_block(wm[g], xt, no_bias, BIAS_NONE, cols, 0, M, 0, P, counts[t])
        gather_rows(cols.reshape(shape), pd, ph, pw, buf[n, g * cog:(g + 1) * cog], 0, nrows,
                    counts[t])
    return counts


def conv_transpose_col2im(x, w, bias, stride, padding, dilation, groups, out):
    """Transposed convolution of 3-D operands into ``out`` (N, Co, OD, OH, OW): GEMM, col2im.

    ``x`` (N, Cin, D, H, W), ``w`` (Cin, Co/groups, KD, KH, KW), ``bias`` (Co,) or None.
    Copies and transposes here are not arithmetic. Returns the counter table; the task
    split depends only on the shapes.
    """
    N, Cin = x.shape[:2]
    cog, ksize, isize = w.shape[1], tuple(w.shape[2:]), tuple(x.shape[2:])
    cg, P, M = Cin // groups, int(np.prod(isize)), cog * int(np.prod(ksize))
    _, shift, lengths, reach = _geometry(x, w, stride, padding, dilation, out, False)
    pairs = tuple(axis_pairs(i, k, s, d, n) for i, k, s, d, n in
                  zip(isize, ksize, stride, dilation, lengths, strict=True))
    wm = np.ascontiguousarray(w.reshape(groups, cg, M).transpose(0, 2, 1))
    buf = np.empty(out.shape[:2] + lengths, x.dtype)
    tables = []
    if N * groups >= MIN_PAIRS_PER_CALL:
        tables.append(pairs_col2im(x.reshape(N, Cin, P), wm, ksize, isize, *pairs, groups, buf))
    else:
        cols = np.empty((M, P), x.dtype)
        for n in range(N):
            for g in range(groups):
                xt = np.ascontiguousarray(x[n, g * cg:(g + 1) * cg].reshape(cg, P).T)
                tables.append(gemm_nt(wm[g], xt, np.zeros(0, x.dtype), BIAS_NONE, cols))
                tables.append(col2im(cols.reshape((cog,) + ksize + isize), *pairs,
                                     buf[n, g * cog:(g + 1) * cog]))
    tables.append(_crop(buf, reach, shift, bias, out))
    return np.concatenate(tables)
