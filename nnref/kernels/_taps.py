"""Shared tap arithmetic of the convolution kernels: in-bound tap ranges and zero padding.

Index arithmetic only, never counted: which taps of a window land inside the input, and
a zero-padded copy of the input for "dense" padding (taps on padding become products
with zero). Used by :mod:`.conv` and :mod:`.depthwise`.
"""
import numpy as np

from ._numba import njit


@njit(inline="always")
def inside(base, step, size, n):
    """The range ``[lo, hi)`` of ``m`` in ``[0, n)`` with ``0 <= base + m·step < size``.

    ``lo`` is the first ``m`` with ``base + m·step >= 0`` (clipped to ``n``) even when
    the range is empty.
    """
    lo = 0 if base >= 0 else (step - 1 - base) // step
    lo = min(lo, n)
    last = size - 1 - base
    hi = 0 if last < 0 else min(n, last // step + 1)
    return lo, max(hi, lo)


def zero_pad(x, padding):
    """``x`` (N, C, D, H, W) with ``padding`` (pd, ph, pw) zeros on both sides of each axis."""
    if not any(padding):
        return np.ascontiguousarray(x)
    (pd, ph, pw), (N, C, D, H, W) = padding, x.shape
    padded = np.zeros((N, C, D + 2 * pd, H + 2 * ph, W + 2 * pw), x.dtype)  # np.pad is slower
    padded[:, :, pd:pd + D, ph:ph + H, pw:pw + W] = x
    return padded
