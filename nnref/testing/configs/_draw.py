"""Building blocks of the strategies: per-axis values, shapes, windows, trained statistics.

Also the registry of the family modules: ``@family("Conv1d", "Conv2d", "Conv3d")`` on a
composite strategy ``f(draw, cls, **bounds) -> (layer, input_shape)`` registers it for
those classes, as the formulas and references register theirs.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ...core.registry import Registry

#: class name -> (composite strategy f(draw, cls, **bounds), value scale of its inputs)
FAMILIES = Registry("strategies")
#: The (algorithm, padding_taps) pairs of Conv{1,2,3}d that exist (im2col is dense only).
MODES = (("im2col", "dense"), ("naive", "dense"), ("naive", "skip"))
seeds = st.integers(0, 2**16)


def family(*names: str, scale: float = 1.0):
    """Register the decorated composite ``f(draw, cls, **bounds)`` for the classes ``names``.

    ``scale`` multiplies the standard-normal inputs the project's tests draw for them
    (4 reaches the saturating parts of the activations).
    """

    def register(f):
        strategy = st.composite(f)
        FAMILIES.register(*names, entry=(strategy, scale))
        return strategy

    return register


def per_axis(n, lo, hi):
    """A tuple of ``n`` ints in [lo, hi], drawn independently (unequal per axis)."""
    return st.tuples(*[st.integers(lo, hi)] * n)


def shapes(min_dims=1, max_dims=4, size=4):
    return st.lists(st.integers(1, size), min_size=min_dims, max_size=max_dims).map(tuple)


@st.composite
def lead(draw, channels, batch=2):
    """The leading axes: ``(N, C)`` with N up to ``batch``, or ``(C,)`` (unbatched)."""
    if draw(st.booleans()):
        return (channels,)
    return draw(st.integers(1, batch)), channels


@st.composite
def windows(draw, nd, kernel=3, stride=2, dilation=2, padding=2, half_kernel=False, extra=3):
    """Per-axis ``(kernel_size, stride, padding, dilation, sizes)`` of a sliding window.

    Padding is at most ``padding`` (and at most half the kernel with ``half_kernel``, as
    pools demand; conv padding may exceed the kernel); the spatial ``sizes`` are the
    smallest that the dilated kernel fits on the padded input, plus up to ``extra``.
    """
    k = draw(per_axis(nd, 1, kernel))
    s, d = draw(per_axis(nd, 1, stride)), draw(per_axis(nd, 1, dilation))
    p = tuple(draw(st.integers(0, min(padding, kk // 2) if half_kernel else padding)) for kk in k)
    least = [max(1, dd * (kk - 1) + 1 - 2 * pp) for kk, pp, dd in zip(k, p, d)]
    sizes = tuple(draw(st.integers(lo, lo + extra)) for lo in least)
    return k, s, p, d, sizes


def spatial(cls):
    """The number of spatial axes in a class name: ``MaxPool3d`` -> 3."""
    return int(cls.__name__[-2])


def trained(layer, seed=1):
    """``layer`` (a norm) with random running statistics (if it has them) and affine
    parameters (if it has them), as after training, so that it is no identity."""
    rng = np.random.default_rng(seed)
    for name in getattr(layer, "buffer_names", ()):
        shape = getattr(layer, name).shape
        value = rng.uniform(0.5, 2.0, shape) if name == "running_var" else rng.standard_normal(shape)
        setattr(layer, name, value.astype(np.float32))
    for name, value in layer.parameters().items():
        setattr(layer, name, rng.standard_normal(value.shape).astype(np.float32))
    return layer
