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


@njit
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


@njit
def _mul_row(o, x, w, lo, hi, start, step):
    """``o[j] = w·x[start + j·step]`` for j in [lo, hi); returns the number of muls."""
    nmul = 0
    if step == 1:
        for j in range(lo, hi):
            o[j] = w * x[start + j]
            nmul += 1
    else:
        for j in range(lo, hi):
            o[j] = w * x[start + j * step]
            nmul += 1
    return nmul


@njit
def _fma_row(o, x, w, lo, hi, start, step):
    """``o[j] += w·x[start + j·step]`` for j in [lo, hi); returns the number of mul/add pairs."""
    n = 0
    if step == 1:
        for j in range(lo, hi):
            o[j] += w * x[start + j]
            n += 1
    else:
        for j in range(lo, hi):
            o[j] += w * x[start + j * step]
            n += 1
    return n


@njit
def _row_taps(orow, xrow, wrow, first, pad, step, dil, width):
    """Apply the kernel row ``wrow`` (taps e) read from ``xrow`` to the output row ``orow``.

    With ``first`` set, each output's first in-bound tap initialises it: taps in bounds
    for output j form a contiguous run of e, so e is j's first one exactly when tap
    e − 1 falls left of the input, i.e. when j < lo(e − 1). Returns (mul, add).
    """
    nmul = 0
    nadd = 0
    ow = orow.shape[0]
    prev = ow
    for e in range(wrow.shape[0]):
        start = e * dil - pad
        lo, hi = _inside(start, step, width, ow)
        if first:
            nmul += _mul_row(orow, xrow, wrow[e], lo, min(hi, prev), start, step)
            m = _fma_row(orow, xrow, wrow[e], max(lo, prev), hi, start, step)
            if lo > 0: nmul += 1
            prev = lo
        else:
            m = _fma_row(orow, xrow, wrow[e], lo, hi, start, step)
        nmul += m
        nadd += m
    return nmul, nadd


@njit
def _row_bias(orow, bval, kw, pad, step, dil, width):
    """Add the bias to the outputs of a row that had at least one tap; returns the adds."""
    nadd = 0
    ow = orow.shape[0]
    prev = ow
    for e in range(kw):
        start = e * dil - pad
        lo, hi = _inside(start, step, width, ow)
        for j in range(lo, min(hi, prev)):  # each tapped j is the first of exactly one e
            orow[j] += bval
            nadd += 1
        prev = lo
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
                        m, s = _row_taps(orow, xrow, w[co, c, a, b], first, pw, sw, dw, W)
                        nmul += m
                        nadd += s
                        first = False
            if has_bias:
                nadd += _row_bias(orow, bval, KW, pw, sw, dw, W)
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
