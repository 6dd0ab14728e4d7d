"""Strategies of ConvTranspose1d, ConvTranspose2d and ConvTranspose3d."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, per_axis, seeds, spatial

#: The (algorithm, padding_taps) pairs of ConvTranspose{1,2,3}d (col2im is dense only).
MODES_TRANSPOSED = (("col2im", "dense"), ("naive", "dense"), ("naive", "skip"))


@family("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
def conv_transpose(draw, cls, *, modes=MODES_TRANSPOSED, groups=2, per_group=2, batch=2,
                   kernel=None, most=2, size=3):
    """ConvTranspose1d/2d/3d: per-axis kernel, stride and dilation up to ``most`` (strides
    below, equal to and above the kernel: overlapping windows, and outputs no tap reaches),
    padding up to the largest that leaves an output, output padding below the stride or
    the dilation, groups, bias or not, every (algorithm, padding_taps) of ``modes``."""
    nd = spatial(cls)
    kernel = kernel or (2 if nd == 3 else 3)
    g = draw(st.integers(1, groups))
    cin, cout = g * draw(st.integers(1, per_group)), g * draw(st.integers(1, per_group))
    k, s, d = draw(per_axis(nd, 1, kernel)), draw(per_axis(nd, 1, most)), draw(per_axis(nd, 1, most))
    q = tuple(draw(st.integers(0, max(ss, dd) - 1)) for ss, dd in zip(s, d))
    sizes = draw(per_axis(nd, 1, size if nd < 3 else 2))
    p = tuple(draw(st.integers(0, min(most + 1, ((i - 1) * ss + dd * (kk - 1) + qq) // 2)))
              for i, kk, ss, dd, qq in zip(sizes, k, s, d, q))
    algorithm, padding_taps = draw(st.sampled_from(modes))
    layer = cls(cin, cout, k, s, p, q, g, draw(st.booleans()), d, algorithm=algorithm,
                padding_taps=padding_taps, rng=draw(seeds))
    return layer, (draw(st.integers(1, batch)), cin) + sizes
