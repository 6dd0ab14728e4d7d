"""Strategies of data movement: Identity, Flatten, Reshape, Dropout, Permute, Transpose,
Contiguous, ChannelShuffle, Expand, Parameter."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ._draw import family, seeds, shapes


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


@family("Contiguous")
def contiguous(draw, cls, *, dims=4, size=4):
    """Contiguous on any shape (0-d too)."""
    return cls(), draw(shapes(0, dims, size))


@family("Permute")
def permute(draw, cls, *, dims=4, size=4):
    """A permutation of the axes of any shape (0-d: the empty one), some negative."""
    shape = draw(shapes(0, dims, size))
    n = len(shape)
    order = draw(st.permutations(range(n)))
    return cls(tuple(a - n if draw(st.booleans()) else a for a in order)), shape


@family("Transpose")
def transpose(draw, cls, *, dims=4, size=4):
    """Two axes (maybe equal, maybe negative) of a shape of at least one axis."""
    shape = draw(shapes(1, dims, size))
    n = len(shape)
    return cls(draw(st.integers(-n, n - 1)), draw(st.integers(-n, n - 1))), shape


@family("ChannelShuffle")
def channel_shuffle(draw, cls, *, groups=3, per_group=3, dims=5):
    """(N, g·k, *S) with 1 to 3 spatial axes."""
    g, k = draw(st.integers(1, groups)), draw(st.integers(1, per_group))
    return cls(g), (draw(st.integers(1, 2)), g * k) + draw(shapes(1, dims - 2, 3))


@family("Expand")
def expand(draw, cls, *, dims=4, size=3, new=2):
    """Size-1 axes repeated, others kept (as -1 or as their size), up to ``new`` leading
    axes added; sizes given as separate ints or as one tuple."""
    shape = draw(shapes(0, dims, size))
    sizes = [draw(st.integers(1, size)) for _ in range(draw(st.integers(0, new)))]
    for d in shape:
        sizes.append(draw(st.sampled_from([-1, d] + ([draw(st.integers(1, size))] if d == 1
                                                      else []))))
    if not sizes:  # a 0-d input expanded to itself: a new axis instead
        sizes = [draw(st.integers(1, size))]
    return (cls(tuple(sizes)) if draw(st.booleans()) else cls(*sizes)), shape


@family("Parameter")
def parameter(draw, cls, *, dims=4, size=4):
    """A held tensor of any shape (0-d too), float32 or float64, a parameter or a buffer;
    its input shape is (), the empty tuple of operand shapes (it takes no input)."""
    shape = draw(shapes(0, dims, size))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    data = np.random.default_rng(draw(seeds)).standard_normal(shape).astype(dtype)
    return cls(data, buffer=draw(st.booleans())), ()
