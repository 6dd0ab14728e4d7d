"""Upsample, UpsamplingNearest2d, UpsamplingBilinear2d: the hand-counted checklist, torch's
size / scale_factor / align_corners / recompute_scale_factor semantics, bad arguments, and
every tool's rule against the real tool, live.

Torch agreement, NaN, threads and kernel = traced = formula on every configuration are
in tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from catalogue import twin
from conftest import assert_close_torch, rand, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from live_tools import live, nnref_side, one
from strategies import STRATEGIES

from nnref import OpCounts, formulas
from nnref.layers import Conv2d, ReLU, Upsample, UpsamplingBilinear2d, UpsamplingNearest2d
from nnref.models import Sequential

F = torch.nn.functional
#: One output index's coordinate and weights (align_corners False / True), from the README.
COORD = {False: OpCounts(add=1, mul=1, sub=3, cmp=2), True: OpCounts(mul=1, sub=2, cmp=1)}


def check(layer, shape, ops):
    """torch's values (an infinity and a NaN included) and the counts by hand."""
    x = rand(shape, np.float64, seed=1)
    y, got = layer(x)
    assert_close_torch(y, twin(layer, x))
    assert got == ops == formulas.for_layer(layer, shape)
    x.flat[[0, -1]] = np.inf, np.nan
    assert_close_torch(layer(x)[0], twin(layer, x))
    return y


# -- the checklist ------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
def test_nearest_is_arithmetic_free(mode):
    check(Upsample(scale_factor=(1.5, 2.5), mode=mode), (2, 3, 4, 5), OpCounts())


def test_linear_doubling():  # one ratio, 8 coordinates, 8 blends of 2
    check(Upsample(scale_factor=2, mode="linear"), (1, 1, 4),
          OpCounts(div=1) + COORD[False] * 8 + OpCounts(mul=2, add=1) * 8)


def test_bilinear_align_corners_to_one_row():  # H: O = 1, r = 0, no div; W: 3 → 5
    check(Upsample(size=(1, 5), mode="bilinear", align_corners=True), (1, 1, 2, 3),
          COORD[True] * 1 + OpCounts(div=1) + COORD[True] * 5 + OpCounts(mul=6, add=3) * 5)


def test_trilinear_with_kept_axes():  # D and W keep their sizes: only H's 3 coordinates
    check(Upsample(size=(2, 3, 3), mode="trilinear"), (2, 1, 2, 2, 3),
          OpCounts(div=1) + COORD[False] * 3 + OpCounts(mul=14, add=7) * 2 * 18)


def test_kept_size_still_blends_as_torch():  # weights 1 and 0: inf·0 gives NaN, as in torch
    layer = Upsample(scale_factor=1.0, mode="linear")
    y = check(layer, (1, 2, 4), OpCounts(mul=2, add=1) * 8)
    x = np.array([[[0.0, np.inf, 2.0, 3.0]]])
    assert np.isnan(layer(x)[0][0, 0, 1]) and np.isnan(twin(layer, x).numpy()[0, 0, 1])
    assert y.shape == (1, 2, 4)


def test_per_output_counts_scale_with_planes_but_coordinates_do_not():
    layer = Upsample(scale_factor=2, mode="bilinear")
    one_plane = formulas.for_layer(layer, (1, 1, 3, 3))
    six = formulas.for_layer(layer, (2, 3, 3, 3))
    assert six.mul - one_plane.mul == 5 * 36 * 6
    assert six.div == one_plane.div == 2 and six.cmp == one_plane.cmp == 24


@pytest.mark.parametrize("mode", ["linear", "nearest", "nearest-exact"])
def test_recompute_scale_factor_changes_values_not_counts(mode):
    x = rand((1, 2, 5))
    given_, recomputed = (Upsample(scale_factor=1.7, mode=mode, recompute_scale_factor=r)
                          for r in (False, True))
    (y1, ops1), (y2, ops2) = given_(x), recomputed(x)
    assert_close_torch(y1, twin(given_, x))
    assert_close_torch(y2, twin(recomputed, x))
    assert ops1 == ops2
    assert not np.allclose(y1, y2)  # r = 1/1.7 against 5/8


def test_subclasses_are_torch_s():
    check(UpsamplingBilinear2d(scale_factor=2), (1, 2, 3, 3),
          (OpCounts(div=1) + COORD[True] * 6) * 2 + OpCounts(mul=6, add=3) * 72)
    check(UpsamplingNearest2d(size=(5, 7)), (1, 2, 3, 4), OpCounts())
    assert UpsamplingBilinear2d(scale_factor=2).align_corners is True


