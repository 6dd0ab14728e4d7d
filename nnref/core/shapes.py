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

A transposed convolution scatters input ``j`` through tap ``m`` to position
``f = j·s + m·d`` of the full output ``[0, (i − 1)·s + d·(k − 1) + 1)``, which is then
cropped by ``p`` on both sides and extended by ``output_padding`` ``q`` on the right:

    o = (i − 1)·s − 2p + d·(k − 1) + q + 1                  (transposed convolution)

Output ``j`` is full position ``j + p`` (:func:`conv_transpose_out`, :func:`scatter_taps`).

Interpolation to ``size`` gives that size; with ``scale_factor`` ``f`` it gives
``floor(i·f)`` (computed in double precision, as torch does: :func:`interpolate_out`).

A matrix product of shapes (*a, M, K) and (*b, K, N) has shape (*batch, M, N), the batch
axes broadcast as NumPy's and torch's do (:func:`broadcast_shapes`); a 1-D left operand (K,) is
a row, a 1-D right operand a column, and their axis is dropped from the output
(:func:`matmul_out`).

Torch's padding strings: "valid" is no padding, and "same" pads a stride-1 convolution
by ``d·(k − 1)`` in all, one more on the right if that is odd (:func:`same_padding`).

This module is part of the shared core: it imports nothing of nnref.
"""
from __future__ import annotations

from math import gcd

from .validate import as_tuple


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


def check_channels(owner: str, shape: tuple, channels: int, nd: int) -> None:
    """Check that ``shape`` is (N, C, *S) with ``nd`` spatial axes and C = ``channels``."""
    if len(shape) == nd + 2 and shape[1] == channels:
        return
    want = "(N, C, " + ", ".join(_AXES[3 - nd:]) + ")"
    if len(shape) != nd + 2:
        raise ValueError(f"{owner}: input has shape {shape} ({len(shape)}-D); "
                         f"expected {nd + 2}-D {want} with C={channels}")
    if shape[1] != channels:
        raise ValueError(f"{owner}: input has shape {shape} with {shape[1]} channels; "
                         f"expected {want} with C={channels}")


def check_conv_input(owner: str, shape: tuple, channels: int, kernel_size: tuple,
                     padding: tuple, dilation: tuple) -> None:
    """Check an input shape (N, C, *S) against a convolution's channels and dilated kernel.

    A ValueError names ``owner``, the shape and what was expected.
    """
    check_channels(owner, shape, channels, len(kernel_size))
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


def conv_transpose_out(i: int, k: int, s: int = 1, p: int = 0, d: int = 1, q: int = 0) -> int:
    """Output size of a transposed convolution along one axis (may be <= 0).

    ``(i − 1)·s − 2p + d·(k − 1) + q + 1``, with ``q`` the output padding.
    """
    return (i - 1) * s - 2 * p + d * (k - 1) + q + 1


def check_output_padding(owner: str, output_padding, stride: tuple, dilation: tuple) -> tuple:
    """``output_padding`` (an int or one per axis, >= 0) as a tuple, each smaller than its
    stride or its dilation (torch's rule); a ValueError naming it otherwise."""
    q = as_tuple(output_padding, len(stride), "output_padding", owner, minimum=0)
    for qq, s, d in zip(q, stride, dilation, strict=True):
        if qq >= s and qq >= d:
            raise ValueError(f"{owner}: output_padding={output_padding!r} is invalid with "
                             f"stride={stride} and dilation={dilation}; expected each output "
                             "padding smaller than its stride or its dilation")
    return q


def check_conv_transpose_input(owner: str, shape: tuple, channels: int, kernel_size: tuple,
                               stride: tuple, padding: tuple, output_padding: tuple,
                               dilation: tuple) -> tuple:
    """Check an input shape (N, C, *S) of a transposed convolution; return its output sizes.

    A ValueError names ``owner``, the shape and what was expected (the channels, or an
    output of at least one element along each axis).
    """
    check_channels(owner, shape, channels, len(kernel_size))
    sizes = tuple(conv_transpose_out(*a) for a in zip(shape[2:], kernel_size, stride, padding,
                                                      dilation, output_padding, strict=True))
    for ax, o in enumerate(sizes):
        if o < 1:
            raise ValueError(
                f"{owner}: input shape {shape} with kernel_size={kernel_size}, stride={stride}, "
                f"padding={padding}, output_padding={output_padding} and dilation={dilation} "
                f"gives output size {o} along axis {ax + 2}; expected an output of at least 1 "
                "(less padding)")
    return sizes


def scatter_taps(i: int, k: int, s: int, d: int, lo: int, hi: int) -> tuple:
    """``(Σ_f t(f), #{f : t(f) > 0})`` over positions ``f`` in ``[lo, hi)`` of one axis of a
    transposed convolution's full output, ``t(f)`` being the number of pairs (input ``j < i``,
    tap ``m < k``) with ``j·s + m·d = f``.

    Exact at any size, in O(k log k): tap ``m`` reaches the positions ``m·d + j·s`` of an
    interval of ``j``. The first sum adds the interval lengths. The reached positions of
    taps whose ``m·d`` share a residue modulo ``s`` lie on one lattice ``r + s·q``, where
    they are intervals of ``q``; the second sum is the size of their union, per residue.
    """
    total, spans = 0, {}
    for m in range(k):
        off = m * d
        j_lo = max(0, -((off - lo) // s))  # ceil((lo − off) / s)
        j_hi = min(i - 1, (hi - 1 - off) // s)
        if j_lo <= j_hi:
            total += j_hi - j_lo + 1
            r, q0 = off % s, off // s
            spans.setdefault(r, []).append((q0 + j_lo, q0 + j_hi))
    live = 0
    for intervals in spans.values():
        end = None
        for a, b in sorted(intervals):
            if end is None or a > end:
                live += b - a + 1
                end = b
            elif b > end:
                live += b - end
                end = b
    return total, live


def interpolate_out(i: int, size: int | None, scale: float | None) -> int:
    """Output size of interpolation along one axis: ``size``, or ``floor(i·scale)``.

    The product is taken in double precision and truncated, as torch's
    ``upsample_*`` kernels compute it.
    """
    return size if size is not None else int(i * float(scale))


def matmul_out(owner: str, a: tuple, b: tuple) -> tuple:
    """``(batch, M, K, N, out)`` of torch's ``matmul`` of shapes ``a`` and ``b`` (both >= 1-D).

    ``a`` (*, M, K) or (K,), ``b`` (*, K, N) or (K,); ``batch`` is the broadcast of their
    leading axes and ``out`` the output shape, without the axis of a 1-D operand.
    """
    if not a or not b:
        raise ValueError(f"{owner}: operands of shapes {a} and {b}; expected both at least 1-D")
    m, k = (1, a[0]) if len(a) == 1 else a[-2:]
    k2, n = (b[0], 1) if len(b) == 1 else b[-2:]
    if k != k2:
        raise ValueError(f"{owner}: shapes {a} and {b} cannot be multiplied ({k} columns and "
                         f"{k2} rows); expected input.shape[-1] == other.shape[-2] "
                         "(other.shape[0] for a 1-D other)")
    batch = broadcast_shapes(a[:-2], b[:-2], owner=owner)
    out = batch + ((m,) if len(a) > 1 else ()) + ((n,) if len(b) > 1 else ())
    return batch, m, k, n, out


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
