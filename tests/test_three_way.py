"""Three-way agreement: traced reference == numba kernels == closed-form formulas.

For every layer class: on the small configurations that tests/strategies.py draws (every
class whose constructor takes arguments), on every sample of tests/catalogue.py (those
large enough to split the kernels into several tasks; for the classes without
constructor arguments, their only configuration) and on a named checklist, the counts of
the plain-Python traced reference, of the kernels and of ``formulas.for_layer`` must be
equal for every kind, and the traced output must equal the kernel output (same dtype,
NaN in the same places). The traced reference is slow by design, so shapes are small.
"""
import inspect
from functools import partial

import numpy as np
import pytest
from catalogue import CATALOGUE, NAMES, inputs, make
from conftest import ATOL, RTOL
from hypothesis import given
from hypothesis import strategies as st
from strategies import MODES, STRATEGIES

from nnref import formulas
from nnref.layers import LAYERS
from nnref.layers.adaptive import AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool1d
from nnref.layers.dense import Dense, Linear
from nnref.layers.depthwise import DepthwiseConv2d
from nnref.layers.pointwise import PointwiseConv2d
from nnref.layers.norm import (BatchNorm1d, BatchNorm2d, GroupNorm, InstanceNorm1d,
                               InstanceNorm3d, LayerNorm)
from nnref.layers.pool import AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d
from nnref.layers.recurrent import GRU, LSTM, RNN
from nnref.layers.softmax import Softmax
from nnref.reference import reference, references

# -- the one check ----------------------------------------------------------------------


def assert_three_way(layer, x):
    """traced counts == kernel counts == formula counts, and traced y == kernel y.

    ``x`` is an array, or a tuple of arrays for a layer of several operands (Add, Cat),
    ``()`` for a layer of none (Parameter); the formula gets their shapes. Each side gets
    its own copy (an inplace layer writes into its input).
    """
    multi = isinstance(x, tuple)
    xs = x if multi else (x,)
    y_k, ops_k = layer(*map(np.copy, xs))
    y_t, ops_t = reference(layer, tuple(map(np.copy, xs)) if multi else np.copy(x))
    ops_f = formulas.for_layer(layer, tuple(a.shape for a in xs) if multi else x.shape)
    xs = xs or (layer.data,)  # no operand: the dtype is the held tensor's
    where = f"{layer!r} on {[a.shape for a in xs]} {xs[0].dtype}"
    assert ops_t == ops_k == ops_f, (f"{where}:\n traced  {ops_t.as_dict()}\n"
                                     f" kernel  {ops_k.as_dict()}\n formula {ops_f.as_dict()}")
    assert y_t.shape == y_k.shape, f"{where}: traced {y_t.shape} != kernel {y_k.shape}"
    dt = y_k.dtype.type if xs[0].dtype.kind in "iu" else xs[0].dtype.type  # indices: the table's
    assert y_t.dtype == y_k.dtype == dt, where
    np.testing.assert_allclose(y_t, y_k, rtol=RTOL[dt], atol=ATOL[dt], equal_nan=True,
                               err_msg=where)


