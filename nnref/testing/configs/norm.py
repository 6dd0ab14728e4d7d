"""Strategies of the norms: BatchNorm, LayerNorm, GroupNorm, InstanceNorm (trained
statistics and affine parameters, so that none is an identity)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ._draw import family, lead, per_axis, seeds, spatial, trained

EPS = (1e-5, 1e-3, 0.1)


@family("BatchNorm1d", "BatchNorm2d", "BatchNorm3d")
def batch_norm(draw, cls, *, channels=3, batch=3, size=3):
    """BatchNorm{1,2,3}d (BatchNorm1d on (N, C) and (N, C, L)), affine or not, eps including 0."""
    ndim = {1: draw(st.sampled_from([2, 3])), 2: 4, 3: 5}[spatial(cls)]
    c = draw(st.integers(1, channels))
    layer = cls(c, eps=draw(st.sampled_from(EPS + (0.0,))), affine=draw(st.booleans()))
    trained(layer, draw(seeds))
    return layer, (draw(st.integers(1, batch)), c) + draw(per_axis(ndim - 2, 1, size))


@family("LayerNorm")
def layer_norm(draw, cls, *, axes=3, size=4, leading=2):
    """LayerNorm over 1 to ``axes`` trailing axes (normalized_shape an int or a tuple), with
    γ and β, γ only or neither, up to ``leading`` leading axes (none too)."""
    ns = draw(st.lists(st.integers(1, size), min_size=1, max_size=axes).map(tuple))
    layer = cls(ns[0] if len(ns) == 1 and draw(st.booleans()) else ns,
                eps=draw(st.sampled_from(EPS)), elementwise_affine=draw(st.booleans()),
                bias=draw(st.booleans()))
    trained(layer, draw(seeds))
    return layer, tuple(draw(st.lists(st.integers(1, 3), max_size=leading))) + ns


@family("GroupNorm")
def group_norm(draw, cls, *, groups=3, per_group=2, batch=2, size=3):
    """GroupNorm: 1 to ``groups`` groups of 1 to ``per_group`` channels, affine or not, 0 to
    2 spatial axes; never the one-value input torch refuses."""
    g = draw(st.integers(1, groups))
    c = g * draw(st.integers(1, per_group))
    layer = cls(g, c, eps=draw(st.sampled_from(EPS)), affine=draw(st.booleans()))
    trained(layer, draw(seeds))
    sizes = tuple(draw(st.lists(st.integers(1, size), max_size=2)))
    n = draw(st.integers(1, batch))
    if n * (c // g) * int(np.prod(sizes)) == 1:
        n = 2
    return layer, (n, c) + sizes


@family("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d")
def instance_norm(draw, cls, *, channels=3, batch=2, size=4):
    """InstanceNorm{1,2,3}d, batched or not, affine or not, with or without running
    statistics (then used, as in torch's eval); more than one spatial element when the
    input's statistics are used, as torch demands."""
    nd, c = spatial(cls), draw(st.integers(1, channels))
    tracked = draw(st.booleans())
    layer = cls(c, eps=draw(st.sampled_from(EPS)), affine=draw(st.booleans()),
                track_running_stats=tracked)
    trained(layer, draw(seeds))
    sizes = draw(per_axis(nd, 1, size if nd < 3 else 3))
    if not tracked and int(np.prod(sizes)) == 1:
        sizes = (2,) + sizes[1:]
    return layer, draw(lead(c, batch)) + sizes
