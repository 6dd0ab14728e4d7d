"""Strategy of Mean."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, shapes


@family("Mean")
def mean(draw, cls, *, dims=4, size=4):
    """Mean over all axes (dim None), one axis or several (negative too), keepdim or not,
    on any shape (0-d too)."""
    shape = draw(shapes(0, dims, size))
    n = max(len(shape), 1)
    which = draw(st.sampled_from(["all", "one", "some"]))
    if which == "all":
        dim = None
    elif which == "one":
        dim = draw(st.integers(-n, n - 1))
    else:
        axes = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
        dim = tuple(a - n if draw(st.booleans()) else a for a in axes)
    return cls(dim, keepdim=draw(st.booleans())), shape
