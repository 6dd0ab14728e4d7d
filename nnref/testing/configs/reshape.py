"""Strategies of data movement: Identity, Flatten, Reshape, Dropout."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, shapes


@family("Flatten")
def flatten(draw, cls, *, dims=5, size=4):
    """Flatten of any axis range, each end given positive or negative."""
    shape = draw(shapes(1, dims, size))
    n = len(shape)
    s = draw(st.integers(0, n - 1))
    e = draw(st.integers(s, n - 1))
    s, e = (s - n if draw(st.booleans()) else s), (e - n if draw(st.booleans()) else e)
    return cls(s, e), shape


@family("Reshape")
def reshape(draw, cls, *, dims=4, size=4):
    """Reshape to a permutation of the input's axes, two of them sometimes merged, one
    sometimes -1 (the batch axis is reshaped too)."""
    shape = draw(shapes(1, dims, size))
    target = list(draw(st.permutations(shape)))
    if len(target) > 1 and draw(st.booleans()):
        target[:2] = [target[0] * target[1]]
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return cls(tuple(target)), shape


@family("Dropout")
def dropout(draw, cls, *, dims=4, size=4):
    return cls(draw(st.floats(0.0, 1.0)), inplace=draw(st.booleans())), draw(shapes(0, dims, size))


@family("Identity")
def identity(draw, cls, *, dims=4, size=4):
    """Identity on any shape (0-d too)."""
    return cls(), draw(shapes(0, dims, size))
