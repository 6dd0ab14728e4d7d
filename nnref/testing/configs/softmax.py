"""Strategies of Softmax and LogSoftmax."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, shapes


@family("Softmax", "LogSoftmax", scale=3.0)
def softmax(draw, cls, *, dims=4, size=4):
    """Any axis of any shape; a 0-d input is one row of one element (dim 0 or −1), as in torch."""
    shape = draw(shapes(0, dims, size))
    n = max(len(shape), 1)
    return cls(draw(st.integers(-n, n - 1))), shape
