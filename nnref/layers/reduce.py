"""Reductions: Mean over any axes (torch's ``x.mean(dims, keepdim)``, ``torch.mean``).

Counts: :func:`nnref.formulas.reduce.mean`.
"""
from __future__ import annotations

from math import prod

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import _is_int, check_bool, normalize_dim
from .base import Layer


class Mean(Layer):
    """The mean over the axes ``dim``: a sum, then one division per output.

    Parameters
    ----------
    dim : int, tuple of int, or None
        The axes to reduce (negative counts from the end), distinct; None reduces all.
    keepdim : bool
        Keep each reduced axis with size 1 (squeeze-and-excitation's ``x.mean((2, 3),
        keepdim=True)``), as torch does.

    Notes
    -----
    ``x : ndarray of shape S`` gives, for every combination of the kept axes, the
    ``n = ∏ S[dim]`` elements summed in row-major order (the first initialises the sum),
    then divided by n: ``y = (x₀ + x₁ + … + x_{n−1}) / n``. A 0-d input has one axis of
    size 1, as in torch. Counts: :func:`nnref.formulas.reduce.mean`.
    """

    def __init__(self, dim=None, keepdim=False):
        super().__init__()
        want = "None, an int axis or a tuple of distinct int axes"
        items = (dim,) if _is_int(dim) else dim
        if items is not None and (not isinstance(items, (tuple, list))
                                  or not all(_is_int(d) for d in items)):
            raise TypeError(f"Mean: dim={dim!r} is invalid; expected {want}")
        if items is not None and not items:
            raise ValueError(f"Mean: dim={dim!r} is invalid; expected {want} (not empty)")
        self.dim = None if items is None else (int(dim) if _is_int(dim) else tuple(map(int, items)))
        self.keepdim = check_bool(keepdim, "keepdim", "Mean")

    def axes(self, shape) -> tuple:
        """The reduced axes of an input of ``shape``, non-negative and sorted."""
        n = max(len(shape), 1)
        dims = range(n) if self.dim is None else (self.dim,) if _is_int(self.dim) else self.dim
        axes = [normalize_dim(d, n, "dim", self.kind, shape) for d in dims]
        if len(set(axes)) != len(axes):
            raise ValueError(f"Mean: dim={self.dim} names an axis twice for input of shape "
                             f"{shape}; expected distinct axes")
        return tuple(sorted(axes))

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        axes = self.axes(shape)
        if not shape:
            return ()
        if self.keepdim:
            return tuple(1 if i in axes else s for i, s in enumerate(shape))
        return tuple(s for i, s in enumerate(shape) if i not in axes)

    def forward(self, x):
        from ..kernels.reduce import mean_rows

        out = self.output_shape(x.shape)
        axes = self.axes(x.shape) if x.ndim else ()
        kept = [i for i in range(x.ndim) if i not in axes]
        n = prod(x.shape[i] for i in axes)
        rows = np.ascontiguousarray(np.transpose(x, kept + list(axes))).reshape(-1, n)
        y = np.empty(rows.shape[0], x.dtype)
        counts = mean_rows(rows, y)
        return y.reshape(out), OpCounts.from_rows(counts)

    def extra_repr(self):
        return f"dim={self.dim}" + (", keepdim=True" if self.keepdim else "")
