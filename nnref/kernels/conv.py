"""Counted convolution, written once for 3-D (N, C, D, H, W), in two algorithms.

* :func:`conv_naive`: the direct loop over output elements and taps (below);
* :func:`conv_im2col`: windows unrolled into rows (:mod:`._im2col`), a bounded chunk at
  a time, then the counted GEMM (:mod:`._gemm`, or for deep windows the unpacked row
  dot products of :mod:`._dots`), per (batch element, group).

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
import numpy as np

from ._numba import ADD, MUL, NKINDS, njit, prange
from ._dots import DEEP, MANY, matmul_nt
from ._gemm import BIAS_NONE, BIAS_ROW, gemm, tile_rows
from ._im2col import im2col
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


# -- im2col: windows unrolled into rows, then the counted GEMM --------------------------

#: Default size of the column buffer of :func:`conv_im2col`, in bytes (the setting is the
#: layers' ``column_buffer`` attribute, or the NNREF_COLUMN_BUFFER environment variable).
COLUMN_BUFFER = 32 << 20


def conv_im2col(x, w, bias, stride, padding, dilation, groups, out, column_buffer=COLUMN_BUFFER):
    """Convolution of 3-D operands into ``out`` (N, Co, OD, OH, OW); returns the counter table.

    ``x`` (N, C, D, H, W), ``w`` (Co, C/groups, KD, KH, KW), ``bias`` (Co,) or None. For
    each (batch element, group), the windows of as many output rows as fit in
    ``column_buffer`` bytes (at least one row) are unrolled, then multiplied by the
    weights with the counted GEMM straight into ``out``. A 1×1 convolution with stride 1
    and no padding needs no unrolling: its input is already the column matrix. The chunks
    and the GEMM's tasks depend only on the shapes and the buffer size, never on the
    thread count.
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
    rows = osize[0] * osize[1]  # output rows (od, oh), each of OW positions
    chunk = min(rows, max(1, column_buffer // (osize[2] * K * x.itemsize)))
    cols = None if direct else np.empty(chunk * osize[2] * K, x.dtype)
    tables = []
    for n in range(N):
        for g in range(groups):
            o, wg, bg = flat[n, g * cog:(g + 1) * cog], wm[g * cog:(g + 1) * cog], b[g * cog:(g + 1) * cog]
            few = P < tile_rows(x.itemsize)  # fewer positions than a tile has rows
            if direct and (K >= DEEP and cog * P < MANY or few):  # a deep 1×1 onto few
                # outputs, or on a few positions (a matrix times vectors): the input
                # transposed (a copy) for the row dot products of matmul_nt
                xt = np.ascontiguousarray(x[n, g * Cg:(g + 1) * Cg].reshape(Cg, P).T)
                tables.append(matmul_nt(wg, xt, bg, mode, o))
                continue
            if direct:
                tables.append(gemm(wg, x[n, g * Cg:(g + 1) * Cg].reshape(Cg, P), bg, mode, o))
                continue
            for r0 in range(0, rows, chunk):
                r1 = min(r0 + chunk, rows)
                span = (r1 - r0) * osize[2]
                c = cols[:span * K].reshape(span, K)  # positions × taps
                im2col(x, n, g * Cg, *geometry, r0, r1, c)
                tables.append(matmul_nt(wg, c, bg, mode, o, r0 * osize[2]))
    return np.concatenate(tables)
