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


# -- LayerNorm, GroupNorm, InstanceNorm: the input's own statistics -----------------------------
from nnref import OpCounts, formulas  # noqa: E402
from nnref.layers.norm import (BatchNorm3d, GroupNorm, InstanceNorm1d, InstanceNorm2d,  # noqa: E402
                               InstanceNorm3d, LayerNorm)


def per_group(m, weight=True, bias=True):
    """The contract, one group of m elements: mean add m−1 div 1; deviations sub m; variance
    mul m add m−1 div 1; r = 1/sqrt(var + eps) add 1 sqrt 1 div 1; x̂ = d·r mul m; ·γ mul m;
    + β add m."""
    return OpCounts(add=(m - 1) + (m - 1) + 1 + (m if bias else 0), sub=m,
                    mul=m + m + (m if weight else 0), div=3, sqrt=1)


@pytest.mark.parametrize("layer,shape,groups,m", [
    (LayerNorm(4), (2, 4), 2, 4),
    (LayerNorm((3, 4)), (5, 3, 4), 5, 12),
    (GroupNorm(2, 6), (2, 6, 3), 4, 9),
    (InstanceNorm2d(3, affine=True), (2, 3, 2, 5), 6, 10),
    (InstanceNorm1d(3, affine=True), (3, 7), 3, 7),  # unbatched
], ids=repr)
def test_counts_by_hand(layer, shape, groups, m):
    assert layer(rand(shape))[1] == per_group(m) * groups


def test_affine_variants_by_hand():
    x = rand((3, 8))
    assert LayerNorm(8, bias=False)(x)[1] == per_group(8, bias=False) * 3
    assert LayerNorm(8, elementwise_affine=False, bias=True)(x)[1] == per_group(8, False, False) * 3
    assert GroupNorm(4, 8, affine=False)(x)[1] == per_group(2, False, False) * 12
    assert InstanceNorm1d(3)(rand((2, 3, 5)))[1] == per_group(5, False, False) * 6


def test_layer_norm_over_several_trailing_axes_is_over_their_product():
    layer = trained(LayerNorm((2, 3, 4)))
    x = rand((5, 2, 3, 4), np.float32)
    y, ops = layer(x)
    assert_close_torch(y, twin(layer, x))
    flat = LayerNorm(24)
    flat.weight, flat.bias = layer.weight.reshape(-1), layer.bias.reshape(-1)
    y2, ops2 = flat(x.reshape(5, 24))
    np.testing.assert_allclose(y2.reshape(x.shape), y, rtol=1e-6)
    assert ops == ops2


@pytest.mark.parametrize("dtype,mean", [(np.float32, 30.0), (np.float64, 3000.0)])
def test_two_pass_variance_keeps_a_large_mean_exact_like_torch(dtype, mean):
    # the variance as E[x²] − E[x]² loses 3 (float32) or 7 (float64) digits to the mean
    # and misses torch's tolerance; the mean of squared deviations, summed pairwise, does not
    x = (mean + rand((4, 512))).astype(dtype)
    layer = trained(LayerNorm(512))
    assert_close_torch(layer(x)[0], twin(layer, x))


def test_float32_accumulates_in_float32_within_tolerance_of_torch():
    x = rand((3, 8192), np.float32) * 3 + 1
    layer = trained(LayerNorm(8192, eps=1e-6))
    assert_close_torch(layer(x)[0], twin(layer, x))


def test_group_norm_with_one_group_is_layer_norm_over_channels_and_space():
    g, ln = GroupNorm(1, 3, affine=False), LayerNorm((3, 4, 5), elementwise_affine=False)
    x = rand((2, 3, 4, 5))
    (yg, og), (yl, ol) = g(x), ln(x)
    np.testing.assert_allclose(yg, yl, rtol=1e-12, atol=1e-12)
    assert og == ol


def test_group_norm_with_a_group_per_channel_is_instance_norm():
    g, i = GroupNorm(3, 3), InstanceNorm2d(3, affine=True)
    x = rand((2, 3, 4, 5))
    (yg, og), (yi, oi) = g(x), i(x)
    np.testing.assert_allclose(yg, yi, rtol=1e-12, atol=1e-12)
    assert og == oi


def test_instance_norm_with_running_stats_is_batch_norm_like_torch_eval():
    inorm, bn = trained(InstanceNorm3d(2, affine=True, track_running_stats=True)), BatchNorm3d(2)
    for name in ("weight", "bias", "running_mean", "running_var"):
        setattr(bn, name, getattr(inorm, name))
    x = rand((2, 2, 3, 2, 4))
    (yi, oi), (yb, ob) = inorm(x), bn(x)
    np.testing.assert_array_equal(yi, yb)
    assert oi == ob == formulas.for_layer(bn, x.shape)
    assert_close_torch(yi, twin(inorm, x))
    y1, o1 = inorm(x[0])  # unbatched: the same numbers, one sample
    np.testing.assert_array_equal(y1, yi[0])
    assert o1 == formulas.norm.batch_norm(2, x[0].size)


