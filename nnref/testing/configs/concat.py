"""Strategies of Cat, Chunk and Split."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, shapes


@family("Cat")
def cat(draw, cls, *, inputs=3, dims=4, size=4):
    """1 to ``inputs`` operands, equal but for their sizes along ``dim`` (negative too)."""
    shape = draw(shapes(1, dims, size))
    n = len(shape)
    d = draw(st.integers(-n, n - 1))
    k = draw(st.integers(1, inputs))
    parts = []
    for _ in range(k):
        s = list(shape)
        s[d] = draw(st.integers(1, 3))
        parts.append(tuple(s))
    return cls(d, inputs=k), (tuple(parts) if k > 1 else parts[0])


@family("Chunk", "Split")
def piece(draw, cls, *, dims=4, size=7):
    """One piece (any index) of Chunk (1 to 5 chunks, maybe fewer pieces) or Split (a
    size, or sections summing to the axis) along any axis."""
    shape = draw(shapes(1, dims, size))
    n = len(shape)
    d = draw(st.integers(-n, n - 1))
    length = shape[d]
    if cls.__name__ == "Chunk":
        chunks = draw(st.integers(1, 5))
        step = -(-length // chunks)
        args, count = (chunks, d), len(range(0, length, step))
    elif draw(st.booleans()):
        step = draw(st.integers(1, length + 1))
        args, count = (step, d), len(range(0, length, step))
    else:
        cuts = sorted(draw(st.lists(st.integers(1, length - 1), unique=True,
                                    max_size=length - 1))) if length > 1 else []
        sections = tuple(b - a for a, b in zip([0, *cuts], [*cuts, length]))
        args, count = (sections, d), len(sections)
    return cls(*args, draw(st.integers(0, count - 1))), shape
