"""Strategy of Add, Sub, Mul and Div: tensor ⊙ tensor with broadcasting, or tensor ⊙ number."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ._draw import family, shapes


@family("Add", "Sub", "Mul", "Div")
def binary(draw, cls, *, dims=4, size=4):
    """Two operands whose shapes broadcast (axes of the smaller set to 1 or dropped from the
    left, on either side; 0-d too): input shape ``(shape_a, shape_b)``; or one operand and a
    number on either side; inplace or not (with two operands, when the first has the
    output's shape)."""
    shape = draw(shapes(0, dims, size))
    if draw(st.booleans()):  # a tensor and a number
        return cls(draw(st.sampled_from([0.5, -2.0, 3.0, 0.0])), reverse=draw(st.booleans()),
                   inplace=draw(st.booleans())), shape
    small = tuple(1 if draw(st.booleans()) else s for s in shape)
    small = small[draw(st.integers(0, len(small))):]
    a, b = (small, shape) if draw(st.booleans()) else (shape, small)
    inplace = a == np.broadcast_shapes(a, b) and draw(st.booleans())
    return cls(inplace=inplace), (a, b)
