"""Three-way agreement: traced reference == numba kernels == closed-form formulas.

For every layer class, on small hypothesis-generated configurations and on a named
checklist, the counts of the plain-Python traced reference, of the kernels and of
``formulas.for_layer`` must be equal for every kind, and the traced output must equal
the kernel output (same dtype, NaN in the same places). The traced reference is slow by
design, so every shape here is tiny.
"""
from functools import partial

import numpy as np
import pytest
from conftest import ATOL, RTOL
from hypothesis import given, settings
from hypothesis import strategies as st

import nnref.layers
from nnref import formulas
from nnref.layers.activation import LeakyReLU, ReLU, ReLU6, SiLU, Sigmoid, Tanh
from nnref.layers.adaptive import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d,
                                   AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d)
from nnref.layers.conv import Conv1d, Conv2d, Conv3d
from nnref.layers.dense import Dense, Linear
from nnref.layers.depthwise import DepthwiseConv2d
from nnref.layers.pointwise import PointwiseConv2d
from nnref.layers.elementwise import Add
from nnref.layers.reshape import Dropout, Flatten
from nnref.layers.norm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from nnref.layers.pool import AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d
from nnref.layers.recurrent import GRU, LSTM, RNN
from nnref.layers.softmax import Softmax
from nnref.reference import reference, references

# -- the one check ----------------------------------------------------------------------


def assert_three_way(layer, x):
    """traced counts == kernel counts == formula counts, and traced y == kernel y.

    ``x`` is an array, or the pair ``(a, b)`` for Add (whose formula takes one shape).
    """
    xs = x if isinstance(x, tuple) else (x,)
    y_k, ops_k = layer(*xs)
    y_t, ops_t = reference(layer, x)
    ops_f = formulas.for_layer(layer, xs[0].shape)
    where = f"{layer!r} on {[a.shape for a in xs]} {xs[0].dtype}"
    assert ops_t == ops_k == ops_f, (f"{where}:\n traced  {ops_t.as_dict()}\n"
                                     f" kernel  {ops_k.as_dict()}\n formula {ops_f.as_dict()}")
    assert y_t.shape == y_k.shape, f"{where}: traced {y_t.shape} != kernel {y_k.shape}"
    assert y_t.dtype == y_k.dtype == xs[0].dtype, where
    dt = xs[0].dtype.type
    np.testing.assert_allclose(y_t, y_k, rtol=RTOL[dt], atol=ATOL[dt], equal_nan=True,
                               err_msg=where)


# -- strategies -------------------------------------------------------------------------

seeds = st.integers(0, 2**16)


@st.composite
def arrays(draw, shape, scale=1.0):
    """A float32 or float64 array of ``shape``, sometimes with a NaN (it must propagate alike)."""
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    x = (np.random.default_rng(draw(seeds)).standard_normal(shape) * scale).astype(dtype)
    if draw(st.integers(0, 3)) == 0:
        x.flat[draw(st.integers(0, x.size - 1))] = np.nan
    return x


def ints(n, lo, hi):
    return st.tuples(*[st.integers(lo, hi)] * n)


@st.composite
def lead(draw):
    """Leading (N, C) axes, or just (C,): unbatched input."""
    c = draw(st.integers(1, 3))
    return (c,) if draw(st.booleans()) else (draw(st.integers(1, 2)), c)


def fitting_sizes(draw, k, p, d, extra=3):
    """Spatial sizes just large enough for kernel ``k`` with padding ``p``, dilation ``d``."""
    least = [max(1, dd * (kk - 1) + 1 - 2 * pp) for kk, pp, dd in zip(k, p, d)]
    return tuple(draw(st.integers(lo, lo + extra)) for lo in least)


def any_shape(max_size=4):
    return st.lists(st.integers(1, 4), min_size=1, max_size=max_size).map(tuple)


@st.composite
def softmax_cases(draw):
    shape = draw(any_shape())
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return Softmax(dim), draw(arrays(shape, scale=3.0))


@st.composite
def flatten_cases(draw):
    shape = draw(any_shape(5))
    n = len(shape)
    s = draw(st.integers(0, n - 1))
    e = draw(st.integers(s, n - 1))
    s, e = (s - n if draw(st.booleans()) else s), (e - n if draw(st.booleans()) else e)
    return Flatten(s, e), draw(arrays(shape))


@st.composite
def add_cases(draw):
    a = draw(arrays(draw(any_shape())))
    b = np.random.default_rng(draw(seeds)).standard_normal(a.shape).astype(a.dtype)
    return Add(), (a, b)


