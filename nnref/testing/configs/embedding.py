"""Strategy of Embedding: its inputs are indices (see ``layer.random_input``)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ._draw import family, seeds, shapes


@family("Embedding")
def embedding(draw, cls, *, rows=6, dim=4, dims=3, size=3):
    """padding_idx None or any row (negative too), a float32 or float64 table, indices of
    any shape (0-d too)."""
    n, d = draw(st.integers(1, rows)), draw(st.integers(1, dim))
    layer = cls(n, d, padding_idx=draw(st.one_of(st.none(), st.integers(-n, n - 1))),
                rng=draw(seeds))
    layer.weight = layer.weight.astype(draw(st.sampled_from([np.float32, np.float64])))
    return layer, draw(shapes(0, dims, size))
