"""Every public layer class through the same checks, on its catalogue entries and drawn ones.

On every entry of tests/catalogue.py (one per class, plus variants for other code paths):
outputs equal torch's in float32 and float64, NaN and infinities propagate as in torch
and change no count, counts and values are identical with 1 and 2 numba threads (on
inputs split into several tasks), and bad arguments or inputs are a ValueError/TypeError
naming the culprit, never a numba error. On the configurations that tests/strategies.py
draws for every class with constructor arguments: outputs and output shapes equal torch's.
A new layer class without a catalogue line fails ``test_catalogue_is_every_layer``.
"""
import inspect
import re
from functools import partial

import numpy as np
import pytest
from catalogue import (CATALOGUE, CLASSES, NAMES, NO_KERNEL, class_of, first, inputs,
                       make, poison, twin)
from conftest import assert_close_torch, with_threads
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import STRATEGIES

import nnref
from nnref import OpCounts
from nnref import formulas
from nnref.layers import LAYERS


def test_catalogue_is_every_layer():
    missing = sorted(set(LAYERS) - set(CATALOGUE))
    assert not missing, f"no line in tests/catalogue.py for {missing}"
    unknown = sorted(name for name in CATALOGUE if class_of(name) not in LAYERS)
    assert not unknown, f"catalogue entries of no layer class: {unknown}"


def run(layer, *xs):
    """``layer`` on copies of ``xs`` (an inplace layer writes into its input)."""
    return layer(*(np.copy(x) for x in xs))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_torch(name, dtype):
    layer, shape = make(name)
    xs = inputs(name, shape, dtype)
    y, _ = run(layer, *xs)
    assert_close_torch(y, twin(layer, *xs))


@pytest.mark.parametrize("name", NAMES)
def test_nan_and_inf_propagate_like_torch(name):
    layer, shape = make(name)
    xs = inputs(name, shape, np.float32)
    poison(name, layer, xs)  # in the inputs, or in an Embedding's table
    y, ops = run(layer, *xs)
    assert np.isnan(y).any()
    assert_close_torch(y, twin(layer, *xs))
    assert ops == layer(*inputs(name, shape, np.float32))[1]  # NaN changes no count


@pytest.mark.parametrize("name", sorted(STRATEGIES))
@given(data=st.data())
def test_drawn_configuration_matches_torch(name, data):
    layer, x = data.draw(STRATEGIES[name], label="layer, x")
    xs = x if isinstance(x, tuple) else (x,)
    # torch's avg_pool3d alone refuses an input smaller than the kernel, padding or not
    assume(not (name == "AvgPool3d" and any(
        i < k for i, k in zip(xs[0].shape[-3:], layer.kernel_size))))
    y, _ = run(layer, *xs)
    assert_close_torch(y, twin(layer, *xs))
    assert layer.output_shape(tuple(a.shape for a in xs) if len(xs) != 1 else xs[0].shape) == y.shape


@pytest.fixture
def kernel_tasks(monkeypatch):
    """The number of counter rows (tasks) of each kernel table summed by OpCounts.from_rows."""
    seen, from_rows = [], OpCounts.from_rows.__func__

    def spy(cls, rows):
        seen.append(len(rows))
        return from_rows(cls, rows)

    monkeypatch.setattr(OpCounts, "from_rows", classmethod(spy))
    return seen


@pytest.mark.parametrize("name", NAMES)
def test_counts_and_values_do_not_depend_on_threads(name, kernel_tasks):
    layer, shape = make(name)
    xs = inputs(name, shape, np.float32)
    y1, ops1 = with_threads(1, run, layer, *xs)
    y2, ops2 = with_threads(2, run, layer, *xs)
    assert ops1 == ops2
    np.testing.assert_array_equal(y1, y2)
    if class_of(name) in NO_KERNEL:
        assert ops1 == OpCounts() and kernel_tasks == []
    else:  # more than one task, so that two threads really split the work
        assert kernel_tasks and min(kernel_tasks) >= 2, kernel_tasks


# -- bad arguments -----------------------------------------------------------------------

class Bad:
    """A value no parameter accepts."""

    def __repr__(self):
        return "<Bad>"


@pytest.mark.parametrize("name", CLASSES)
def test_every_constructor_argument_is_checked_by_name(name):
    cls = LAYERS[name]
    args, kwargs, *_ = CATALOGUE[name]
    bound = inspect.signature(cls).bind(*args, **kwargs).arguments
    for param, p in inspect.signature(cls).parameters.items():
        with pytest.raises((TypeError, ValueError), match=f"{param}=<Bad>"):
            if p.kind == p.VAR_POSITIONAL:  # Expand(*sizes)
                cls(Bad(), **{k: v for k, v in bound.items() if k != param})
            else:
                cls(**{**bound, param: Bad()})


