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
inside the input). With dense padding and many channels or short rows,
:func:`depthwise_last` runs the same taps in the same order channels last, so that the
innermost loop runs along the channels instead; a 3 × 3 kernel of stride 1 or 2 on
longer rows runs plane by plane (:mod:`._depthwise3x3`).
"""
import numpy as np

from ._depthwise3x3 import depthwise3x3
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


@njit(inline="always")
def _row3(o, x, w, step, dil, accumulate):
    """A kernel row of three taps, all in bounds, at once: ``o[j] (+)= w[0]·x[j·step] +
    w[1]·x[j·step + dil] + w[2]·x[j·step + 2·dil]``, added left to right as three
    separate taps would be, with one pass over ``o`` instead of three. Returns the
    products and the sums. Literal steps and dilation for the common cases let LLVM see
    the loads (contiguous, or stride 2 interleaved) and vectorise."""
    if dil == 1 and step == 1:
        return _row3_at(o, x, w, 1, 1, accumulate)
    if dil == 1 and step == 2:
        return _row3_at(o, x, w, 2, 1, accumulate)
    return _row3_at(o, x, w, step, dil, accumulate)


@njit(inline="always")
def _row3_at(o, x, w, step, dil, accumulate):
    """The loop of :func:`_row3`."""
    w0, w1, w2 = w[0], w[1], w[2]
    nmul = 0
    nadd = 0
    for j in range(o.size):
        i = j * step
        if accumulate:
            o[j] = o[j] + w0 * x[i] + w1 * x[i + dil] + w2 * x[i + 2 * dil]
            nmul += 3
            nadd += 3
        else:
            o[j] = w0 * x[i] + w1 * x[i + dil] + w2 * x[i + 2 * dil]
            nmul += 3
            nadd += 2
    return nmul, nadd


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
    if wrow.shape[0] == 3 and pad == 0 and spans[2, 2] - spans[0, 0] == orow.size:
        km, ka = _row3(orow, xrow, wrow, step, dil, not first)  # every tap in bounds
        row[MUL] += km
        row[ADD] += ka
        return
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


# -- short rows: channels last, so the innermost loop runs along the channels --------------

@njit(inline="always")
def _channels(o, w, x, accumulate):
    """``o[c] (+)= w[c]·x[c]`` for every c; returns the number of products (views from 0,
    so LLVM sees non-negative indices and vectorises)."""
    n = 0
    for c in range(o.size):
        if accumulate:
            o[c] += w[c] * x[c]
        else:
            o[c] = w[c] * x[c]
        n += 1
    return n


@njit(inline="always")
def _channels3(o, w, x0, x1, x2, accumulate):
    """A kernel row of three taps at once: ``o[c] (+)= w[0,c]·x0[c] + w[1,c]·x1[c] +
    w[2,c]·x2[c]``, added left to right as three separate taps would be, with one load
    and store of ``o[c]`` instead of three. Returns the products and the sums."""
    w0, w1, w2 = w[0], w[1], w[2]
    nmul = 0
    nadd = 0
    for c in range(o.size):
        if accumulate:
            o[c] = o[c] + w0[c] * x0[c] + w1[c] * x1[c] + w2[c] * x2[c]
            nmul += 3
            nadd += 3
        else:
            o[c] = w0[c] * x0[c] + w1[c] * x1[c] + w2[c] * x2[c]
            nmul += 3
            nadd += 2
    return nmul, nadd


@njit(parallel=True)
def depthwise_last(xt, wt, bias, has_bias, stride, dilation, out):
    """Dense padding for short rows, where :func:`depthwise` would spend its time starting
    loops, channels last: ``xt`` (N, Dp, Hp, Wp, C·m) is the zero-padded input, each
    channel repeated for its m outputs (:func:`channels_last`), ``wt`` (KD, KH, KW, C·m)
    the weights. One task per output row (n, od, oh) runs, for each output position, its
    taps (a, b, e) in order over all channels at once (the first tap initialises, then the
    bias; a row of three taps runs as one loop, :func:`_channels3`) into a row buffer
    (OW, C·m), then copies it into ``out`` (N, C·m, OD, OH, OW). Copies are not
    arithmetic. Returns the counter table.
    """
    N, Co, OD, OH, OW = out.shape
    KD, KH, KW = wt.shape[0], wt.shape[1], wt.shape[2]
    sd, sh, sw = stride
    dd, dh, dw = dilation
    ntask = N * OD * OH
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        n, od, oh = t // (OD * OH), (t // OH) % OD, t % OH
        nmul = 0
        nadd = 0
        orow = np.empty((OW, Co), out.dtype)
        for ow in range(OW):
            o = orow[ow]
            for a in range(KD):
                for b in range(KH):
                    xrow = xt[n, od * sd + a * dd, oh * sh + b * dh]
                    base = ow * sw
                    if KW == 3:
                        first = a == 0 and b == 0
                        km, ka = _channels3(o, wt[a, b], xrow[base], xrow[base + dw],
                                            xrow[base + 2 * dw], not first)
                        nmul += km
                        nadd += ka
                        continue
                    for e in range(KW):
                        first = a == 0 and b == 0 and e == 0
                        k = _channels(o, wt[a, b, e], xrow[base + e * dw], not first)
                        nmul += k
                        nadd += 0 if first else k
            if has_bias:
                for co in range(Co):
                    o[co] += bias[co]
                    nadd += 1
        counts[t, MUL] = nmul
        counts[t, ADD] = nadd
        for co in range(Co):  # back to channels first, while the row is in cache
            dst = out[n, co, od, oh]
            for ow in range(OW):
                dst[ow] = orow[ow, co]
    return counts


def channels_last(x, padding, m):
    """``x`` (N, C, D, H, W) zero-padded by ``padding`` and copied channels last, each
    channel repeated m times: (N, Dp, Hp, Wp, C·m). Data movement only (NumPy's strided
    copy measured faster than a numba loop here)."""
    (N, C, D, H, W), (pd, ph, pw) = x.shape, padding
    xt = np.zeros((N, D + 2 * pd, H + 2 * ph, W + 2 * pw, C, m), x.dtype)
    xt[:, pd:pd + D, ph:ph + H, pw:pw + W] = x.transpose(0, 2, 3, 4, 1)[..., None]
    return xt.reshape(xt.shape[:4] + (C * m,))


#: Dense padding runs channels last (:func:`depthwise_last`) on output rows shorter than
#: SHORT_ROW, with fewer than WIDE channels (measured in float32, one thread: the row
#: kernel, three taps per pass, wins on rows of 40 or more at any channel count, and from
#: 1024 channels on 28² rows too, where the channels-last copies leave the cache; a rule
#: by channels is rough: 512 × 28² also favours rows, 1024 × 14² channels last).
WIDE, SHORT_ROW = 1024, 40
#: A 3 × 3 kernel of stride 1 or 2 runs plane by plane (:func:`depthwise3x3`) on output
#: rows of at least PLANE_ROW (measured on MobileNetV2's shapes, 2 threads, Zen 4, with
#: small planes sharing a task: 576 × 14² in 90 µs against 193 channels last, 960 × 7² in
#: 68 against 110).
PLANE_ROW = 7


def depthwise_conv(x, w, bias, stride, padding, dilation, skip, out):
    """Depthwise convolution of 3-D operands into ``out``; returns the counter table.

    ``bias`` may be None. With ``skip`` False the input is zero-padded first, so padding
    taps are computed; with ``skip`` True they are skipped. Dense padding runs a 2-D
    3 × 3 kernel of stride 1 or 2 plane by plane (:func:`depthwise3x3`) on output rows
    of PLANE_ROW or more, and otherwise, on rows shorter than SHORT_ROW with fewer than
    WIDE channels, channels last (:func:`depthwise_last`).
    """
    has_bias = bias is not None
    b = bias if has_bias else np.zeros(w.shape[0], x.dtype)
    geometry = (tuple(stride), tuple(padding), tuple(dilation))
    if (not skip and w.shape[2:] == (1, 3, 3) and x.shape[2] == 1 and padding[0] == 0
            and stride[1] == stride[2] in (1, 2) and tuple(dilation[1:]) == (1, 1)
            and out.shape[4] >= PLANE_ROW and out.flags.c_contiguous):
        (N, C, _, H, W), (Co, OH, OW) = x.shape, (out.shape[1], out.shape[3], out.shape[4])
        return depthwise3x3(np.ascontiguousarray(x).reshape(N, C, H, W), w.reshape(Co, 3, 3),
                            b, has_bias, stride[1], padding[1], padding[2],
                            out.reshape(N, Co, OH, OW))  # C-contiguous views: kernels for them
    if not skip and out.shape[4] < SHORT_ROW and w.shape[0] < WIDE:
        wt = np.ascontiguousarray(w[:, 0].transpose(1, 2, 3, 0))
        xt = channels_last(x, tuple(padding), w.shape[0] // x.shape[1])
        return depthwise_last(xt, wt, b, has_bias, geometry[0], geometry[2], out)
    if not skip:
        x, geometry = zero_pad(x, padding), (tuple(stride), (0, 0, 0), tuple(dilation))
    return depthwise(x, w, b, has_bias, *geometry, out)
