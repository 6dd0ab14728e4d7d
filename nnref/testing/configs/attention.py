"""Strategies of ScaledDotProductAttention and MultiheadAttention: the input shape is the
tuple of query's, key's and value's shapes (one shape for self-attention)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ._draw import family, per_axis, seeds


def randomised(layer, seed=1):
    """``layer`` with every parameter drawn from N(0, 0.5²), so that no bias is 0."""
    rng = np.random.default_rng(seed)
    for name, value in layer.parameters().items():
        setattr(layer, name, (rng.standard_normal(np.shape(value)) * 0.5).astype(np.float32))
    return layer


@st.composite
def mask(draw, shape, bool_mask=True, scale=1.0):
    """A mask of ``shape``: bool (True one time in 2 or 3), or float with −inf entries."""
    rng = np.random.default_rng(draw(seeds))
    if bool_mask:
        return rng.random(shape) > draw(st.sampled_from([0.3, 0.5]))
    values = (rng.standard_normal(shape) * scale).astype(draw(st.sampled_from([np.float64,
                                                                               np.float32])))
    return np.where(rng.random(shape) > 0.3, values, -np.inf).astype(values.dtype)


@family("ScaledDotProductAttention")
def sdpa(draw, cls, *, batch=2, size=3):
    """ScaledDotProductAttention on 2-D to 4-D operands whose batch axes broadcast (size-1
    and missing axes on any operand), grouped-query heads, no mask, a bool or float mask of
    a broadcastable shape or is_causal, a scale or none, both mask modes. Scales are
    positive: torch's math kernel multiplies q and k by √scale, a NaN for a negative one
    (nnref computes softmax(scale·QKᵀ) as written)."""
    lead = tuple(draw(st.lists(st.integers(1, batch), max_size=2)))
    L, S, E, Ev = draw(per_axis(4, 1, size))
    gqa = len(lead) >= 1 and draw(st.booleans())
    divisors = [h for h in range(1, lead[-1] + 1) if lead[-1] % h == 0] if lead else []

    def axes(within, query=False):  # batch axes broadcasting to ``within``, some 1 or cut
        a = tuple(1 if draw(st.booleans()) else b for b in within)
        if gqa:  # the heads: the query's, or a divisor of them for key and value
            return a[:-1] + ((lead[-1] if query else draw(st.sampled_from(divisors))),)
        return a[draw(st.integers(0, len(a))):]

    qa, ka = axes(lead, query=True), axes(lead)
    tail = 1 if gqa else 0
    scores = np.broadcast_shapes(qa[:len(qa) - tail], ka[:len(ka) - tail])
    va = axes(lead) if gqa else axes(scores)
    if gqa:  # value's outer axes broadcast to the scores' too
        va = tuple(1 if s == 1 else a for a, s in zip(va[:-1], (1,) * (len(va) - 1 - len(scores))
                                                      + tuple(scores))) + va[-1:]
    shapes = (qa + (L, E), ka + (S, E), va + (S, Ev))
    kind = draw(st.sampled_from(["none", "bool", "float", "causal"]))
    tail = 3 if gqa else 2
    grid = (np.broadcast_shapes(*(x[:-tail] for x in shapes)) + shapes[0][-3:-2] * gqa
            + (L, S))
    m = None
    if kind in ("bool", "float"):
        mshape = tuple(1 if draw(st.booleans()) else g for g in grid)[
            draw(st.integers(0, len(grid) - 2)):]
        m = draw(mask(mshape, kind == "bool"))
    layer = cls(m, is_causal=kind == "causal", scale=draw(st.sampled_from([None, 0.5, 2.0])),
                enable_gqa=gqa, mask_mode=draw(st.sampled_from(["dense", "skip"])))
    return layer, shapes


@family("MultiheadAttention")
def mha(draw, cls, *, batch=2, size=3):
    """MultiheadAttention: self- (one shape) or cross-attention (kdim, vdim), batched either
    way or unbatched, bias, add_bias_kv, add_zero_attn, key_padding_mask and attn_mask (2-D
    or 3-D, bool or float, fully masked rows too), the is_causal hint, need_weights,
    average_attn_weights, both mask modes; every parameter random (no zero bias)."""
    H, d = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    E, N, L = H * d, draw(st.integers(1, batch)), draw(st.integers(1, size))
    cross, batched, bf = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    S = draw(st.integers(1, size)) if cross else L
    kdim, vdim = (draw(st.integers(1, size)), draw(st.integers(1, size))) if cross else (E, E)
    padded = draw(st.booleans()), draw(st.booleans())  # add_bias_kv, add_zero_attn
    causal = not cross and not any(padded) and draw(st.integers(0, 3)) == 0
    n = N if batched else 1
    kpm = None if causal or draw(st.booleans()) else draw(mask((n, S) if batched else (S,),
                                                             draw(st.booleans()), 3.0))
    if causal:
        am = np.triu(np.ones((L, S), bool), 1)
    elif draw(st.booleans()):
        am = draw(mask(draw(st.sampled_from([(L, S), (n * H, L, S) if batched else (H, L, S)])),
                       draw(st.booleans()), 3.0))
    else:
        am = None
    layer = cls(E, H, bias=draw(st.booleans()), add_bias_kv=padded[0], add_zero_attn=padded[1],
                kdim=kdim, vdim=vdim, batch_first=bf, key_padding_mask=kpm,
                need_weights=draw(st.booleans()), attn_mask=am,
                average_attn_weights=draw(st.booleans()), is_causal=causal,
                mask_mode=draw(st.sampled_from(["dense", "skip"])), rng=draw(seeds))
    randomised(layer, draw(seeds))

    def shape(t, f):
        return ((N, t, f) if bf else (t, N, f)) if batched else (t, f)

    if not cross:
        return layer, shape(L, E)
    return layer, (shape(L, E), shape(S, kdim), shape(S, vdim))
