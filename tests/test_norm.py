"""BatchNorm (inference): hand counts, identity by default, NaN statistics, parameters vs
buffers, errors.

Torch agreement, NaN inputs, threads and kernel = traced = formula on every
configuration are in tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from catalogue import twin
from conftest import assert_close_torch, rand
from strategies import trained

from nnref.layers.norm import BatchNorm1d, BatchNorm2d


def test_counts_by_hand():
    # 3 channels × 5 folding ops, then 2·3·4·5 = 120 elements × (mul 1, add 1)
    _, ops = BatchNorm2d(3)(rand((2, 3, 4, 5)))
    assert ops.as_dict() == dict(add=3 + 120, sub=3, mul=3 + 120, div=3, neg=0, exp=0, sqrt=3, cmp=0,
                                 erf=0, log=0)


def test_1d_without_length_axis():
    layer = trained(BatchNorm1d(4))
    x = rand((5, 4), np.float32)
    y, ops = layer(x)
    assert_close_torch(y, twin(layer, x))
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


def test_nan_statistic_turns_its_channel_nan_like_torch():
    layer = trained(BatchNorm1d(3))
    layer.running_var = np.array([1.0, np.nan, 2.0], np.float32)
    x = rand((2, 3, 4))
    y, _ = layer(x)
    assert np.isnan(y[:, 1]).all() and not np.isnan(y[:, [0, 2]]).any()
    assert_close_torch(y, twin(layer, x))


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