@pytest.mark.parametrize("name", [n for n in CLASSES if "rng" in inspect.signature(
    LAYERS[n]).parameters])
@pytest.mark.parametrize("rng,error", [(-1, ValueError), ("seed", TypeError), (1.5, TypeError)])
def test_rng_is_checked_by_name(name, rng, error):
    args, kwargs, *_ = CATALOGUE[name]
    with pytest.raises(error, match="rng="):
        LAYERS[name](*args, **{**kwargs, "rng": rng})


@pytest.mark.parametrize("name", NAMES)
def test_bad_input_shape_is_rejected_by_name(name):
    layer, shape = make(name)
    # bad values for the shape (for shaped operands, MatMul: for the first operand's shape)
    for change, error in [(lambda s: "2,3", TypeError), (np.array, TypeError),
                          (lambda s: (2.5,) + s[1:], TypeError), (lambda s: (True,) + s[1:], TypeError),
                          (lambda s: (0,) + s[1:], ValueError), (lambda s: (-1,) + s[1:], ValueError)]:
        bad = first(name, shape, change)
        for f in (layer.output_shape, partial(formulas.for_layer, layer),
                  partial(nnref.count, layer)):
            with pytest.raises(error, match=r"input_shape(\[\d\])?="):  # [i]: operand i's
                f(bad)


def test_formulas_reject_what_is_not_a_layer():
    for bad in (object(), "ReLU", nnref.layers.ReLU):
        with pytest.raises(TypeError, match="layer="):
            formulas.for_layer(bad, (2, 3))


#: Input dtypes no layer of float values takes, and none of indices (Embedding) takes.
BAD_DTYPES = {False: [np.int64, np.int32, np.bool_, np.complex128, np.float16, object],
              True: [np.float64, np.float32, np.bool_, np.complex128, np.float16, object]}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("which", range(6))
def test_wrong_input_dtype_is_a_type_error(name, which):
    layer, shape = make(name)
    dtype = BAD_DTYPES[CATALOGUE[name].indices][which]
    with pytest.raises(TypeError, match="dtype"):
        if not layer.operands:  # no input (Parameter): the tensor it holds
            type(layer)(np.zeros((2, 3), dtype))
        layer(*[np.zeros(x.shape, dtype) for x in inputs(name, shape)])


@pytest.mark.parametrize("name", NAMES)
def test_nested_lists_are_accepted_like_an_array(name):
    layer, shape = make(name)
    xs = inputs(name, shape)
    y, ops = layer(*xs)
    y_list, ops_list = layer(*(x.tolist() for x in xs))
    np.testing.assert_array_equal(y_list, y)
    assert ops_list == ops


@pytest.mark.parametrize("name", NAMES)
def test_zero_sized_input_is_a_value_error(name):
    layer, shape = make(name)
    with pytest.raises(ValueError, match="shape|size"):
        if not layer.operands:  # no input (Parameter): the tensor it holds
            type(layer)(np.zeros((0, 3)))
        layer(*inputs(name, first(name, shape, lambda s: (0,) + s[1:])))


@pytest.mark.parametrize("name", [n for n in NAMES if not CATALOGUE[n].any_ndim])
def test_wrong_ndim_is_a_value_error_naming_the_shape(name):
    layer, shape = make(name)
    for change in (lambda s: s + (2, 2, 2), lambda s: (3,)):
        bad = first(name, shape, change)
        shown = bad[0] if isinstance(bad[0], tuple) else bad  # the changed operand's shape
        with pytest.raises(ValueError, match=re.escape(str(shown))):
            layer(*inputs(name, bad))


@pytest.mark.parametrize("name", NAMES)
def test_strided_and_fortran_input_give_the_same_result(name):
    layer, shape = make(name)
    xs = inputs(name, shape)
    y, ops = layer(*xs)
    for view in (lambda x: np.repeat(x, 2, axis=-1)[..., ::2], np.asfortranarray):
        y2, ops2 = layer(*map(view, xs))
        np.testing.assert_array_equal(y2, y)
        assert ops2 == ops


@pytest.mark.parametrize("name", [n for n in NAMES if "weight" in make(n)[0].parameters()])
def test_assigned_weight_of_wrong_shape_is_a_value_error(name):
    layer, shape = make(name)
    layer.weight = np.zeros(layer.weight.shape + (1,), np.float32)
    with pytest.raises(ValueError, match="weight has shape"):
        layer(*inputs(name, shape))
