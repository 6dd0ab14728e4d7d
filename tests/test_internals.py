"""Pieces under the layers: per-axis tap sums, the njit wrapper, in-place activations,
missing parameters, SI formatting, plan checks."""
import math
import time

import numpy as np
import pytest
from conftest import rand
from hypothesis import given
from hypothesis import strategies as st

from nnref import OpCounts, format_si, shapes
from nnref import conventions, formulas
from nnref.kernels._numba import njit
from nnref.layers import AdaptiveAvgPool1d, BatchNorm2d, Conv2d, Dense, MaxPool1d, ReLU, SiLU
from nnref.models import zoo


@given(i=st.integers(1, 40), k=st.integers(1, 6), s=st.integers(1, 4), p=st.integers(0, 6),
       d=st.integers(1, 3), extra=st.integers(0, 3))
def test_axis_taps_equals_the_window_walk(i, k, s, p, d, extra):
    o = max(1, shapes.conv_out(i, k, s, p, d)) + extra  # also windows past the end
    taps = [shapes.window_taps(i, k, s, p, d, j) for j in range(o)]
    assert shapes.axis_taps(i, k, s, p, d, o) == (sum(taps), sum(t > 0 for t in taps))


@given(i=st.integers(1, 200), o=st.integers(1, 200))
def test_adaptive_total_equals_the_window_walk(i, o):
    sizes = [end - start for start, end in (shapes.adaptive_bounds(i, o, j) for j in range(o))]
    assert shapes.adaptive_total(i, o) == sum(sizes)


def test_formulas_are_exact_and_instant_at_yotta_scale():
    t0 = time.perf_counter()
    n = 10**12
    pool = formulas.for_layer(MaxPool1d(3, 2, 1), (1, 1, n))  # windows: 2 taps, then 3 each
    skip = formulas.for_layer(Conv2d(1, 1, 3, padding=1, padding_taps="skip", algorithm="naive",
                                     bias=False), (1, 1, 1, n))
    avg = formulas.for_layer(AdaptiveAvgPool1d(10**9 + 7), (10**6, 1, n))
    assert time.perf_counter() - t0 < 5
    o = n // 2  # (n + 2 − 3)//2 + 1 outputs; the first has 2 in-bound taps, the others 3
    assert pool == OpCounts(cmp=(3 - 1) * o - 1)
    # 1 row in, 3×3 kernel, pad 1: each output sees 1 row × 3 columns, 2 at the two ends
    assert skip == OpCounts(mul=3 * n - 2, add=3 * n - 2 - n)
    assert avg.div == 10**6 * (10**9 + 7)
    assert avg.add == 10**6 * (n + (10**9 + 7) - math.gcd(n, 10**9 + 7) - (10**9 + 7))
    assert (avg * 10**12).add > 2**63  # still exact Python ints


def test_njit_refuses_signatures_and_other_options():
    with pytest.raises(TypeError, match="func="):
        njit("float64(float64)")
    with pytest.raises(TypeError):
        njit(lambda x: x, **{"fastmath": True})  # numba's full fastmath must not get through
    with pytest.raises(TypeError):
        njit(cache=False)


@pytest.mark.parametrize("layer", [ReLU(inplace=True), SiLU(inplace=True)], ids=repr)
def test_inplace_writes_into_x_like_torch(layer):
    x = rand((2, 5))
    expected, _ = type(layer)()(x.copy())
    y, _ = layer(x)
    np.testing.assert_array_equal(x, expected)
    np.testing.assert_array_equal(y, expected)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="inplace=True"):
        layer(x)


def test_missing_or_unexpected_parameters_are_named():
    dense = Dense(3, 2)
    dense.weight = None
    with pytest.raises(TypeError, match="weight=None"):
        dense(rand((1, 3)))
    bn = BatchNorm2d(2, affine=False)
    bn.weight = np.ones(2, np.float32)
    with pytest.raises(ValueError, match="weight"):
        bn(rand((1, 2, 3, 3)))


@pytest.mark.parametrize("n,text", [(999_999_999, "1 G"), (999_499, "999 k"), (1_005_000, "1.01 M")])
def test_format_si_rounds_across_prefixes(n, text):
    assert format_si(n) == text


def test_plan_with_a_wrong_output_shape_is_rejected():
    plan = zoo.build("seed_crnn").plan(zoo.input_shape("seed_crnn"))
    name, layer, shape_in, shape_out = plan[0][:4]
    bad = [(name, layer, shape_in, (1,) + tuple(shape_out))] + list(plan[1:])
    with pytest.raises(ValueError, match="output_shape"):
        conventions.thop(bad)
    with pytest.raises(TypeError, match="tools"):
        conventions.compare(plan, tools="thop")
