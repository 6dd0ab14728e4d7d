"""Strategy of Add."""
from __future__ import annotations

from ._draw import family, shapes


@family("Add")
def add(draw, cls, *, dims=4, size=4):
    """Add of two operands of one shape (0-d too)."""
    return cls(), draw(shapes(0, dims, size))
