"""Every public layer rejects bad input with ValueError/TypeError, never a numba error.

One sample configuration per layer; the same checks run over all of them, so a new
layer that forgets a check fails here.
"""
import numpy as np
import pytest
from conftest import rand

import nnref
from nnref.layers.spec import known_layers

#: layer name -> (spec, a valid input shape)
SAMPLES = {
    "ReLU": ("ReLU()", (2, 3)), "ReLU6": ("ReLU6()", (2, 3)),
    "LeakyReLU": ("LeakyReLU(0.1)", (2, 3)), "Sigmoid": ("Sigmoid()", (2, 3)),
    "Tanh": ("Tanh()", (2, 3)), "SiLU": ("SiLU()", (2, 3)),
    "Conv1d": ("Conv1d(2, 4, 3)", (2, 2, 9)), "Conv2d": ("Conv2d(2, 4, (3, 2), groups=2)", (2, 2, 7, 6)),
    "Conv3d": ("Conv3d(2, 2, 2, stride=(1, 2, 1))", (1, 2, 4, 5, 3)),
    "DepthwiseConv2d": ("DepthwiseConv2d(3, 3, depth_multiplier=2)", (1, 3, 6, 6)),
    "PointwiseConv2d": ("PointwiseConv2d(3, 5)", (2, 3, 4, 4)),
    "Dense": ("Dense(6, 4)", (3, 6)), "Linear": ("Linear(6, 4)", (2, 5, 6)),
    "MaxPool1d": ("MaxPool1d(2)", (1, 2, 8)), "MaxPool2d": ("MaxPool2d(3, 2, 1)", (1, 2, 7, 7)),
    "MaxPool3d": ("MaxPool3d(2)", (1, 1, 4, 4, 4)), "AvgPool1d": ("AvgPool1d(3)", (1, 2, 9)),
    "AvgPool2d": ("AvgPool2d(2, ceil_mode=True)", (1, 2, 5, 5)),
    "AvgPool3d": ("AvgPool3d(2)", (1, 1, 4, 4, 4)),
    "AdaptiveAvgPool1d": ("AdaptiveAvgPool1d(3)", (1, 2, 7)),
    "AdaptiveAvgPool2d": ("AdaptiveAvgPool2d((2, 3))", (1, 2, 5, 7)),
    "AdaptiveAvgPool3d": ("AdaptiveAvgPool3d(2)", (1, 1, 3, 4, 5)),
    "AdaptiveMaxPool1d": ("AdaptiveMaxPool1d(3)", (1, 2, 7)),
    "AdaptiveMaxPool2d": ("AdaptiveMaxPool2d(2)", (1, 2, 5, 7)),
    "AdaptiveMaxPool3d": ("AdaptiveMaxPool3d(2)", (1, 1, 3, 4, 5)),
    "BatchNorm1d": ("BatchNorm1d(3)", (4, 3)), "BatchNorm2d": ("BatchNorm2d(3)", (2, 3, 4, 4)),
    "BatchNorm3d": ("BatchNorm3d(2)", (1, 2, 3, 3, 3)), "Softmax": ("Softmax(1)", (2, 5)),
    "Flatten": ("Flatten()", (2, 3, 4)), "Dropout": ("Dropout(0.2)", (2, 3)),
    "RNN": ("RNN(3, 4)", (5, 2, 3)), "GRU": ("GRU(3, 4)", (5, 2, 3)), "LSTM": ("LSTM(3, 4)", (5, 2, 3)),
}
NAMES = sorted(n for n in known_layers() if n != "Add")


def make(name):
    spec, shape = SAMPLES[name]
    return nnref.layers.spec.parse_layer(spec), shape


def test_every_layer_has_a_sample():
    assert set(NAMES) == set(SAMPLES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.complex128, np.float16, object])
def test_non_float_input_is_a_type_error(name, dtype):
    layer, shape = make(name)
    with pytest.raises(TypeError, match="dtype|float"):
        layer(np.zeros(shape, dtype=dtype))


@pytest.mark.parametrize("name", NAMES)
def test_list_of_floats_is_accepted_like_an_array(name):
    layer, shape = make(name)
    x = rand(shape)
    assert np.array_equal(layer(x.tolist())[0], layer(x)[0], equal_nan=True)


@pytest.mark.parametrize("name", NAMES)
def test_zero_sized_input_is_a_value_error(name):
    layer, shape = make(name)
    with pytest.raises(ValueError, match="shape|size"):
        layer(np.zeros((0,) + shape[1:]))


@pytest.mark.parametrize("name", [n for n in NAMES if SAMPLES[n][0].split("(")[0] not in
                                  ("ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "SiLU",
                                   "Dropout", "Flatten", "Softmax")])
def test_wrong_ndim_is_a_value_error_naming_the_shape(name):
    layer, shape = make(name)
    for bad in (shape + (2, 2, 2), (3,)):
        with pytest.raises(ValueError, match=r"\(") as e:
            layer(rand(bad))
        assert str(bad[0]) in str(e.value)


@pytest.mark.parametrize("name", NAMES)
def test_non_contiguous_and_fortran_input_give_the_same_result(name):
    layer, shape = make(name)
    x = rand(shape)
    y, ops = layer(x)
    wide = np.zeros(shape[:-1] + (2 * shape[-1],))
    wide[..., ::2] = x
    y2, ops2 = layer(wide[..., ::2])
    y3, ops3 = layer(np.asfortranarray(x))
    np.testing.assert_array_equal(y, y2)
    np.testing.assert_array_equal(y, y3)
    assert ops == ops2 == ops3


@pytest.mark.parametrize("name", [n for n in NAMES if "weight" in make(n)[0].param_names])
def test_assigned_weight_of_wrong_shape_is_a_value_error(name):
    layer, shape = make(name)
    layer.weight = np.zeros(np.asarray(layer.weight).shape + (1,), np.float32)
    with pytest.raises(ValueError, match="weight"):
        layer(rand(shape))


@pytest.mark.parametrize("name", NAMES)
def test_float32_in_float32_out(name):
    layer, shape = make(name)
    y, _ = layer(rand(shape, np.float32))
    assert y.dtype == np.float32


def test_add_rejects_mismatched_operands():
    add = nnref.Add()
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        add(rand((2, 3)), rand((3, 2)))
    with pytest.raises(TypeError):
        add(rand((2, 3)), rand((2, 3), np.float32))
    with pytest.raises(TypeError, match="dtype"):
        add(np.zeros((2, 3), int), np.zeros((2, 3), int))
