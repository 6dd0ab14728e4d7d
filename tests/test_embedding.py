"""Embedding: a gather with no arithmetic, its parameters, padding_idx, indices checked, models.

Torch agreement, NaN in the table, threads, bad arguments and kernel = traced = formula on
every configuration are in tests/test_every_layer.py and tests/test_three_way.py.
"""
import json

import numpy as np
import pytest
from catalogue import twin
from conftest import assert_close_torch

import nnref
from nnref import OpCounts, formulas
from nnref.layers import GELU, Embedding, LayerNorm, Linear
from nnref.models.graph import Sequential


def test_a_gather_copies_rows_and_counts_nothing():
    layer = Embedding(10, 3, rng=0)
    x = np.array([[4, 0, 9], [4, 4, 1]])
    y, ops = layer(x)
    assert y.shape == (2, 3, 3) and y.dtype == np.float32
    np.testing.assert_array_equal(y, layer.weight[x])
    assert ops == OpCounts() == formulas.for_layer(layer, x.shape)
    assert_close_torch(y, twin(layer, x))


def test_parameters_are_the_table():
    assert Embedding(50, 16).num_params == 800
    assert set(Embedding(5, 2).parameters()) == {"weight"}
    w = Embedding(1000, 4, rng=1).weight  # N(0, 1), as torch
    assert w.dtype == np.float32 and abs(w.mean()) < 0.1 and abs(w.std() - 1) < 0.1


def test_output_follows_the_tables_dtype_and_takes_any_integer_indices():
    layer = Embedding(6, 2, rng=0)
    layer.weight = layer.weight.astype(np.float64)
    for dtype in (np.int64, np.int32, np.uint8, np.int16):
        y, _ = layer(np.array([5, 0], dtype))
        assert y.dtype == np.float64 and np.array_equal(y, layer.weight[[5, 0]])
    y, _ = layer(np.array(3))  # 0-d: one row, as torch
    assert y.shape == (2,)
    assert layer([[1, 2]])[0].shape == (1, 2, 2)  # nested lists are indices too


def test_padding_idx_starts_as_zeros_and_a_negative_one_counts_from_the_end():
    layer = Embedding(5, 3, padding_idx=-1, rng=0)
    assert layer.padding_idx == 4 and not layer.weight[4].any() and layer.weight[3].any()
    assert repr(layer) == "Embedding(5, 3, padding_idx=4)"
    assert_close_torch(layer(np.array([4, 1]))[0], twin(layer, np.array([4, 1])))


@pytest.mark.parametrize("x,match", [
    (np.array([[0, 3], [7, 1]]), r"index 7 at position \(1, 0\); expected indices in \[0, 7\)"),
    (np.array([-1]), r"index -1 at position \(0,\)"),
])
def test_an_index_out_of_range_is_a_value_error_naming_it(x, match):
    layer = Embedding(7, 2)
    for f in (layer, lambda x: nnref.reference.reference(layer, x)):
        with pytest.raises(ValueError, match=match):
            f(x)


@pytest.mark.parametrize("x", [np.array([1.0]), np.array([True]), np.array([1j]), ["a"]])
def test_what_is_not_integer_indices_is_a_type_error(x):
    with pytest.raises(TypeError, match="dtype .*expected integer indices"):
        Embedding(3, 2)(x)


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(padding_idx=3), ValueError, r"padding_idx=3 .*\[-3, 3\)"),
    (dict(padding_idx=-4), ValueError, "padding_idx=-4"),
    (dict(padding_idx=1.0), TypeError, "padding_idx=1.0"),
    (dict(padding_idx=True), TypeError, "padding_idx=True"),
    (dict(max_norm=1.0), ValueError, "max_norm=1.0 is not supported"),
    (dict(max_norm="1"), TypeError, "max_norm='1'"),
    (dict(norm_type=float("inf")), ValueError, "norm_type"),
    (dict(sparse=1), TypeError, "sparse"),
])
def test_rejects_bad_arguments_by_name(kwargs, error, match):
    with pytest.raises(error, match=match):
        Embedding(3, 2, **kwargs)


def test_a_model_that_starts_with_an_embedding_takes_indices():
    model = Sequential(Embedding(100, 8, rng=0), LayerNorm(8), Linear(8, 16, rng=0), GELU())
    y, report = model(np.array([[1, 2, 3]]))
    assert y.shape == (1, 3, 16) and report.dtype == "float32"
    assert report.total == sum((formulas.for_layer(s.layer, s.input_shape)
                                for s in model.plan((1, 3))), OpCounts())
    assert report.layers[0].counts == OpCounts() and report.layers[0].params == 800
    assert nnref.count(model, (2, 5)) == nnref.count(model, (2, 5), seed=3)  # random indices
    with pytest.raises(TypeError, match="Sequential: x has dtype float64"):
        model(np.ones((1, 3)))


def test_cli_counts_an_embedding_spec(capsys):
    from nnref.cli import main

    assert main(["count", "Embedding(10, 4, padding_idx=0)", "--input", "2,5", "--format",
                 "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["output_shape"] == [2, 5, 4] and doc["kernel"]["flops"] == 0
