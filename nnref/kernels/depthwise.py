"""Counted depthwise convolution, written once for 3-D (N, C, D, H, W).

Output channel ``c·m + j`` (m = depth multiplier) convolves input channel ``c`` alone
with its own kernel, as PyTorch's ``Conv2d(C, C·m, k, groups=C)``. Each output's first
in-bound tap initialises it, the others are added to it, then the bias is added, each
operation counted where it happens (counts: :func:`nnref.formulas.depthwise.depthwise`).
A task is one (batch, output channel, output depth) plane.
The loop over taps and the loop along an output row are interchanged so the innermost
loop runs along the row (``out[..., j] += w·x[..., j·s + e·d − p]``) and vectorises;
each output element still sees exactly its own taps, in the same order. Padding is
handled as in :mod:`.conv` (dense padding pads with zeros first, "skip" runs only taps
inside the input).
"""
import numpy as np

from ._numba import ADD, MUL, NKINDS, njit, prange
from ._taps import inside, zero_pad


@njit(inline="always")
def _row(o, x, w, lo, hi, start, step, accumulate):
    """``o[j] (+)= w·x[start + j·step]`` for j in [lo, hi); returns the number of products.

    With ``accumulate`` each product is also added to ``o[j]`` (as many adds as products);
    without, it initialises ``o[j]``. Indexing views from 0 lets LLVM see non-negative
    indices (no wraparound) and vectorise.
    """
    n = 0
    if hi > lo:
        ov = o[lo:hi]
        xs = x[start + lo * step:]
        if step == 1:
            for j in range(hi - lo):
                if accumulate:
                    ov[j] += w * xs[j]
                else:
                    ov[j] = w * xs[j]
                n += 1
        else:
            for j in range(hi - lo):
                if accumulate:
                    ov[j] += w * xs[j * step]
                else:
                    ov[j] = w * xs[j * step]
                n += 1
    return n


@njit
def row_spans(kw, pad, step, dil, width, ow):
    """Per kernel column e, the output ranges along a row where its tap is in bounds.

    Returns an int64 table (kw, 3) of ``lo, mid, hi``: tap e is in bounds for outputs
    ``[lo, hi)``; it is the *first* in-bound tap (which initialises the output) for
    ``[lo, mid)``, and the outputs ``[mid, hi)`` already had one. Taps in bounds for
    output j form a contiguous run of e, so e is j's first exactly when tap e − 1 falls
    left of the input, i.e. when j < lo(e − 1).
    """
    spans = np.empty((kw, 3), np.int64)
    prev = ow
    for e in range(kw):
        lo, hi = inside(e * dil - pad, step, width, ow)
        spans[e, 0], spans[e, 1], spans[e, 2] = lo, max(lo, min(hi, prev)), hi
        prev = lo
    return spans


@njit(inline="always")
def _row_taps(orow, xrow, wrow, first, spans, pad, step, dil, row):
    """Apply kernel row ``wrow`` (taps e), read from ``xrow``, to output row ``orow``.

    With ``first`` set, each output's first in-bound tap initialises it (see
    :func:`row_spans`). The products and sums go into the task's counter ``row``.
    """
    nmul = 0
    nadd = 0
    for e in range(wrow.shape[0]):
        start = e * dil - pad
        lo, mid, hi = spans[e, 0], spans[e, 1], spans[e, 2]
        if first:
            nmul += _row(orow, xrow, wrow[e], lo, mid, start, step, False)
            m = _row(orow, xrow, wrow[e], mid, hi, start, step, True)
        else:
            m = _row(orow, xrow, wrow[e], lo, hi, start, step, True)
        nmul += m
        nadd += m
    row[MUL] += nmul
    row[ADD] += nadd


@njit(inline="always")
def _row_bias(orow, bval, spans, row):
    """Add the bias to the outputs of a row that had at least one tap, counted in ``row``."""
    nadd = 0
    for e in range(spans.shape[0]):
        for j in range(spans[e, 0], spans[e, 1]):  # each tapped j is initialised by one e
            orow[j] += bval
            nadd += 1
    row[ADD] += nadd


@njit(parallel=True)
def depthwise(x, w, bias, has_bias, stride, padding, dilation, out):
    """Fill ``out`` (N, C·m, OD, OH, OW) from ``x`` (N, C, D, H, W), ``w`` (C·m, 1, KD, KH, KW).

    ``bias`` (C·m,) is zeros unless ``has_bias``. Taps outside ``x`` are skipped.
    Returns the counter table.
    """
    N, C, D, H, W = x.shape
    Co, _, KD, KH, KW = w.shape
    OD, OH = out.shape[2], out.shape[3]
    m = Co // C
    sd, sh, sw = stride
    pd, ph, pw = padding
    dd, dh, dw = dilation
    spans = row_spans(KW, pw, sw, dw, W, out.shape[4])
    ntask = N * Co * OD
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        n = t // (Co * OD)
        co = (t // OD) % Co
        od = t % OD
        c = co // m
        bval = bias[co]
        row = counts[t]
        a_lo, a_hi = inside(od * sd - pd, dd, D, KD)
        for oh in range(OH):
            orow = out[n, co, od, oh]
            orow[:] = bval  # the bias (zeros if none): what outputs without a tap keep
            b_lo, b_hi = inside(oh * sh - ph, dh, H, KH)
            first = True
            for a in range(a_lo, a_hi):
                for b in range(b_lo, b_hi):
                    xrow = x[n, c, od * sd - pd + a * dd, oh * sh - ph + b * dh]
                    _row_taps(orow, xrow, w[co, 0, a, b], first, spans, pw, sw, dw, row)
                    first = False
            if has_bias and not first:
                _row_bias(orow, bval, spans, row)
    return counts


def depthwise_conv(x, w, bias, stride, padding, dilation, skip, out):
    """Depthwise convolution of 3-D operands into ``out``; returns the counter table.

    ``bias`` may be None. With ``skip`` False the input is zero-padded first, so padding
    taps are computed; with ``skip`` True they are skipped.
    """
    has_bias = bias is not None
    b = bias if has_bias else np.zeros(w.shape[0], x.dtype)
    if not skip:
        x, padding = zero_pad(x, padding), (0, 0, 0)
    return depthwise(x, w, b, has_bias, tuple(stride), tuple(padding), tuple(dilation), out)
