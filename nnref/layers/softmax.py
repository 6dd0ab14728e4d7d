"""Softmax and LogSoftmax along one axis (PyTorch semantics, with ``dim`` required)."""
from __future__ import annotations

from math import prod

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import _is_int, normalize_dim
from .base import Layer


class _AlongDim(Layer):
    """A row-wise layer along axis ``dim``: the kernel :func:`nnref.kernels.softmax.softmax`,
    as a log-softmax if ``log``."""

    log = False

    def __init__(self, dim=None):
        super().__init__()
        if not _is_int(dim):
            raise TypeError(f"{self.kind}: dim={dim!r} is invalid; expected an int axis "
                            f"(negative counts from the end), e.g. {self.kind}(dim=1)")
        self.dim = int(dim)

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        normalize_dim(self.dim, max(len(shape), 1), "dim", self.kind, shape)  # 0-d: as 1-D
        return shape

    def forward(self, x):
        from ..kernels.softmax import softmax

        self.output_shape(x.shape)
        if x.ndim == 0:  # torch: a 0-d input is one row of one element
            y, ops = self.forward(x.reshape(1))
            return y.reshape(()), ops
        d = self.dim % x.ndim
        x3 = np.ascontiguousarray(x).reshape(prod(x.shape[:d]), x.shape[d], prod(x.shape[d + 1:]))
        y = np.empty_like(x3)
        rows = softmax(x3, y, self.log)
        return y.reshape(x.shape), OpCounts.from_rows(rows)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """y = exp(x − max x) / Σ exp(x − max x) along axis ``dim``.

    Parameters
    ----------
    dim : int
        The axis to normalise; negative values count from the end. Required (PyTorch's
        implicit choice for ``dim=None`` is deprecated).

    Notes
    -----
    For ``x : ndarray of shape (*A, n, *B)`` with the softmax axis of size ``n``, each of
    the ``prod(A)·prod(B)`` rows is normalised on its own. Subtracting the maximum keeps
    ``exp`` from overflowing. A NaN in a row makes the whole row NaN, as in torch.
    Counts: :func:`nnref.formulas.softmax.softmax`.
    """


class LogSoftmax(_AlongDim):
    """y = (x − max x) − log Σ exp(x − max x) along axis ``dim``: the log of Softmax, stably.

    Parameters
    ----------
    dim : int
        The axis; negative values count from the end. Required, as for :class:`Softmax`.

    Notes
    -----
    Rows as in :class:`Softmax`; one log per row, never a log of a probability that
    underflowed to 0, so y is finite wherever x is. A NaN in a row makes it all NaN, as
    in torch. Counts: :func:`nnref.formulas.softmax.log_softmax`.
    """

    log = True
