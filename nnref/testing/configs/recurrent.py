"""Strategies of RNN, GRU and LSTM."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, seeds


@family("RNN", "GRU", "LSTM")
def recurrent(draw, cls, *, features=3, steps=3, batch=3, layers=2):
    """RNN/GRU/LSTM: bias or not, batch_first or not, unbatched (T, I) input or not, up to
    ``layers`` layers, bidirectional or not, dropout (not applied), RNN's nonlinearity,
    LSTM's proj_size."""
    i, h = draw(st.integers(1, features)), draw(st.integers(1, features))
    kw = dict(num_layers=draw(st.integers(1, layers)), bias=draw(st.booleans()),
              batch_first=draw(st.booleans()), bidirectional=draw(st.booleans()))
    kw["dropout"] = draw(st.sampled_from([0.0, 0.3])) if kw["num_layers"] > 1 else 0.0
    if cls.__name__ == "RNN":
        kw["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    if cls.__name__ == "LSTM":
        kw["proj_size"] = draw(st.integers(0, h - 1))
    layer = cls(i, h, **kw, rng=draw(seeds))
    t, b = draw(st.integers(1, steps)), draw(st.integers(1, batch))
    if draw(st.booleans()):
        return layer, (t, i)
    return layer, (b, t, i) if layer.batch_first else (t, b, i)
