"""Step-through records: values == layer output, last counts == kernel counts, per-tap mode."""
import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import FACTORIES

from nnref.counting import OpCounts
from nnref.layers.activation import ReLU
from nnref.layers.conv import Conv1d, Conv2d, Conv3d
from nnref.layers.dense import Dense
from nnref.layers.pool import AvgPool1d, MaxPool1d
from nnref.trace.steps import STEP_KINDS, Step, Tap, steps


#: Every layer class the step-through supports.
KINDS = sorted({*STEP_KINDS, "Linear"})


def draw_case(data, name):
    """A small layer of class ``name`` and a finite float64 input (the records are
    compared with exact arithmetic on the input values)."""
    return data.draw(FACTORIES[name](nan=False, dtypes=(np.float64,)), label="layer, x")


def finals(records):
    return [s for s in records if s.done]


@pytest.mark.parametrize("name", KINDS)
@given(data=st.data())
def test_values_and_last_counts_equal_the_layer(name, data):
    layer, x = draw_case(data, name)
    y, ops = layer(x)
    records = list(steps(layer, x))
    assert [s.index for s in records] == list(np.ndindex(*y.shape))  # row-major, all once
    assert all(s.done and s.total == y.size for s in records)
    assert [s.number for s in records] == list(range(1, y.size + 1))
    np.testing.assert_allclose([s.value for s in records], y.ravel(), rtol=1e-10, atol=1e-12)
    assert records[-1].counts == ops


@pytest.mark.parametrize("name", KINDS)
@given(data=st.data())
def test_per_tap_ends_each_output_like_per_output(name, data):
    layer, x = draw_case(data, name)
    whole = list(steps(layer, x))
    taps = list(steps(layer, x, per_tap=True))
    assert len(taps) == taps[0].total == sum(max(1, len(s.taps)) for s in whole)
    assert finals(taps) == [dataclasses.replace(s, number=t.number, total=t.total)
                            for s, t in zip(whole, finals(taps))]
    for a, b in zip(taps, taps[1:]):  # counts only grow; taps grow one at a time in a window
        assert all(u <= v for u, v in zip(a.counts.as_tuple(), b.counts.as_tuple()))
        if not a.done:
            assert b.index == a.index and b.taps[:-1] == a.taps


@pytest.mark.parametrize("name", KINDS)
@given(data=st.data())
def test_tap_arithmetic_adds_up(name, data):
    layer, x = draw_case(data, name)
    for s in steps(layer, x):
        running = None
        for t in s.taps:
            if not t.in_padding or getattr(layer, "padding_mode", "zeros") == "zeros":
                assert t.x == (0.0 if t.in_padding else x[t.input])  # reflect etc.: input values
            if s.op == "sum":
                assert t.product == t.x * t.w
                running = t.product if running is None else running + t.product
            elif s.op == "max":
                running = t.x if running is None else max(running, t.x)
            else:
                running = t.x if running is None else running + t.x
            assert t.partial == running
        if s.op == "sum" and s.taps:
            assert s.value == (running if s.bias is None else running + s.bias)
        if s.op == "avg":
            assert s.value == running / s.divisor


def test_conv_3x3_padded_by_hand():  # the example of tests/data/step_conv_1x1x4x4_k3_p1.txt
    layer = Conv2d(1, 1, 3, padding=1)
    layer.weight = np.array([[[[1.0, 0, -1], [2, 1, 0], [0, -1, 1]]]])
    layer.bias = np.array([1.0])
    x = np.array([[1.0, 2, 0, 3], [0, 1, 2, 1], [3, 0, 1, 2], [1, 1, 0, 2]]).reshape(1, 1, 4, 4)
    first, second = list(steps(layer, x))[:2]
    assert [t.in_padding for t in first.taps] == [True] * 4 + [False, False, True, False, False]
    assert [t.product for t in first.taps] == [0, 0, 0, 0, 1, 0, 0, 0, 1]
    assert first.taps[4] == Tap((0, 1, 1), (0, 0, 0, 0), False, 1.0, 1.0, 1.0, 1.0)
    assert (first.value, first.counts) == (3.0, OpCounts(mul=9, add=9))
    assert (second.value, second.counts) == (6.0, OpCounts(mul=18, add=18))  # 2+2−1+2 = 5, +1


def test_skip_mode_window_on_padding_only():  # k=1, p=1: windows on padding have no taps
    layer = Conv1d(1, 1, 1, padding=1, algorithm="naive", padding_taps="skip")
    layer.weight, layer.bias = np.array([[[2.0]]]), np.array([1.0])
    records = list(steps(layer, np.array([[[5.0]]]), per_tap=True))
    assert [(len(s.taps), s.value) for s in records] == [(0, 1.0), (1, 11.0), (0, 1.0)]
    assert records[-1].counts == OpCounts(mul=1, add=1)


def test_max_pool_window_on_padding_is_minus_inf_without_cmp():  # dilation 2 jumps over x
    records = list(steps(MaxPool1d(2, 1, 1, dilation=2), np.array([[[7.0]]])))
    assert [s.value for s in records] == [-math.inf]
    assert records[0].counts == OpCounts()


def test_avg_pool_divisor_counts_padding_by_hand():
    records = list(steps(AvgPool1d(2, 2, 1), np.array([[[4.0, 2.0, 6.0]]])))
    assert [(s.value, s.divisor) for s in records] == [(2.0, 2), (4.0, 2)]


def test_steps_are_frozen():
    s = next(steps(Dense(2, 1), np.ones((1, 2))))
    assert isinstance(s, Step)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.value = 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.taps[0].x = 1.0


def test_too_many_steps_says_the_limit_and_the_way_around():
    x = np.zeros((1, 1, 10, 10))
    with pytest.raises(ValueError, match=r"needs 64 steps.*max_steps=50.*--max-steps"):
        steps(Conv2d(1, 1, 3), x, max_steps=50)  # raised at the call, not on iteration
    with pytest.raises(ValueError, match=r"needs 576 steps \(taps\).*max_steps=100"):
        steps(Conv2d(1, 1, 3), x, per_tap=True, max_steps=100)
    assert len(list(steps(Conv2d(1, 1, 3), x, max_steps=64))) == 64


@pytest.mark.parametrize("layer,x,error,match", [
    (Conv2d(2, 1, 3), np.zeros((1, 3, 5, 5)), ValueError, "channels"),
    (Conv2d(1, 1, 3), np.zeros((1, 1, 5, 5), int), TypeError, "dtype"),
    (Dense(3, 1), np.zeros((2, 4)), ValueError, "in_features"),
    (Conv3d(1, 1, 1), np.zeros((1, 1, 2, 2, 2)), TypeError, "step-through"),
    (ReLU(), np.zeros(3), TypeError, "step-through"),
    (Conv2d(1, 1, 1), np.zeros((1, 1, 2, 2)), TypeError, "max_steps"),
])
def test_rejects_like_the_layer(layer, x, error, match):
    kw = {"max_steps": "10"} if match == "max_steps" else {}
    with pytest.raises(error, match=match):
        steps(layer, x, **kw)