@st.composite
def batchnorm_cases(draw, cls, ndims):
    nd = draw(st.sampled_from(ndims))
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    shape = (n, c) + draw(ints(nd - 2, 1, 3))
    layer = cls(c, eps=draw(st.sampled_from([1e-5, 1e-3, 0.0])), affine=draw(st.booleans()))
    rng = np.random.default_rng(draw(seeds))
    layer.running_mean = rng.standard_normal(c)
    layer.running_var = rng.uniform(0.5, 2.0, c)
    if layer.affine:
        layer.weight, layer.bias = rng.standard_normal(c), rng.standard_normal(c)
    return layer, draw(arrays(shape))


@st.composite
def adaptive_cases(draw, cls, nd):
    sizes = draw(ints(nd, 1, 5))
    out = tuple(draw(st.one_of(st.none(), st.integers(1, 6))) for _ in range(nd))
    if nd == 1 and out[0] is not None and draw(st.booleans()):
        out = out[0]  # a plain int
    return cls(out), draw(arrays(draw(lead()) + sizes))


@st.composite
def pool_cases(draw, cls, nd):
    k = draw(ints(nd, 1, 3))
    s = draw(ints(nd, 1, 3))
    p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    ceil_mode = draw(st.booleans())
    if cls.__name__.startswith("Max"):
        d = draw(ints(nd, 1, 2))
        layer = cls(k, s, p, d, ceil_mode)
    else:
        d = (1,) * nd
        layer = cls(k, s, p, ceil_mode, count_include_pad=draw(st.booleans()))
    return layer, draw(arrays(draw(lead()) + fitting_sizes(draw, k, p, d)))


@st.composite
def conv_cases(draw, cls, nd, algorithm, padding_mode):
    g = draw(st.integers(1, 2))
    cin, cout = g * draw(st.integers(1, 2)), g * draw(st.integers(1, 2))
    kmax = 2 if nd == 3 else 3
    k, s, d = draw(ints(nd, 1, kmax)), draw(ints(nd, 1, 2)), draw(ints(nd, 1, 2))
    p = draw(ints(nd, 0, 2))
    layer = cls(cin, cout, k, s, p, d, g, bias=draw(st.booleans()), algorithm=algorithm,
                padding_mode=padding_mode, rng=draw(seeds))
    shape = (draw(st.integers(1, 2)), cin) + fitting_sizes(draw, k, p, d, 2 if nd == 3 else 3)
    return layer, draw(arrays(shape))


@st.composite
def depthwise_cases(draw, padding_mode):
    c, m = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    k, s, d, p = draw(ints(2, 1, 3)), draw(ints(2, 1, 2)), draw(ints(2, 1, 2)), draw(ints(2, 0, 2))
    layer = DepthwiseConv2d(c, k, m, s, p, d, bias=draw(st.booleans()), padding_mode=padding_mode,
                            rng=draw(seeds))
    shape = (draw(st.integers(1, 2)), c) + fitting_sizes(draw, k, p, d)
    return layer, draw(arrays(shape))


@st.composite
def pointwise_cases(draw):
    cin, cout = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    layer = PointwiseConv2d(cin, cout, bias=draw(st.booleans()), rng=draw(seeds))
    return layer, draw(arrays((draw(st.integers(1, 2)), cin) + draw(ints(2, 1, 3))))


@st.composite
def dense_cases(draw, cls):
    i, o = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    layer = cls(i, o, bias=draw(st.booleans()), rng=draw(seeds))
    leading = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    return layer, draw(arrays(leading + (i,)))


@st.composite
def recurrent_cases(draw, cls):
    i, h = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    layer = cls(i, h, bias=draw(st.booleans()), batch_first=draw(st.booleans()), rng=draw(seeds))
    t, b = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    shape = (t, i) if draw(st.booleans()) else ((b, t, i) if layer.batch_first else (t, b, i))
    return layer, draw(arrays(shape))


# -- generated configurations -------------------------------------------------------------

ELEMENTWISE = [ReLU(), ReLU6(), LeakyReLU(0.2), LeakyReLU(1.5), Sigmoid(), Tanh(), SiLU(),
               Dropout(0.3)]


@pytest.mark.parametrize("layer", ELEMENTWISE, ids=repr)
@given(data=st.data())
def test_activations_and_dropout(layer, data):
    assert_three_way(layer, data.draw(arrays(data.draw(any_shape()), scale=4.0)))


@given(case=softmax_cases())
def test_softmax_any_dim(case):
    assert_three_way(*case)


@given(case=flatten_cases())
def test_flatten_any_dims(case):
    assert_three_way(*case)


@given(case=add_cases())
def test_add(case):
    assert_three_way(*case)


@pytest.mark.parametrize("cls,ndims", [(BatchNorm1d, (2, 3)), (BatchNorm2d, (4,)),
                                       (BatchNorm3d, (5,))], ids=["1d", "2d", "3d"])
