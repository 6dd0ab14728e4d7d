"""Max and average pooling over 1, 2 or 3 spatial axes (PyTorch semantics).

Input (N, C, *S) or unbatched (C, *S); the kernel is written once for 3-D and the
other cases are lifted with singleton axes.
"""
from __future__ import annotations

import numpy as np

from ..core.opcounts import OpCounts
from ..core.shapes import pool_out
from ..core.validate import as_tuple, check_bool
from .base import Layer, lift, lift3


def lifted(layer, x):
    """``(x5, y5, out_shape)``: ``x`` (batched or not) lifted to (N, C, D, H, W) and an
    empty lifted output, for the pooling kernels written once for 3-D."""
    out_shape = layer.output_shape(x.shape)
    batched = x.ndim == layer.spatial + 2
    x5 = lift(np.ascontiguousarray(x if batched else x[None]), layer.spatial)
    y5 = np.empty(x5.shape[:2] + lift3(out_shape[-layer.spatial:], 1), x.dtype)
    return x5, y5, out_shape


class _Pool(Layer):
    """Shared configuration, shape rule and forward of MaxPool*d and AvgPool*d.

    Notes
    -----
    Along each spatial axis with input size ``i``, kernel size ``k``, stride ``s``,
    padding ``p`` (at most ``k / 2``) and dilation ``d`` (always 1 for average pooling):

        o = floor((i + 2p − d·(k − 1) − 1) / s) + 1

    With ``ceil_mode=True`` the floor becomes a ceiling, and the last window is dropped
    if it would start in the right padding, i.e. if ``(o − 1)·s ≥ i + p``
    (:func:`nnref.core.shapes.pool_out`). Window ``j`` reads the inputs at
    ``j·s − p + m·d``, ``m = 0 … k−1``, that fall inside ``[0, i)``; padding is never read.
    """

    spatial = 0
    op = ""  # "max" or "avg"

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
        super().__init__()
        n, kind = self.spatial, self.kind
        self.kernel_size = as_tuple(kernel_size, n, "kernel_size", kind)
        self.stride = self.kernel_size if stride is None else as_tuple(stride, n, "stride", kind)
        self.padding = as_tuple(padding, n, "padding", kind, minimum=0)
        self.dilation = as_tuple(dilation, n, "dilation", kind)
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode", kind)
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size, strict=True)):
            raise ValueError(f"{kind}: padding={self.padding} is invalid; expected at most half "
                             f"of kernel_size={self.kernel_size} on every axis")

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        n = self.spatial
        if len(shape) not in (n + 1, n + 2):
            raise ValueError(f"{self.kind}: input has shape {shape} ({len(shape)}-D); expected "
                             f"{n + 2}-D (N, C, ...) or {n + 1}-D (C, ...)")
        sizes = tuple(pool_out(i, k, s, p, d, self.ceil_mode) for i, k, s, p, d in zip(
            shape[-n:], self.kernel_size, self.stride, self.padding, self.dilation, strict=True))
        if any(o < 1 for o in sizes):
            raise ValueError(f"{self.kind}: input has shape {shape}, which gives output size "
                             f"{sizes}; expected spatial sizes large enough for kernel_size="
                             f"{self.kernel_size}, padding={self.padding}, dilation={self.dilation}")
        return shape[:-n] + sizes

    def forward(self, x):
        from ..kernels.pool import pool

        x5, y5, out_shape = lifted(self, x)
        rows = pool(x5, y5, lift3(self.kernel_size, 1), lift3(self.stride, 1),
                    lift3(self.padding, 0), lift3(self.dilation, 1), self._count_include_pad(),
                    self.op)
        return y5.reshape(out_shape), OpCounts.from_rows(rows)

    def _count_include_pad(self) -> bool:
        return True

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class _MaxPool(_Pool):
    """Max pooling: each output is the maximum of its in-bound taps (−inf if none).

    Parameters
    ----------
    kernel_size : int or tuple of int
    stride : int or tuple of int, optional
        Defaults to ``kernel_size``.
    padding : int or tuple of int
        Implicit −inf padding on both sides, at most ``kernel_size / 2``.
    dilation : int or tuple of int
        Spacing between taps; 1 means none.
    ceil_mode : bool
        Round the output size up instead of down.

    Notes
    -----
    ``y[j] = max over in-bound taps x[j·s − p + m·d]``; NaN propagates as in torch.
    Output size: see :class:`_Pool`. Counts: :func:`nnref.formulas.pool.max_pool`.
    """

    op = "max"


class _AvgPool(_Pool):
    """Average pooling: each output is the sum of its in-bound taps over a divisor.

    Parameters
    ----------
    kernel_size : int or tuple of int
    stride : int or tuple of int, optional
        Defaults to ``kernel_size``.
    padding : int or tuple of int
        Implicit zero padding on both sides, at most ``kernel_size / 2``.
    ceil_mode : bool
        Round the output size up instead of down.
    count_include_pad : bool
        Whether the divisor counts padding positions.

    Notes
    -----
    ``y[j] = (Σ in-bound taps x[j·s − p + m]) / n_j``. With ``count_include_pad=False``,
    ``n_j = t``; with ``True`` (torch's rule) ``n_j`` is the volume of the window clipped to
    the padded input ``[−p, i + p)`` on every axis, which is less than the kernel volume
    only for a ceil_mode window that runs past the right padding. Output size: see
    :class:`_Pool`. Counts: :func:`nnref.formulas.pool.avg_pool`.
    """

    op = "avg"

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__(kernel_size, stride, padding, 1, ceil_mode)
        self.count_include_pad = check_bool(count_include_pad, "count_include_pad", self.kind)

    def _count_include_pad(self):
        return self.count_include_pad

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"ceil_mode={self.ceil_mode}, count_include_pad={self.count_include_pad}")


class MaxPool1d(_MaxPool):
    """1-D max pooling of ``x`` : ndarray of shape (N, C, L) or (C, L); see :class:`_MaxPool`."""

    spatial = 1


class MaxPool2d(_MaxPool):
    """2-D max pooling of ``x`` : ndarray of shape (N, C, H, W) or (C, H, W); see :class:`_MaxPool`."""

    spatial = 2


class MaxPool3d(_MaxPool):
    """3-D max pooling of ``x`` : ndarray of shape (N, C, D, H, W) or (C, D, H, W).

    See :class:`_MaxPool`.
    """

    spatial = 3


class AvgPool1d(_AvgPool):
    """1-D average pooling of ``x`` : ndarray of shape (N, C, L) or (C, L); see :class:`_AvgPool`."""

    spatial = 1


class AvgPool2d(_AvgPool):
    """2-D average pooling of ``x`` : ndarray of shape (N, C, H, W) or (C, H, W); see :class:`_AvgPool`."""

    spatial = 2


class AvgPool3d(_AvgPool):
    """3-D average pooling of ``x`` : ndarray of shape (N, C, D, H, W) or (C, D, H, W).

    See :class:`_AvgPool`.
    """

    spatial = 3