# -- bad arguments ---------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,error,match", [
    (dict(size=4, scale_factor=2), ValueError, "size=4 and scale_factor=2 are both given; "
                                               "expected exactly one"),
    (dict(), ValueError, "are neither given; expected exactly one"),
    (dict(size=2, mode="bicubic"), ValueError, r"mode='bicubic' is invalid \(not supported"),
    (dict(size=2, mode="area"), ValueError, "mode='area' is invalid"),
    (dict(size=2, mode="cubic"), ValueError, "mode='cubic' is invalid; expected one of"),
    (dict(size=2, align_corners=True), ValueError, "align_corners=True is invalid with "
                                                   "mode='nearest'"),
    (dict(size=2, mode="linear", recompute_scale_factor=True), ValueError,
     "recompute_scale_factor=True is invalid with size=2"),
    (dict(scale_factor=0), ValueError, "scale_factor=0 is invalid; expected a finite number > 0"),
    (dict(scale_factor=(2, float("inf"))), ValueError, r"scale_factor=\(2, inf\) is invalid"),
    (dict(scale_factor="2"), TypeError, "scale_factor='2' is invalid"),
    (dict(size=(2, 0)), ValueError, r"size=\(2, 0\) is invalid"),
    (dict(size=2.5), TypeError, "size=2.5 is invalid"),
    (dict(size=()), ValueError, r"size=\(\) is invalid"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        Upsample(**kwargs)


@pytest.mark.parametrize("layer,shape,match", [
    (Upsample(size=4, mode="bilinear"), (1, 2, 5), r"mode='bilinear' expected 4-D"),
    (Upsample(size=(4, 5)), (1, 2, 5), r"size=\(4, 5\) has 2 entries for an input with 1"),
    (Upsample(scale_factor=0.1), (1, 2, 5), r"gives output sizes \(0,\); expected sizes of at"),
    (UpsamplingNearest2d(size=3), (1, 2, 5), "expected 4-D"),
])
def test_bad_input_is_named(layer, shape, match):
    with pytest.raises(ValueError, match=match):
        layer.output_shape(shape)


# -- every tool, live ---------------------------------------------------------------------------
def torch_module(layer):
    if layer.kind != "Upsample":
        return getattr(torch.nn, layer.kind)(layer.size, layer.scale_factor)
    return torch.nn.Upsample(layer.size, layer.scale_factor, layer.mode, layer.align_corners,
                             layer.recompute_scale_factor)


class Interpolate(torch.nn.Module):
    """``F.interpolate`` called as a function, with the nnref layer's arguments."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        return F.interpolate(x, self.layer.size, self.layer.scale_factor, self.layer.mode,
                             self.layer.align_corners,
                             recompute_scale_factor=self.layer.recompute_scale_factor)


def test_the_tools_live_on_a_decoder():
    """Conv, bilinear ×2, ReLU, Conv: ptflops counts the Upsample twice (hook and F.interpolate)."""
    up = Upsample(scale_factor=2, mode="bilinear")
    model = Sequential(Conv2d(3, 4, 3, padding=1, rng=0), up, ReLU(), Conv2d(4, 2, 1, rng=1))
    twin_model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch_module(up),
                                     torch.nn.ReLU(), torch.nn.Conv2d(4, 2, 1))
    shape = (2, 3, 5, 5)
    plan = model.plan(shape)
    got = live(twin_model, torch.zeros(shape))
    assert got == nnref_side(plan)
    convs = nnref_side([plan[0], plan[3]])
    assert got["thop"] - convs["thop"] == 11 * 2 * 4 * 100  # 11 per bilinear output
    # ptflops: Upsample hook numel(output[0]) = 400, ÷ batch 2, + F.interpolate 2·4·25 × 2²;
    # ReLU hook 800 ÷ 2, + F.relu 800
    assert got["ptflops"] - convs["ptflops"] == 400 // 2 + 800 + 800 // 2 + 800


@pytest.mark.parametrize("name", ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"])
@settings(max_examples=10)
@given(data=st.data(), functional=st.booleans())
def test_every_rule_equals_the_real_tool(name, data, functional):
    layer, x = data.draw(STRATEGIES[name], label="layer, x")
    module = Interpolate(layer) if functional and name == "Upsample" else torch_module(layer)
    calls = ("l",) if functional and name == "Upsample" else ()
    assert live(module, torch.zeros(x.shape)) == nnref_side(one(layer, x.shape), functional=calls)
