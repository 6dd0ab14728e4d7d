"""nnref.testing's strategies and torch twins: every layer type, valid samples, twins that
compute what nnref computes, and clear errors."""
import numpy as np
import pytest
from conftest import assert_close_torch, to_torch, torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnref.core.validate import is_shape_tuple
from nnref.layers import LAYERS
from nnref.testing import strategies as nst
from nnref.testing import torch_twin
from nnref.testing.tools import run_tools
from nnref.testing.twins import has_twin


def test_every_layer_class_has_a_strategy_and_a_twin():
    assert set(nst.BY_CLASS) == set(LAYERS), "add a strategy to the family's module in nnref/testing/configs/"
    missing = [n for n in LAYERS if not has_twin(LAYERS[n].__new__(LAYERS[n]))]
    assert not missing, f"nnref.to_torch has no module or call for {missing} (nnref/bridges/torch)"


@pytest.mark.parametrize("name", sorted(nst.BY_NAME))
def test_each_strategy_is_an_attribute_named_as_in_torch(name):
    strategy = getattr(nst, name)
    assert strategy.__name__ == name and nst.BY_CLASS[nst.BY_NAME[name]] == name
    assert name in dir(nst)


@pytest.mark.parametrize("name", sorted(set(nst.BY_CLASS) - {"ScaledDotProductAttention",
                                                                "MultiheadAttention"}))
@settings(max_examples=10)
@given(data=st.data())
def test_samples_are_valid_and_their_twins_compute_what_nnref_computes(name, data):
    sample = data.draw(nst.layers(name), label="sample")
    layer, shape, twin = sample
    assert type(layer).__name__ == name
    layer.output_shape(shape)  # a shape the layer takes
    xs = sample.inputs(np.float64, seed=1)
    shapes = shape if is_shape_tuple(shape) else (shape,) * layer.operands
    assert len(xs) == layer.operands and [x.shape for x in xs] == list(shapes)
    # float64 twins; a layer taking indices (Embedding) computes in its table's dtype
    if not xs:  # no operand (Parameter): the twin holds the tensor (float32 by default)
        twin = torch_twin(layer, dtype=str(layer.data.dtype))
    elif np.issubdtype(xs[0].dtype, np.floating):
        twin = twin.double()
    else:
        twin = twin.to(getattr(torch, str(layer.weight.dtype)))
    with torch.no_grad():  # first: an inplace nnref layer overwrites its input
        try:
            ref = twin(*map(to_torch, xs))
        except RuntimeError:  # torch refuses a few configurations nnref takes (AvgPool3d
            return            # over a window wider than the unpadded input)
    ref = ref[0] if isinstance(ref, tuple) else ref  # RNN, GRU, LSTM: (output, h)
    y, _ = layer(*xs)
    assert_close_torch(y, ref)


@settings(max_examples=10)
@given(data=st.data())
def test_families_bounds_and_no_twin(data):
    layer, shape, twin = data.draw(nst.conv2d(groups=1, twin=False))
    assert layer.groups == 1 and twin is None
    assert data.draw(nst.any_layer(twin=False, exclude=["GRU"])).layer.kind != "GRU"
    for group in (nst.conv, nst.pool2d, nst.adaptive_pool, nst.batch_norm, nst.activation,
                  nst.recurrent):
        assert data.draw(group(twin=False)).layer.kind in LAYERS


def test_unknown_names():
    with pytest.raises(ValueError, match="layer 'Conv4d' is unknown"):
        nst.configs("Conv4d")
    with pytest.raises(AttributeError, match="conv4d"):
        nst.conv4d  # noqa: B018


def test_twin_errors_name_the_argument():
    with pytest.raises(TypeError, match="layer_or_model=42"):
        torch_twin(42)
    with pytest.raises(ValueError, match="dtype='float16'"):
        torch_twin(LAYERS["ReLU"](), dtype="float16")
    with pytest.raises(ValueError, match="input_shape"):
        torch_twin(LAYERS["AdaptiveAvgPool1d"]((None,)))
    assert torch_twin(LAYERS["AdaptiveAvgPool1d"]((None,)), (1, 2, 7)).output_size == 7


def test_run_tools_errors_name_the_argument():
    with pytest.raises(TypeError, match="module="):
        run_tools("alexnet", torch.zeros(1))
    with pytest.raises(TypeError, match="inputs="):
        run_tools(torch.nn.ReLU(), [1, 2], tools=["torch"])
    with pytest.raises(ValueError, match="unknown tool 'flopco'"):
        run_tools(torch.nn.ReLU(), torch.zeros(1), tools=["flopco"])
