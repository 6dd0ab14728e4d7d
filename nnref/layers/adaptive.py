"""Adaptive max and average pooling over 1, 2 or 3 spatial axes (PyTorch semantics).

Input (N, C, *S) or unbatched (C, *S); the kernel is written once for 3-D.
"""
from __future__ import annotations

from ..core.opcounts import OpCounts
from ..core.validate import _is_int
from .base import Layer
from .pool import lifted


class _Adaptive(Layer):
    """Shared configuration, shape rule and forward of the adaptive pools.

    Parameters
    ----------
    output_size : int or tuple of (int or None)
        The output spatial size; a ``None`` entry keeps that axis's input size.

    Notes
    -----
    Along an axis with input size ``i`` and output size ``o``, output ``j`` reduces the
    window ``[floor(j·i/o), ceil((j+1)·i/o))`` (:func:`nnref.core.shapes.adaptive_bounds`).
    Windows overlap when ``i`` is not a multiple of ``o``, and repeat inputs when ``o > i``.
    Counts: :mod:`nnref.formulas.adaptive`.
    """

    spatial = 0
    op = ""  # "max" or "avg"

    def __init__(self, output_size):
        super().__init__()
        n = self.spatial
        want = f"an int >= 1 or a tuple of {n} entries, each an int >= 1 or None"
        items = (output_size,) * n if _is_int(output_size) else output_size
        if not isinstance(items, (tuple, list)):
            raise TypeError(f"{self.kind}: output_size={output_size!r} is invalid; expected {want}")
        if len(items) != n:
            raise ValueError(f"{self.kind}: output_size={output_size!r} has {len(items)} entries; "
                             f"expected {want}")
        for v in items:
            if v is not None and not _is_int(v):
                raise TypeError(f"{self.kind}: output_size={output_size!r} is invalid; expected {want}")
            if v is not None and v < 1:
                raise ValueError(f"{self.kind}: output_size={output_size!r} is invalid; expected {want}")
        self.output_size = tuple(None if v is None else int(v) for v in items)

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        n = self.spatial
        if len(shape) not in (n + 1, n + 2):
            raise ValueError(f"{self.kind}: input has shape {shape} ({len(shape)}-D); expected "
                             f"{n + 2}-D (N, C, ...) or {n + 1}-D (C, ...)")
        sizes = tuple(i if o is None else o
                      for i, o in zip(shape[-n:], self.output_size, strict=True))
        return shape[:-n] + sizes

    def forward(self, x):
        from ..kernels.adaptive import adaptive_pool

        x5, y5, out_shape = lifted(self, x)
        return y5.reshape(out_shape), OpCounts.from_rows(adaptive_pool(x5, y5, self.op))

    def extra_repr(self):
        size = self.output_size
        return f"output_size={size[0] if len(size) == 1 else size}"


class _AdaptiveMax(_Adaptive):
    """Adaptive max pooling (see :class:`_Adaptive`); NaN propagates, as in torch.

    Counts: :func:`nnref.formulas.adaptive.adaptive_max`.
    """

    op = "max"


class _AdaptiveAvg(_Adaptive):
    """Adaptive average pooling (see :class:`_Adaptive`): each output is its window's mean.

    Counts: :func:`nnref.formulas.adaptive.adaptive_avg`.
    """

    op = "avg"


class AdaptiveMaxPool1d(_AdaptiveMax):
    """Adaptive max pooling of ``x`` : ndarray of shape (N, C, L) or (C, L)."""

    spatial = 1


class AdaptiveMaxPool2d(_AdaptiveMax):
    """Adaptive max pooling of ``x`` : ndarray of shape (N, C, H, W) or (C, H, W)."""

    spatial = 2


class AdaptiveMaxPool3d(_AdaptiveMax):
    """Adaptive max pooling of ``x`` : ndarray of shape (N, C, D, H, W) or (C, D, H, W)."""

    spatial = 3


class AdaptiveAvgPool1d(_AdaptiveAvg):
    """Adaptive average pooling of ``x`` : ndarray of shape (N, C, L) or (C, L)."""

    spatial = 1


class AdaptiveAvgPool2d(_AdaptiveAvg):
    """Adaptive average pooling of ``x`` : ndarray of shape (N, C, H, W) or (C, H, W)."""

    spatial = 2


class AdaptiveAvgPool3d(_AdaptiveAvg):
    """Adaptive average pooling of ``x`` : ndarray of shape (N, C, D, H, W) or (C, D, H, W)."""

    spatial = 3
