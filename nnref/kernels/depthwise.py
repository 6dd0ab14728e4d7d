"""Counted depthwise convolution, written once for 3-D (N, C, D, H, W).

Output channel ``c·m + j`` (m = depth multiplier) convolves input channel ``c`` alone
with its own kernel, as PyTorch's ``Conv2d(C, C·m, k, groups=C)``. Per output element:
the first tap initialises the accumulator (mul 1), each further tap does mul 1 and
add 1, and a bias adds 1 add. A task is one (batch, output channel, output depth) plane.
The innermost loop runs along an output row, as in :mod:`.conv`, whose row helpers
this kernel shares; padding is handled the same way ("dense" pads with zeros first,
"skip" runs only taps inside the input).
"""
import numpy as np

from ._numba import ADD, MUL, NKINDS, njit, prange
from .conv import _inside, _row_bias, _row_taps, zero_pad


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
    ntask = N * Co * OD
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        n = t // (Co * OD)
        co = (t // OD) % Co
        od = t % OD
        c = co // m
        bval = bias[co]
        nmul = 0
        nadd = 0
        a_lo, a_hi = _inside(od * sd - pd, dd, D, KD)
        for oh in range(OH):
            orow = out[n, co, od, oh]
            orow[:] = bval  # the bias (zeros if none): what outputs without a tap keep
            b_lo, b_hi = _inside(oh * sh - ph, dh, H, KH)
            first = True
            for a in range(a_lo, a_hi):
                for b in range(b_lo, b_hi):
                    xrow = x[n, c, od * sd - pd + a * dd, oh * sh - ph + b * dh]
                    s, p = _row_taps(orow, xrow, w[co, 0, a, b], first, pw, sw, dw, W)
                    nmul += s
                    nadd += p
                    first = False
            if has_bias and not first:
                nadd += _row_bias(orow, bval, KW, pw, sw, dw, W)
        counts[t, MUL] = nmul
        counts[t, ADD] = nadd
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
