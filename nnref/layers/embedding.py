"""Embedding: a lookup table, torch's ``nn.Embedding``; a gather, with no arithmetic."""
from __future__ import annotations

import numbers

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import _is_int, check_bool, check_float, check_indices, check_int, make_rng
from .base import Layer


class Embedding(Layer):
    """y = weight[x]: the row of the table for each index of ``x``.

    Parameters
    ----------
    num_embeddings : int
        The rows of the table; indices run over [0, num_embeddings).
    embedding_dim : int
        The length of a row.
    padding_idx : int or None
        A row that starts as zeros, in [−num_embeddings, num_embeddings) (a negative one
        counts from the end and is stored as such, as in torch). In inference it is
        looked up like any other row.
    max_norm : None
        torch renormalises the looked-up rows of ``weight`` in place when it is given, a
        side effect of the forward pass that nnref does not compute: only None is taken.
    norm_type : float
        Kept for PyTorch compatibility (max_norm's p-norm).
    scale_grad_by_freq, sparse : bool
        Kept for PyTorch compatibility (training only).
    rng : None, int or numpy Generator
        Seed for the initial table, N(0, 1) as in PyTorch.

    Attributes
    ----------
    weight : ndarray of shape (num_embeddings, embedding_dim)

    Notes
    -----
    ``x : ndarray of integers of any shape`` (int64, int32, any integer type; not bool or
    float) gives ``y`` of shape (*x.shape, embedding_dim) in weight's dtype (float32 unless
    a float64 table is assigned), whatever the requested input dtype. An index out of
    range is a ValueError naming it, before anything runs.
    Counts: :func:`nnref.formulas.embedding.embedding` (none: a gather).
    """

    param_names = ("weight",)

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, *, rng=None):
        super().__init__()
        kind = self.kind
        self.num_embeddings = n = check_int(num_embeddings, "num_embeddings", kind)
        self.embedding_dim = check_int(embedding_dim, "embedding_dim", kind)
        if padding_idx is not None:
            if not _is_int(padding_idx):
                raise TypeError(f"{kind}: padding_idx={padding_idx!r} is invalid; expected None "
                                f"or an int in [{-n}, {n})")
            if not -n <= padding_idx < n:
                raise ValueError(f"{kind}: padding_idx={padding_idx!r} is invalid; expected None "
                                 f"or an int in [{-n}, {n})")
            padding_idx = int(padding_idx) % n
        self.padding_idx = padding_idx
        if max_norm is not None:
            if isinstance(max_norm, (bool, np.bool_)) or not isinstance(max_norm, numbers.Real):
                raise TypeError(f"{kind}: max_norm={max_norm!r} is invalid; expected None")
            raise ValueError(f"{kind}: max_norm={max_norm!r} is not supported; expected None "
                             "(torch renormalises the looked-up rows of weight in place)")
        self.max_norm = None
        self.norm_type = check_float(norm_type, "norm_type", kind)
        self.scale_grad_by_freq = check_bool(scale_grad_by_freq, "scale_grad_by_freq", kind)
        self.sparse = check_bool(sparse, "sparse", kind)
        self.weight = make_rng(rng).standard_normal((n, self.embedding_dim), dtype=np.float32)
        if padding_idx is not None:
            self.weight[padding_idx] = 0.0

    def check_input(self, x, name: str = "x", owner: str | None = None):
        return check_indices(x, owner or self.kind, self.num_embeddings, name)

    def random_input(self, rng, shape, dtype):
        """Indices drawn uniformly from [0, num_embeddings) (``dtype`` is the table's)."""
        return rng.integers(0, self.num_embeddings, shape)

    def output_shape(self, input_shape):
        return self.check_shape(input_shape) + (self.embedding_dim,)

    def forward(self, x):
        from ..kernels.embedding import gather

        out_shape = self.output_shape(x.shape)
        shape = (self.num_embeddings, self.embedding_dim)
        weight = self.param("weight", shape, getattr(self.weight, "dtype", np.float32))
        y = np.empty((x.size, self.embedding_dim), weight.dtype)
        rows = gather(np.ascontiguousarray(x, dtype=np.int64).reshape(-1), weight, y)
        return y.reshape(out_shape), OpCounts.from_rows(rows)

    def extra_repr(self):
        return (f"{self.num_embeddings}, {self.embedding_dim}"
                + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
                + self._changed([("norm_type", 2.0), ("scale_grad_by_freq", False),
                                 ("sparse", False)]))