def test_instance_norm_buffers_only_when_tracked():
    assert InstanceNorm2d(4).buffer_names == () and InstanceNorm2d(4).buffers() == {}
    assert InstanceNorm2d(4).running_mean is None
    tracked = InstanceNorm2d(4, affine=True, track_running_stats=True)
    assert set(tracked.buffers()) == {"running_mean", "running_var"} and tracked.num_params == 8


def test_parameters_are_counted_and_buffers_are_not():
    assert LayerNorm((3, 4)).num_params == 24
    assert LayerNorm(8, bias=False).num_params == 8 and LayerNorm(8).parameters()["bias"].shape == (8,)
    assert LayerNorm(8, elementwise_affine=False).num_params == 0
    assert GroupNorm(2, 6).num_params == 12 and GroupNorm(2, 6, affine=False).num_params == 0
    assert InstanceNorm1d(5).num_params == 0
    np.testing.assert_array_equal(LayerNorm(3).weight, np.ones(3))  # torch's initial γ, β
    np.testing.assert_array_equal(GroupNorm(1, 3).bias, np.zeros(3))


def test_nan_stays_in_its_group():
    layer = GroupNorm(2, 4)
    x = rand((2, 4, 3))
    x[1, 3, 0] = np.nan  # the second group of the second sample
    y, _ = layer(x)
    assert np.isnan(y[1, 2:]).all() and not np.isnan(y[0]).any() and not np.isnan(y[1, :2]).any()
    assert_close_torch(y, twin(layer, x))


def test_instance_norm_channel_mismatch_warns_without_affine_like_torch():
    layer = InstanceNorm1d(3)
    x = rand((2, 4, 5))
    with pytest.warns(UserWarning, match="4 channels.*num_features=3"):
        y, _ = layer(x)
    assert_close_torch(y, twin(layer, x))
    for bad in (InstanceNorm1d(3, affine=True), InstanceNorm1d(3, track_running_stats=True)):
        with pytest.raises(ValueError, match=r"\(2, 4, 5\).*num_features=3"):
            bad(x)


@pytest.mark.parametrize("layer,shape,match", [
    (InstanceNorm2d(3), (2, 3, 1, 1), "1 spatial element"),
    (InstanceNorm1d(3), (3, 1), "1 spatial element"),
    (GroupNorm(2, 2), (1, 2), "one value per group"),
    (GroupNorm(2, 4), (2, 3, 5), r"\(2, 3, 5\).*num_channels=4"),
    (GroupNorm(2, 4), (4,), r"\(4,\)"),
    (LayerNorm((3, 4)), (2, 4, 3), r"\(2, 4, 3\).*normalized_shape=\(3, 4\)"),
    (LayerNorm(4), (2, 1, 4, 1), "ending in normalized_shape"),
    (InstanceNorm3d(2), (2, 3, 3), r"expected 4-D \(C, \*spatial\) or 5-D"),
], ids=str)
def test_rejects_shapes_like_torch(layer, shape, match):
    with pytest.raises(ValueError, match=match):
        layer.output_shape(shape)
    with pytest.raises(ValueError, match=match):
        formulas.for_layer(layer, shape)


def test_one_spatial_element_is_fine_with_running_stats_and_two_samples_in_groupnorm():
    assert InstanceNorm2d(3, track_running_stats=True)(rand((2, 3, 1, 1)))[1].sqrt == 3
    y, _ = GroupNorm(2, 2)(rand((2, 2)))  # one value per group, but two samples: torch allows it
    np.testing.assert_array_equal(y, np.zeros((2, 2)))


@pytest.mark.parametrize("make,exc,name", [
    (lambda: LayerNorm(0), ValueError, "normalized_shape"),
    (lambda: LayerNorm(()), ValueError, "normalized_shape"),
    (lambda: LayerNorm((3, 0)), ValueError, "normalized_shape"),
    (lambda: LayerNorm((3, 2.0)), TypeError, "normalized_shape"),
    (lambda: LayerNorm("3"), TypeError, "normalized_shape"),
    (lambda: LayerNorm(3, eps=-1e-5), ValueError, "eps"),
    (lambda: LayerNorm(3, bias=1), TypeError, "bias"),
    (lambda: GroupNorm(2, 5), ValueError, r"num_channels=5 is not divisible by num_groups=2"),
    (lambda: GroupNorm(0, 4), ValueError, "num_groups"),
    (lambda: GroupNorm(2, 4, affine="yes"), TypeError, "affine"),
    (lambda: InstanceNorm2d(3, momentum="0.1"), TypeError, "momentum"),
    (lambda: InstanceNorm2d(3, track_running_stats=None), TypeError, "track_running_stats"),
])
def test_rejects_bad_config_by_name(make, exc, name):
    with pytest.raises(exc, match=name):
        make()


def test_rejects_assigned_parameters_of_the_wrong_shape():
    layer = LayerNorm((3, 4))
    layer.weight = np.ones(12, np.float32)
    with pytest.raises(ValueError, match=r"weight has shape \(12,\); expected \(3, 4\)"):
        layer(rand((2, 3, 4)))
    layer = InstanceNorm1d(3, affine=True, track_running_stats=True)
    layer.running_var = None
    with pytest.raises(TypeError, match="running_var=None"):
        layer(rand((2, 3, 4)))
