"""Traced reference of Embedding: each output element copied from its row, no operations.

Counts: :func:`nnref.formulas.embedding.embedding`.
"""
from __future__ import annotations

import numpy as np

from ._registry import traced
from ._scalar import Tally


@traced("Embedding")
def embedding(layer, x):
    """``y[..., j] = weight[x[...], j]``, one value at a time."""
    weight = layer.param("weight", (layer.num_embeddings, layer.embedding_dim),
                         getattr(layer.weight, "dtype", np.float32))
    out = np.empty(x.shape + (layer.embedding_dim,), weight.dtype)
    for idx, row in np.ndenumerate(x):
        for j in range(layer.embedding_dim):
            out[idx + (j,)] = weight[row, j]
    return out, Tally().counts()
