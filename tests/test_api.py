"""nnref.api.count / count_report: equal to the formulas and to the model report; checks."""
import numpy as np
import pytest
from catalogue import NAMES, make

from nnref.api import count, count_report
from nnref import formulas
from nnref.core.opcounts import OpCounts
from nnref.layers.activation import ReLU
from nnref.layers.conv import Conv2d
from nnref.layers.dense import Linear
from nnref.layers.pool import MaxPool2d
from nnref.models import zoo
from nnref.models.graph import Model, Residual, Sequential


def small_model():
    return Model({"conv": Conv2d(2, 4, 3, padding=1, rng=0), "relu": ReLU(),
                  "res": Residual(Conv2d(4, 4, 1, rng=1)), "pool": MaxPool2d(2)}, name="small")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", NAMES)
def test_count_every_layer_equals_formula(name, dtype):
    layer, shape = make(name)
    assert count(layer, shape, dtype=dtype) == formulas.for_layer(layer, shape)


def test_count_model_and_its_report_equal_the_formulas():
    model, shape = small_model(), (2, 2, 6, 6)
    expected = sum((formulas.for_layer(s.layer, s.input_shape) for s in model.plan(shape)),
                   OpCounts())
    assert count(model, shape) == expected
    report = count_report(model, shape)
    assert report.total == expected
    assert (report.model, report.input_shape, report.dtype) == ("small", shape, "float32")


def test_count_report_of_a_layer():
    layer = Linear(5, 3, rng=0)
    report = count_report(layer, (4, 5), dtype=np.float64)
    assert [(r.name, r.type, r.output_shape, r.params) for r in report.layers] == [
        ("linear", "Linear", (4, 3), 5 * 3 + 3)]
    assert report.dtype == "float64" and report.total == formulas.for_layer(layer, (4, 5))


def test_counts_do_not_depend_on_seed():
    model = small_model()
    assert count(model, (1, 2, 6, 6), seed=0) == count(model, (1, 2, 6, 6), seed=123)


@pytest.mark.parametrize("seed,error", [("a", TypeError), (-1, ValueError), (1.5, TypeError)])
def test_rejects_bad_seed_naming_it(seed, error):
    with pytest.raises(error, match="seed="):
        count(ReLU(), (3,), seed=seed)
    with pytest.raises(error, match="seed="):
        zoo.build("seed_crnn", seed=seed)


@pytest.mark.parametrize("dtype", ["float32", "float64", np.float32, np.float64, np.dtype("float64")])
def test_accepts_float_dtypes(dtype):
    assert count(ReLU(), (3,), dtype=dtype) == OpCounts(cmp=3)


@pytest.mark.parametrize("dtype", ["int32", "float16", "double precision", None, np.int64, 3])
def test_rejects_bad_dtype(dtype):
    with pytest.raises(TypeError, match="dtype"):
        count(ReLU(), (3,), dtype=dtype)


@pytest.mark.parametrize("shape", [(0, 3), (2, -1)])
def test_rejects_bad_input_shape_values(shape):
    with pytest.raises(ValueError, match="input_shape"):
        count(ReLU(), shape)
    with pytest.raises(ValueError, match="input_shape"):
        count(small_model(), shape)


@pytest.mark.parametrize("shape", ["1x3", 3, (2.0, 3)])
def test_rejects_bad_input_shape_types(shape):
    with pytest.raises(TypeError, match="input_shape"):
        count(ReLU(), shape)


def test_input_the_layer_cannot_take():
    with pytest.raises(ValueError, match="Conv2d"):
        count(Conv2d(3, 4, 3), (1, 2, 8, 8))
    with pytest.raises(ValueError, match=r"'conv' \(Conv2d\)"):
        count(small_model(), (1, 3, 6, 6))


def test_rejects_non_layer():
    with pytest.raises(TypeError, match="layer_or_model"):
        count(lambda x: x, (3,))
    with pytest.raises(TypeError, match="layer_or_model"):
        count(Sequential, (3,))
