"""Strategies of RNN, GRU and LSTM."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, seeds


@family("RNN", "GRU", "LSTM")
def recurrent(draw, cls, *, features=3, steps=3, batch=3):
    """RNN/GRU/LSTM: bias or not, batch_first or not, unbatched (T, I) input or not."""
    i, h = draw(st.integers(1, features)), draw(st.integers(1, features))
    layer = cls(i, h, bias=draw(st.booleans()), batch_first=draw(st.booleans()), rng=draw(seeds))
    t, b = draw(st.integers(1, steps)), draw(st.integers(1, batch))
    if draw(st.booleans()):
        return layer, (t, i)
    return layer, (b, t, i) if layer.batch_first else (t, b, i)
