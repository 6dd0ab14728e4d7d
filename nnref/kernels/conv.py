"""Counted direct ("naive") convolution, written once for 3-D (N, C, D, H, W).

Every output element is a dot product over its taps (c, a, b, e) = (input channel of
its group, kernel depth, height, width index), taken in that order: the first product
initialises the accumulator (mul 1), each further tap does mul 1 and add 1, and a bias
adds 1 add at the end.

The loop over taps and the loop along an output row are interchanged so the innermost
loop runs along the row (``out[..., j] += w·x[..., j·s + e·d − p]``) and vectorises; each
output element still sees exactly its own taps, in the same order. A task is one
(batch, output channel, output depth) plane, with its own counter row.

Padding: with ``padding_mode="dense"`` the driver pads the input with zeros first, so
taps that land on padding are computed (a product with zero), exactly as im2col does.
With ``"skip"`` only the taps that land inside the input run; a window without any does
no arithmetic at all and its output is the bias (or 0).
"""
import numpy as np

from ._numba import ADD, MUL, NKINDS, njit, prange


@njit(inline="always")
def _inside(base, step, size, n):
    """The range ``[lo, hi)`` of ``m`` in ``[0, n)`` with ``0 <= base + m·step < size``.

    ``lo`` is the first ``m`` with ``base + m·step >= 0`` (clipped to ``n``) even when
    the range is empty, which :func:`_row_taps` relies on.
    """
    lo = 0 if base >= 0 else (step - 1 - base) // step
    lo = min(lo, n)
    last = size - 1 - base
    hi = 0 if last < 0 else min(n, last // step + 1)
    return lo, max(hi, lo)


@njit(inline="always")
def _mul_row(o, x, w, lo, hi, start, step):
    """``o[j] = w·x[start + j·step]`` for j in [lo, hi); returns the number of muls.

    Indexing views from 0 lets LLVM see non-negative indices (no wraparound) and vectorise.
    """
    nmul = 0
    if hi > lo:
        ov = o[lo:hi]
        if step == 1:
            xv = x[start + lo:start + hi]
            for j in range(hi - lo):
                ov[j] = w * xv[j]
                nmul += 1
        else:
            xs = x[start + lo * step::step]
            for j in range(hi - lo):
                ov[j] = w * xs[j]
                nmul += 1
    return nmul


@njit(inline="always")
def _fma_row(o, x, w, lo, hi, start, step):
    """``o[j] += w·x[start + j·step]`` for j in [lo, hi); returns the number of mul/add pairs."""
    n = 0
    if hi > lo:
        ov = o[lo:hi]
        if step == 1:
            xv = x[start + lo:start + hi]
            for j in range(hi - lo):
                ov[j] += w * xv[j]
                n += 1
        else:
            xs = x[start + lo * step::step]
            for j in range(hi - lo):
                ov[j] += w * xs[j]
                n += 1
    return n


@njit
def row_spans(kw, pad, step, dil, width, ow):
    """Per kernel column e, the output ranges along a row where its tap is in bounds.

    Returns an int64 table (kw, 6): ``lo, hi`` (tap e in bounds), then ``lo, mid`` and
    ``mid, hi``: the outputs for which e is the *first* in-bound tap (initialised by it)
    and those that already had one (accumulated). Taps in bounds for output j form a
    contiguous run of e, so e is j's first exactly when tap e − 1 falls left of the
    input, i.e. when j < lo(e − 1).
    """
    spans = np.empty((kw, 6), np.int64)
    prev = ow
    for e in range(kw):
        lo, hi = _inside(e * dil - pad, step, width, ow)
        mid = max(lo, min(hi, prev))
        spans[e, 0], spans[e, 1], spans[e, 2], spans[e, 3], spans[e, 4], spans[e, 5] = (
            lo, hi, lo, mid, mid, hi)
        prev = lo
    return spans


@njit(inline="always")
def _row_taps(orow, xrow, wrow, first, spans, pad, step, dil):
    """Apply kernel row ``wrow`` (taps e), read from ``xrow``, to output row ``orow``.

    With ``first`` set, each output's first in-bound tap initialises it (see
    :func:`row_spans`). Returns (mul, add).
    """
    nmul = 0
    nadd = 0
    for e in range(wrow.shape[0]):
        start = e * dil - pad
        if first:
            nmul += _mul_row(orow, xrow, wrow[e], spans[e, 2], spans[e, 3], start, step)
            m = _fma_row(orow, xrow, wrow[e], spans[e, 4], spans[e, 5], start, step)
        else:
            m = _fma_row(orow, xrow, wrow[e], spans[e, 0], spans[e, 1], start, step)
        nmul += m
        nadd += m
    return nmul, nadd


@njit(inline="always")
def _row_bias(orow, bval, spans):
    """Add the bias to the outputs of a row that had at least one tap; returns the adds."""
    nadd = 0
    for e in range(spans.shape[0]):
        for j in range(spans[e, 2], spans[e, 3]):  # each tapped j is initialised by one e
            orow[j] += bval
            nadd += 1
    return nadd


@njit(parallel=True)
def direct(x, w, bias, has_bias, stride, padding, dilation, groups, out):
    """Fill ``out`` with the convolution of ``x`` and ``w``; return the counter table.

    ``x`` (N, C, D, H, W), ``w`` (Co, C/groups, KD, KH, KW), ``bias`` (Co,) (zeros
    unless ``has_bias``), ``out`` (N, Co, OD, OH, OW). Taps outside ``x`` are skipped, so
    pass an already zero-padded ``x`` and zero ``padding`` for dense padding.
    """
    N, _, D, H, W = x.shape
    Co, Cg, KD, KH, KW = w.shape
    OD, OH = out.shape[2], out.shape[3]
    sd, sh, sw = stride
    pd, ph, pw = padding
    dd, dh, dw = dilation
    cog = Co // groups
    spans = row_spans(KW, pw, sw, dw, W, out.shape[4])
    ntask = N * Co * OD
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        n = t // (Co * OD)
        co = (t // OD) % Co
        od = t % OD
        c0 = (co // cog) * Cg
        bval = bias[co]
        nmul = 0
        nadd = 0
        a_lo, a_hi = _inside(od * sd - pd, dd, D, KD)
        for oh in range(OH):
            orow = out[n, co, od, oh]
            orow[:] = bval  # the bias (zeros if none): what outputs without a tap keep
            b_lo, b_hi = _inside(oh * sh - ph, dh, H, KH)
            if a_lo == a_hi or b_lo == b_hi:
                continue
            first = True
            for c in range(Cg):
                for a in range(a_lo, a_hi):
                    for b in range(b_lo, b_hi):
                        xrow = x[n, c0 + c, od * sd - pd + a * dd, oh * sh - ph + b * dh]
                        m, s = _row_taps(orow, xrow, w[co, c, a, b], first, spans, pw, sw, dw)
                        nmul += m
                        nadd += s
                        first = False
            if has_bias:
                nadd += _row_bias(orow, bval, spans)
        counts[t, MUL] = nmul
        counts[t, ADD] = nadd
    return counts


def zero_pad(x, padding):
    """``x`` (N, C, D, H, W) with ``padding`` (pd, ph, pw) zeros on both sides of each axis."""
    if not any(padding):
        return np.ascontiguousarray(x)
    return np.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in padding))


def conv_naive(x, w, bias, stride, padding, dilation, groups, skip, out):
    """Direct convolution of 3-D operands into ``out``; returns the counter table.

    ``bias`` may be None. With ``skip`` False the input is zero-padded first, so padding
    taps are computed; with ``skip`` True they are skipped.
    """
    has_bias = bias is not None
    b = bias if has_bias else np.zeros(w.shape[0], x.dtype)
    if not skip:
        x, padding = zero_pad(x, padding), (0, 0, 0)
    return direct(x, w, b, has_bias, tuple(stride), tuple(padding), tuple(dilation), groups, out)
