"""Strategies of Dense and Linear."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, seeds


@family("Dense", "Linear")
def dense(draw, cls, *, features=5, leading=2, size=3):
    """Dense / Linear on any number of leading axes (none: a 1-D input)."""
    i, o = draw(st.integers(1, features)), draw(st.integers(1, features))
    layer = cls(i, o, bias=draw(st.booleans()), rng=draw(seeds))
    return layer, tuple(draw(st.lists(st.integers(1, size), max_size=leading))) + (i,)
