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
    p, s, sizes, padding_mode = draw(torch_padding(k, s, p, d, sizes, padding_taps))
    layer = cls(cin, cout, k, s, p, d, g, bias=draw(st.booleans()), padding_mode=padding_mode,
                algorithm=algorithm, padding_taps=padding_taps, rng=draw(seeds))
    return layer, (draw(st.integers(1, batch)), cin) + sizes


@st.composite
def torch_padding(draw, k, s, p, d, sizes, padding_taps):
    """torch's padding arguments for a convolution's drawn geometry: sometimes "same"
    (then stride 1; refused with "skip" for an even dilated kernel) or "valid", and a
    ``padding_mode`` (reflect, replicate, circular with "dense" only); sizes grow so that
    reflect padding stays below the input size and circular at most it, as torch needs.
    ``(padding, stride, sizes, padding_mode)``."""
    kind = draw(st.sampled_from(["ints", "ints", "same", "valid"]))
    if kind == "same" and padding_taps == "skip" and any(dd * (kk - 1) % 2 for kk, dd in zip(k, d)):
        kind = "ints"
    if kind == "same":
        s = (1,) * len(k)
        ends = [dd * (kk - 1) - dd * (kk - 1) // 2 for kk, dd in zip(k, d)]
    else:
        ends = list((0,) * len(k) if kind == "valid" else p)
        sizes = tuple(max(i, dd * (kk - 1) + 1 - 2 * e) for i, kk, dd, e in zip(sizes, k, d, ends))
    mode = "zeros" if padding_taps == "skip" else draw(st.sampled_from(
        ["zeros", "reflect", "replicate", "circular"]))
    sizes = tuple(max(i, e + (mode == "reflect")) if mode in ("reflect", "circular") else i
                  for i, e in zip(sizes, ends))
    return {"same": "same", "valid": "valid"}.get(kind, p), s, sizes, mode
