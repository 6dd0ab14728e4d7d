"""Strategies of MatMul, BatchMatMul, BAddBMM and FunctionalLinear: the input shape is the
tuple of the operands' shapes."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, per_axis


@st.composite
def lead_of(draw, batch):
    """Leading axes that broadcast to ``batch``: a suffix of it, some axes set to 1."""
    kept = batch[len(batch) - draw(st.integers(0, len(batch))):]
    return tuple(1 if draw(st.booleans()) else b for b in kept)


@family("MatMul")
def matmul(draw, cls, *, batch=2, size=3):
    """MatMul: 1-D, 2-D and batched operands, the batch axes broadcast both ways (missing
    axes, size-1 axes), on either side."""
    full = tuple(draw(st.lists(st.integers(1, size), max_size=batch)))
    m, k, n = draw(per_axis(3, 1, size))
    a = (k,) if draw(st.integers(0, 3)) == 0 else draw(lead_of(full)) + (m, k)
    b = (k,) if draw(st.integers(0, 3)) == 0 else draw(lead_of(full)) + (k, n)
    return cls(), (a, b)


@family("BatchMatMul")
def bmm(draw, cls, *, size=3):
    b, n, m, p = draw(per_axis(4, 1, size))
    return cls(), ((b, n, m), (b, m, p))


@family("BAddBMM")
def baddbmm(draw, cls, *, size=3):
    """BAddBMM: an input broadcast to (B, N, P) from fewer or size-1 axes; beta 0, 1 or
    neither, alpha 1, 0 or neither (M·N·P < 400: torch's own kernel, which multiplies by
    alpha = 0 too, rather than BLAS)."""
    b, n, m, p = draw(per_axis(4, 1, size))
    layer = cls(beta=draw(st.sampled_from([1.0, 0.0, 0.5, -2.0])),
                alpha=draw(st.sampled_from([1.0, 2.0, 0.0, -0.5])))
    return layer, (draw(lead_of((b, n, p))), (b, n, m), (b, m, p))


@family("FunctionalLinear")
def functional_linear(draw, cls, *, features=5, leading=2, size=3):
    """F.linear: any number of leading axes, weight (O, I) or (I,), bias or not."""
    i, o = draw(st.integers(1, features)), draw(st.integers(1, features))
    x = tuple(draw(st.lists(st.integers(1, size), max_size=leading))) + (i,)
    layer = cls(bias=draw(st.booleans()))
    w = (i,) if not layer.bias and draw(st.booleans()) else (o, i)  # torch: no bias for 1-D
    return layer, ((x, w, w[:-1]) if layer.bias else (x, w))
