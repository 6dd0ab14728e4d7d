"""Output-size relationships, in one place.

All sizes follow PyTorch. For one spatial axis with input size ``i``, kernel size
``k``, stride ``s``, padding ``p`` on both sides and dilation ``d`` (1 means none),
the dilated kernel spans ``k_eff = d·(k − 1) + 1`` inputs and

    o = floor((i + 2p − k_eff) / s) + 1                      (convolution, pooling)

The window of output ``j`` starts at input position ``j·s − p`` and its taps are at
``j·s − p + m·d`` for ``m = 0 … k−1``; positions outside ``[0, i)`` are padding.

Pooling with ``ceil_mode=True`` rounds up instead,

    o = ceil((i + 2p − k_eff) / s) + 1,

and then drops the last window if it would start in the right padding, i.e. when
``(o − 1)·s ≥ i + p``. Pooling also requires ``p ≤ k / 2``.

Adaptive pooling from ``i`` to ``o`` uses window ``j`` = ``[floor(j·i/o), ceil((j+1)·i/o))``;
the window sizes sum to ``i + o − gcd(i, o)`` (:func:`adaptive_total`).

Transposed convolution is not supported.

This module is part of the shared core: it imports nothing of nnref.
"""
from __future__ import annotations

from math import gcd


def conv_out(i: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """Output size of a convolution along one axis (may be <= 0 if the kernel does not fit)."""
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


_AXES = ("D", "H", "W")

#: nnref's ``padding_taps``: how a convolution treats taps on padding. "dense" computes
#: them (products with zero, as im2col does), "skip" runs only the taps inside the input.
PADDING_TAPS = ("dense", "skip")
#: torch's ``padding_mode``: what the padding holds. "reflect" mirrors the input without
#: repeating the edge, "replicate" repeats the edge, "circular" wraps around; each is
#: data movement.
TORCH_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
#: torch's padding strings: "valid" is no padding, "same" pads so that a stride-1
#: convolution keeps the input size (:func:`same_padding`).
PADDING_STRINGS = ("same", "valid")


def same_padding(k: int, d: int = 1) -> tuple:
    """``(left, right)`` zero padding of ``padding="same"`` along one axis, as torch pads.

    The dilated kernel needs ``d·(k − 1)`` padding in all, split ``left = ⌊total / 2⌋``,
    ``right = total − left``: one more on the right when the total is odd (even kernels).
    """
    total = d * (k - 1)
    return total // 2, total - total // 2


def check_conv_input(owner: str, shape: tuple, channels: int, kernel_size: tuple,
                     padding: tuple, dilation: tuple) -> None:
    """Check an input shape (N, C, *S) against a convolution's channels and dilated kernel.

    A ValueError names ``owner``, the shape and what was expected.
    """
    nd = len(kernel_size)
    want = "(N, C, " + ", ".join(_AXES[3 - nd:]) + ")"
    if len(shape) != nd + 2:
        raise ValueError(f"{owner}: input has shape {shape} ({len(shape)}-D); "
                         f"expected {nd + 2}-D {want} with C={channels}")
    if shape[1] != channels:
        raise ValueError(f"{owner}: input has shape {shape} with {shape[1]} channels; "
                         f"expected {want} with C={channels}")
    for ax, (i, k, p, d) in enumerate(zip(shape[2:], kernel_size, padding, dilation, strict=True)):
        span = d * (k - 1) + 1
        if span > i + 2 * p:
            raise ValueError(
                f"{owner}: kernel_size={kernel_size} with dilation={dilation} spans {span} "
                f"inputs along axis {ax + 2}, but input shape {shape} with padding={padding} "
                f"gives {i + 2 * p} there; expected a kernel no larger than the padded input")


def broadcast_shapes(*shapes, owner: str = "broadcast") -> tuple:
    """The shape two or more operands broadcast to, as in torch and NumPy.

    Axes are aligned from the right; along each, the sizes must be equal or 1 (a missing
    axis is 1), and the result takes the larger. A ValueError names the shapes otherwise.
    """
    n = max(len(s) for s in shapes)
    out = []
    for axis in range(n):
        sizes = {s[len(s) - n + axis] for s in shapes if len(s) - n + axis >= 0} - {1}
        if len(sizes) > 1:
            raise ValueError(f"{owner}: operands of shapes {list(shapes)} cannot be broadcast "
                             f"(sizes {sorted(sizes)} along axis {axis - n}); expected equal "
                             "sizes or 1 on every axis, aligned from the right")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def pool_out(i: int, k: int, s: int, p: int = 0, d: int = 1, ceil_mode: bool = False) -> int:
    """Output size of max/avg pooling along one axis, with PyTorch's ceil_mode rule."""
    span = i + 2 * p - d * (k - 1) - 1
    if not ceil_mode:
        return span // s + 1
    o = -(-span // s) + 1
    if (o - 1) * s >= i + p:
        o -= 1
    return o


def adaptive_bounds(i: int, o: int, j: int) -> tuple:
    """Start (inclusive) and end (exclusive) of adaptive window ``j`` of ``o`` over ``i`` inputs."""
    return (j * i) // o, -(-((j + 1) * i) // o)


def window_taps(i: int, k: int, s: int, p: int, d: int, j: int) -> int:
    """Number of taps of window ``j`` that land inside ``[0, i)``."""
    start = j * s - p
    return sum(1 for m in range(k) if 0 <= start + m * d < i)


def pool_windows(i: int, k: int, s: int, p: int, d: int, o: int, count_include_pad: bool) -> list:
    """Per output ``j < o`` of one axis: (first in-bound input, in-bound taps, step, divisor).

    The divisor factor is the number of in-bound taps, or with ``count_include_pad``
    (average pooling, where d = 1) torch's window clipped to the padded input
    ``[−p, i + p)``: ``min(j·s − p + k, i + p) − (j·s − p)``.
    """
    rows = []
    for j in range(o):
        start = j * s - p
        inside = [start + m * d for m in range(k) if 0 <= start + m * d < i]
        taps = len(inside)
        divisor = min(start + k, i + p) - start if count_include_pad else taps
        rows.append((inside[0] if inside else 0, taps, d, divisor))
    return rows


def adaptive_windows(i: int, o: int) -> list:
    """Per output ``j < o``: (start, size, step 1, divisor = size) of adaptive window ``j``."""
    rows = []
    for j in range(o):
        start, end = adaptive_bounds(i, o, j)
        rows.append((start, end - start, 1, end - start))
    return rows


def axis_taps(i: int, k: int, s: int, p: int, d: int, o: int) -> tuple:
    """``(Σ_j t_j, #{j : t_j > 0})`` over the windows ``j < o`` of one axis (:func:`window_taps`).

    Exact at any size, in O(k log k): tap ``m`` of window ``j`` sits at ``j·s + m·d − p``,
    which is inside ``[0, i)`` for the windows ``j`` of one interval. The first sum adds
    the interval lengths; the windows with a tap are the union of the intervals.
    """
    spans = []
    for m in range(k):
        off = m * d - p
        lo, hi = max(0, -(off // s)), min(o - 1, (i - 1 - off) // s)  # ceil(−off/s), floor(...)
        if lo <= hi:
            spans.append((lo, hi))
    total = sum(hi - lo + 1 for lo, hi in spans)
    live, end = 0, -1
    for lo, hi in sorted(spans):
        if hi > end:
            live += hi - max(lo, end + 1) + 1
            end = hi
    return total, live


def adaptive_total(i: int, o: int) -> int:
    """Σ of the sizes of the ``o`` adaptive windows over ``i`` inputs: ``i + o − gcd(i, o)``.

    Notes
    -----
    With ``g = gcd(i, o)``, ``Σ_j floor(j·i/o) = ((i − 1)(o − 1) + g − 1) / 2`` over
    ``j < o``, and ``ceil(j·i/o)`` exceeds ``floor(j·i/o)`` by one unless ``o`` divides
    ``j·i``, which happens for ``g`` of the ``j = 1 … o``. The ends then sum to the starts
    plus ``i + o − g``.
    """
    return i + o - gcd(i, o)
