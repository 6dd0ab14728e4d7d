"""Strategies of the adaptive max and average pools."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, lead, per_axis, spatial


@family("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d")
def adaptive(draw, cls, *, size=None, channels=3, batch=2):
    """Adaptive pools: output sizes below, equal to or above the input (overlapping or
    repeating windows), None (keep the input size), a plain int for 1-D; input sizes up
    to ``size`` (default 7, 5 for 3-D)."""
    nd = spatial(cls)
    size = size or (5 if nd == 3 else 7)
    sizes = draw(per_axis(nd, 1, size))
    out = tuple(draw(st.one_of(st.none(), st.integers(1, size + 1))) for _ in range(nd))
    if nd == 1 and out[0] is not None and draw(st.booleans()):
        out = out[0]
    return cls(out), draw(lead(draw(st.integers(1, channels)), batch)) + sizes
