"""BatchNorm (inference): torch agreement, kernel counts = formula, params vs buffers, errors."""
import numpy as np
import pytest
from conftest import assert_close_torch, rand, to_torch, torch
from hypothesis import given
from hypothesis import strategies as st

from nnref import formulas
from nnref.layers.norm import BatchNorm1d, BatchNorm2d, BatchNorm3d

F = torch.nn.functional
CLASSES = {2: BatchNorm1d, 3: BatchNorm1d, 4: BatchNorm2d, 5: BatchNorm3d}


def randomize(layer, seed=0):
    """Random statistics and affine parameters, as a trained layer would have."""
    rng = np.random.default_rng(seed)
    c = layer.num_features
    layer.running_mean = rng.standard_normal(c).astype(np.float32)
    layer.running_var = rng.uniform(0.1, 3.0, c).astype(np.float32)
    if layer.affine:
        layer.weight = rng.standard_normal(c).astype(np.float32)
        layer.bias = rng.standard_normal(c).astype(np.float32)
    return layer


def torch_bn(layer, x):
    t = lambda a: None if a is None else to_torch(a.astype(x.dtype))  # noqa: E731
    return F.batch_norm(to_torch(x), t(layer.running_mean), t(layer.running_var),
                        t(layer.weight), t(layer.bias), training=False, eps=layer.eps)


@given(ndim=st.sampled_from([2, 3, 4, 5]), c=st.integers(1, 6), n=st.integers(1, 3),
       data=st.data(), affine=st.booleans(), eps=st.sampled_from([1e-5, 1e-3, 0.1]),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_matches_torch_and_counts_equal_formula(ndim, c, n, data, affine, eps, dtype):
    spatial = data.draw(st.lists(st.integers(1, 5), min_size=ndim - 2, max_size=ndim - 2))
    layer = randomize(CLASSES[ndim](c, eps=eps, affine=affine))
    x = rand((n, c, *spatial), dtype)
    y, ops = layer(x)
    assert_close_torch(y, torch_bn(layer, x))
    assert ops == formulas.for_layer(layer, x.shape)


def test_counts_by_hand():
    # 3 channels × 5 folding ops, then 2·3·4·5 = 120 elements × (mul 1, add 1)
    _, ops = BatchNorm2d(3)(rand((2, 3, 4, 5)))
    assert ops.as_dict() == dict(add=3 + 120, sub=3, mul=3 + 120, div=3, neg=0, exp=0, sqrt=3, cmp=0)


def test_1d_without_length_axis():
    layer = randomize(BatchNorm1d(4))
    x = rand((5, 4), np.float32)
    y, ops = layer(x)
    assert_close_torch(y, torch_bn(layer, x))
    assert ops.flops == 4 * 5 + 20 * 2


def test_default_is_identity_up_to_eps():
    x = rand((2, 3, 4, 4))
    y, _ = BatchNorm2d(3, eps=0.0)(x)
    np.testing.assert_allclose(y, x, rtol=1e-12)


def test_params_exclude_buffers():
    layer = BatchNorm2d(64)
    assert layer.param_names == ("weight", "bias")
    assert layer.buffer_names == ("running_mean", "running_var")
    assert layer.num_params == 128  # γ and β only, as torchvision counts
    assert BatchNorm2d(64, affine=False).num_params == 0
    np.testing.assert_array_equal(layer.running_mean, np.zeros(64))
    np.testing.assert_array_equal(layer.running_var, np.ones(64))
    assert set(layer.buffers()) == {"running_mean", "running_var"}


def test_3d_float32():
    layer = randomize(BatchNorm3d(2), seed=3)
    x = rand((2, 2, 3, 4, 5), np.float32)
    assert_close_torch(layer(x)[0], torch_bn(layer, x))


def test_nan_propagates_like_torch():
    layer = randomize(BatchNorm1d(3))
    x = rand((2, 3, 4))
    x[0, 1, 2] = np.nan
    layer.running_var = np.array([1.0, np.nan, 2.0], np.float32)
    assert_close_torch(layer(x)[0], torch_bn(layer, x))


@pytest.mark.parametrize("kwargs,exc,name", [
    (dict(num_features=0), ValueError, "num_features"),
    (dict(num_features=3, eps=-1.0), ValueError, "eps"),
    (dict(num_features=3, momentum="0.1"), TypeError, "momentum"),
    (dict(num_features=3, affine=1), TypeError, "affine"),
    (dict(num_features=3, track_running_stats=False), ValueError, "track_running_stats"),
    (dict(num_features=3, rng="seed"), TypeError, "rng"),
])
def test_rejects_bad_config(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        BatchNorm2d(**kwargs)


def test_rejects_bad_input_and_buffers():
    with pytest.raises(ValueError, match=r"\(2, 4, 5, 5\).*num_features=3"):
        BatchNorm2d(3)(rand((2, 4, 5, 5)))
    with pytest.raises(ValueError, match=r"\(2, 3, 5\).*expected 4-D"):
        BatchNorm2d(3)(rand((2, 3, 5)))
    with pytest.raises(ValueError, match="expected 2-D or 3-D"):
        BatchNorm1d(3)(rand((2, 3, 5, 5)))
    layer = BatchNorm2d(3)
    layer.running_mean = np.zeros(4, np.float32)
    with pytest.raises(ValueError, match=r"running_mean has shape \(4,\); expected \(3,\)"):
        layer(rand((1, 3, 2, 2)))
