"""Strategy of DepthwiseConv2d."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, seeds, windows


@family("DepthwiseConv2d")
def depthwise(draw, cls, *, channels=3, multiplier=2, batch=2, kernel=3, most=2, extra=3,
               taps=("dense", "skip")):
    """DepthwiseConv2d: depth multiplier, per-axis geometry as the convolutions, both modes."""
    c = draw(st.integers(1, channels))
    k, s, p, d, sizes = draw(windows(2, kernel, most, most, most, extra=extra))
    layer = cls(c, k, draw(st.integers(1, multiplier)), s, p, d, bias=draw(st.booleans()),
                padding_taps=draw(st.sampled_from(taps)), rng=draw(seeds))
    return layer, (draw(st.integers(1, batch)), c) + sizes
