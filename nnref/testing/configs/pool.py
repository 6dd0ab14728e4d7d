"""Strategies of MaxPool1d/2d/3d and AvgPool1d/2d/3d."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, lead, spatial, windows


@family("MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d")
def pool(draw, cls, *, kernel=3, stride=3, channels=3, batch=2, extra=3):
    """MaxPool/AvgPool{1,2,3}d: per-axis kernel, stride, padding (at most half the kernel),
    dilation (max pools), ceil_mode, count_include_pad (avg pools), unbatched or not."""
    nd, is_max = spatial(cls), cls.__name__.startswith("Max")
    k, s, p, d, sizes = draw(windows(nd, kernel, stride, 2 if is_max else 1, kernel,
                                     half_kernel=True, extra=extra))
    ceil_mode = draw(st.booleans())
    if is_max:
        layer = cls(k, s, p, d, ceil_mode)
    else:
        layer = cls(k, s, p, ceil_mode, count_include_pad=draw(st.booleans()))
    return layer, draw(lead(draw(st.integers(1, channels)), batch)) + sizes
