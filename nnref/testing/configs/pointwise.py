"""Strategy of PointwiseConv2d."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, per_axis, seeds


@family("PointwiseConv2d")
def pointwise(draw, cls, *, channels=4, batch=2, size=3):
    cin, cout = draw(st.integers(1, channels)), draw(st.integers(1, channels))
    layer = cls(cin, cout, bias=draw(st.booleans()), rng=draw(seeds))
    return layer, (draw(st.integers(1, batch)), cin) + draw(per_axis(2, 1, size))
