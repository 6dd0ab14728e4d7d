"""Strategies of Upsample, UpsamplingNearest2d and UpsamplingBilinear2d."""
from __future__ import annotations

from hypothesis import strategies as st

from ._draw import family, per_axis

#: Upsample's modes and their number of spatial axes (None: 1, 2 or 3).
MODES_UPSAMPLE = {"nearest": None, "nearest-exact": None, "linear": 1, "bilinear": 2,
                  "trilinear": 3}
#: Scale factors: down, kept, up, and not a ratio of small sizes.
FACTORS = (0.5, 0.75, 1.0, 1.5, 1.7, 2.0, 3.0)


@family("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d")
def upsample(draw, cls, *, size=4, channels=2, batch=2):
    """Upsample (every mode, 1-D to 3-D), UpsamplingNearest2d and UpsamplingBilinear2d:
    ``size`` or ``scale_factor`` (one for all axes or one per axis, down, kept or up),
    ``align_corners`` and ``recompute_scale_factor`` each None, True or False where valid."""
    name = cls.__name__
    mode = draw(st.sampled_from(sorted(MODES_UPSAMPLE))) if name == "Upsample" else None
    nd = 2 if mode is None else (MODES_UPSAMPLE[mode] or draw(st.integers(1, 3)))
    sizes = draw(per_axis(nd, 1, size))
    kw = {}
    if draw(st.booleans()):
        kw["size"] = draw(st.one_of(st.integers(1, size + 2), per_axis(nd, 1, size + 2)))
    else:
        ok = [f for f in FACTORS if all(int(i * f) >= 1 for i in sizes)]
        kw["scale_factor"] = draw(st.one_of(st.sampled_from(ok), st.tuples(*[
            st.sampled_from([f for f in FACTORS if int(i * f) >= 1]) for i in sizes])))
        if mode is not None:
            kw["recompute_scale_factor"] = draw(st.sampled_from([None, True, False]))
    if mode is not None:
        kw["mode"] = mode
        if MODES_UPSAMPLE[mode]:
            kw["align_corners"] = draw(st.sampled_from([None, True, False]))
    return cls(**kw), (draw(st.integers(1, batch)), draw(st.integers(1, channels))) + sizes