# -- every class ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(STRATEGIES))
@given(data=st.data())
def test_drawn_configuration(name, data):
    assert_three_way(*data.draw(STRATEGIES[name], label="layer, x"))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_catalogue_sample(name, dtype):
    layer, shape = make(name)
    xs = inputs(name, shape, dtype)
    if CATALOGUE[name].indices:  # NaN in the table row of the middle index
        layer.weight = layer.weight.astype(dtype)
        layer.weight[xs[0].reshape(-1)[xs[0].size // 2], 0] = np.nan
    else:  # no operand (Parameter): in the tensor it holds
        (xs or (layer.data,))[0].reshape(-1)[(xs or (layer.data,))[0].size // 2] = np.nan
    assert_three_way(layer, xs if len(xs) != 1 else xs[0])


def test_every_class_with_constructor_arguments_has_a_strategy():
    missing = [name for name, cls in LAYERS.items()
               if inspect.signature(cls).parameters and name not in STRATEGIES]
    assert not missing, f"no strategy in tests/strategies.py for {missing}"
    assert set(STRATEGIES) <= set(LAYERS)


def test_every_layer_has_a_reference():
    assert set(references()) == set(LAYERS) - {"Linear"}  # Linear is Dense's


# -- the checklist: one named case per feature --------------------------------------------

MODE_IDS = dict(zip(["im2col", "naive", "skip"], MODES))  # (algorithm, padding_taps)


def _conv(nd, mode, in_channels=2, out_channels=3, kernel_size=2, batch=1, **kw):
    """Conv{nd}d in ``mode`` and its input shape; per-axis values given for 3 axes keep
    their first nd."""
    algorithm, padding_taps = MODE_IDS[mode]
    kw["kernel_size"] = kernel_size
    cut = {k: v[:nd] if isinstance(v, tuple) else v for k, v in kw.items()}
    layer = LAYERS[f"Conv{nd}d"](in_channels, out_channels, **cut, algorithm=algorithm,
                                 padding_taps=padding_taps, rng=0)
    return layer, (batch, in_channels) + ((5,) * nd if nd < 3 else (4, 4, 4))


CONV_CHECKLIST = {
    "1x1": dict(kernel_size=1),
    "strided": dict(kernel_size=2, stride=2),
    "padded": dict(kernel_size=3, padding=1),
    "padding_larger_than_kernel": dict(kernel_size=2, padding=2),
    "dilated": dict(kernel_size=2, dilation=2),
    "grouped": dict(in_channels=4, out_channels=2, groups=2),
    "depthwise": dict(in_channels=2, out_channels=4, groups=2),
    "asymmetric": dict(kernel_size=(3, 2, 1), stride=(2, 1, 1), padding=(1, 0, 1),
                       dilation=(1, 2, 1)),
    "batched": dict(batch=3),
    "no_bias": dict(kernel_size=3, padding=1, bias=False),
}
NAMED = {
    **{f"conv{nd}d_{feature}_{mode}": partial(_conv, nd, mode, **kw)
       for nd in (1, 2, 3) for feature, kw in CONV_CHECKLIST.items() for mode in MODE_IDS
       if not (nd == 1 and feature == "asymmetric")},
    "depthwise_multiplier_2_skip": lambda: (
        DepthwiseConv2d(2, 3, 2, padding=1, padding_taps="skip", rng=0), (1, 2, 4, 4)),
    "depthwise_asymmetric_batched": lambda: (
        DepthwiseConv2d(2, (3, 1), stride=(1, 2), dilation=(2, 1), rng=0), (2, 2, 6, 5)),
    "pointwise_no_bias_batched": lambda: (PointwiseConv2d(3, 2, bias=False, rng=0), (2, 3, 2, 3)),
    "maxpool2d_ceil_mode_dilated": lambda: (
        MaxPool2d((3, 2), (2, 2), (1, 1), (1, 2), ceil_mode=True), (2, 2, 5, 6)),
    "maxpool1d_window_on_padding_only": lambda: (MaxPool1d(2, padding=1, dilation=2), (1, 1, 1)),
    "maxpool3d_asymmetric_unbatched": lambda: (
        MaxPool3d((1, 2, 3), (1, 2, 1), (0, 1, 1)), (2, 2, 3, 4)),
    "avgpool2d_ceil_mode_excluding_pad": lambda: (
        AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (1, 1, 6, 6)),
    "avgpool1d_ceil_mode_including_pad": lambda: (AvgPool1d(3, 2, 1, ceil_mode=True), (1, 1, 6)),
    "avgpool3d_batched_padded": lambda: (AvgPool3d(2, padding=(1, 0, 1)), (2, 1, 3, 2, 3)),
    "adaptive_avg_upsampling": lambda: (AdaptiveAvgPool2d((5, None)), (1, 2, 3, 4)),
    "adaptive_max_overlapping": lambda: (AdaptiveMaxPool1d(4), (2, 7)),
    "adaptive_avg3d_global": lambda: (AdaptiveAvgPool3d(1), (2, 2, 2, 3, 2)),
    "softmax_dim0": lambda: (Softmax(0), (4, 3)),
    "batchnorm1d_2d_input": lambda: (BatchNorm1d(3), (2, 3)),
    "batchnorm2d_not_affine": lambda: (BatchNorm2d(2, affine=False), (2, 2, 2, 3)),
    "linear_1d_input": lambda: (Linear(4, 2, rng=0), (4,)),
    "dense_no_bias_batched": lambda: (Dense(3, 2, bias=False, rng=0), (4, 3)),
    "rnn_unbatched": lambda: (RNN(2, 3, rng=0), (3, 2)),
    "gru_batch_first_no_bias": lambda: (GRU(2, 2, bias=False, batch_first=True, rng=0), (2, 3, 2)),
    "lstm_batched": lambda: (LSTM(2, 3, rng=0), (2, 3, 2)),
    # issue 9A: norms with the input's statistics
    "layernorm_three_trailing_axes": lambda: (LayerNorm((2, 3, 2)), (2, 2, 3, 2)),
    "layernorm_gamma_only_1d_input": lambda: (LayerNorm(5, bias=False), (5,)),
    "groupnorm_one_group_no_affine": lambda: (GroupNorm(1, 3, affine=False), (2, 3, 2, 2)),
    "groupnorm_four_spatial_axes": lambda: (GroupNorm(2, 4), (1, 4, 2, 1, 2, 2)),
    "instancenorm1d_unbatched_running_stats": lambda: (
        InstanceNorm1d(2, affine=True, track_running_stats=True), (2, 3)),
    "instancenorm3d_batched": lambda: (InstanceNorm3d(2), (2, 2, 2, 1, 2)),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(NAMED))
def test_named_case(name, dtype):
    layer, shape = NAMED[name]()
    assert_three_way(layer, np.random.default_rng(1).standard_normal(shape).astype(dtype))
