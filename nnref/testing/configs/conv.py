"""Strategies of Conv1d, Conv2d and Conv3d."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import MODES, family, seeds, spatial, windows


@family("Conv1d", "Conv2d", "Conv3d")
def conv(draw, cls, *, modes=MODES, groups=3, per_group=2, batch=2, kernel=None, most=2,
          extra=None):
    """Conv1d/2d/3d: non-square kernels, unequal strides and dilations per axis, padding up
    to ``most`` (so larger than a small kernel), groups up to ``groups`` (depthwise when
    each group has one input channel), bias or not, every (algorithm, padding_taps) of
    ``modes``, batch up to ``batch``."""
    nd = spatial(cls)
    kernel = kernel or (2 if nd == 3 else 3)
    extra = (2 if nd == 3 else 3) if extra is None else extra
    g = draw(st.integers(1, groups))
    cin, cout = g * draw(st.integers(1, per_group)), g * draw(st.integers(1, per_group))
    k, s, p, d, sizes = draw(windows(nd, kernel, most, most, most, extra=extra))
    algorithm, padding_taps = draw(st.sampled_from(modes))
    layer = cls(cin, cout, k, s, p, d, g, bias=draw(st.booleans()), algorithm=algorithm,
                padding_taps=padding_taps, rng=draw(seeds))
    return layer, (draw(st.integers(1, batch)), cin) + sizes