@given(data=st.data())
def test_batchnorm_affine_or_not(cls, ndims, data):
    assert_three_way(*data.draw(batchnorm_cases(cls, ndims)))


ADAPTIVE = [(AdaptiveAvgPool1d, 1), (AdaptiveAvgPool2d, 2), (AdaptiveAvgPool3d, 3),
            (AdaptiveMaxPool1d, 1), (AdaptiveMaxPool2d, 2), (AdaptiveMaxPool3d, 3)]


@pytest.mark.parametrize("cls,nd", ADAPTIVE, ids=[c.__name__ for c, _ in ADAPTIVE])
@given(data=st.data())
def test_adaptive_pool_overlapping_and_none_sizes(cls, nd, data):
    assert_three_way(*data.draw(adaptive_cases(cls, nd)))


POOLS = [(MaxPool1d, 1), (MaxPool2d, 2), (MaxPool3d, 3),
         (AvgPool1d, 1), (AvgPool2d, 2), (AvgPool3d, 3)]


@pytest.mark.parametrize("cls,nd", POOLS, ids=[c.__name__ for c, _ in POOLS])
@given(data=st.data())
def test_pool_strided_padded_dilated_ceil_mode(cls, nd, data):
    assert_three_way(*data.draw(pool_cases(cls, nd)))


CONVS = [(Conv1d, 1), (Conv2d, 2), (Conv3d, 3)]
MODES = [("im2col", "dense"), ("naive", "dense"), ("naive", "skip")]
MODE_IDS = ["im2col", "naive", "skip"]


@pytest.mark.parametrize("algorithm,padding_mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("cls,nd", CONVS, ids=[c.__name__ for c, _ in CONVS])
@settings(max_examples=15)
@given(data=st.data())
def test_conv_grouped_strided_padded_dilated(cls, nd, algorithm, padding_mode, data):
    assert_three_way(*data.draw(conv_cases(cls, nd, algorithm, padding_mode)))


@pytest.mark.parametrize("padding_mode", ["dense", "skip"])
@given(data=st.data())
def test_depthwise_multiplier(padding_mode, data):
    assert_three_way(*data.draw(depthwise_cases(padding_mode)))


@given(case=pointwise_cases())
def test_pointwise(case):
    assert_three_way(*case)


@pytest.mark.parametrize("cls", [Dense, Linear], ids=["Dense", "Linear"])
@given(data=st.data())
def test_dense_any_leading_axes(cls, data):
    assert_three_way(*data.draw(dense_cases(cls)))


@pytest.mark.parametrize("cls", [RNN, GRU, LSTM], ids=["RNN", "GRU", "LSTM"])
@settings(max_examples=15)
@given(data=st.data())
def test_recurrent_batched_or_not(cls, data):
    assert_three_way(*data.draw(recurrent_cases(cls)))


# -- the checklist: one named case per feature --------------------------------------------

def _conv(nd, mode, in_channels=2, out_channels=3, kernel_size=2, batch=1, **kw):
    """Conv{nd}d in ``mode`` and its input shape; per-axis values given for 3 axes keep
    their first nd."""
    algorithm, padding_mode = dict(zip(MODE_IDS, MODES))[mode]
    kw["kernel_size"] = kernel_size
    cut = {k: v[:nd] if isinstance(v, tuple) else v for k, v in kw.items()}
    layer = CONVS[nd - 1][0](in_channels, out_channels, **cut, algorithm=algorithm,
                             padding_mode=padding_mode, rng=0)
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
        DepthwiseConv2d(2, 3, 2, padding=1, padding_mode="skip", rng=0), (1, 2, 4, 4)),
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
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(NAMED))
def test_named_case(name, dtype):
    layer, shape = NAMED[name]()
    assert_three_way(layer, np.random.default_rng(1).standard_normal(shape).astype(dtype))


# -- coverage ----------------------------------------------------------------------------

def test_every_layer_has_a_reference_and_is_tested_here():
    tested = {type(layer).__name__ for layer in ELEMENTWISE}
    tested |= {c.__name__ for c, _ in ADAPTIVE + POOLS + CONVS}
    tested |= {c.__name__ for c in (Softmax, Flatten, Add, BatchNorm1d, BatchNorm2d, BatchNorm3d,
                                    DepthwiseConv2d, PointwiseConv2d, Dense, Linear, RNN, GRU,
                                    LSTM)}
    assert tested | {"Reshape", "Identity"} == set(nnref.layers.__all__) - {"Layer"}
    assert set(references()) == set(nnref.layers.__all__) - {"Layer", "Linear"}
