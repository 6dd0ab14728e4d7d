"""Three-way agreement: traced reference == numba kernels == closed-form formulas.

For every layer class, on small hypothesis-generated configurations, the counts of the
plain-Python traced reference, of the kernels and of ``formulas.for_layer`` must be equal
for every kind, and the traced output must equal the kernel output (float64, NaN in the
same places). The traced reference is slow by design, so every shape here is tiny.
"""
import numpy as np
import pytest
from conftest import assert_close_torch, to_torch, torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnref.counting import formulas
from nnref.layers.activation import LeakyReLU, ReLU, ReLU6, SiLU, Sigmoid, Tanh
from nnref.layers.adaptive import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d,
                                   AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d)
from nnref.layers.conv import Conv1d, Conv2d, Conv3d
from nnref.layers.dense import Dense, Linear
from nnref.layers.depthwise import DepthwiseConv2d, PointwiseConv2d
from nnref.layers.misc import Add, Dropout, Flatten
from nnref.layers.norm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from nnref.layers.pool import AvgPool1d, AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d
from nnref.layers.recurrent import GRU, LSTM, RNN
from nnref.layers.softmax import Softmax
from nnref.trace.reference import reference

# -- the one check ----------------------------------------------------------------------


def assert_three_way(layer, x):
    """traced counts == kernel counts == formula counts, and traced y == kernel y.

    ``x`` is an array, or the pair ``(a, b)`` for Add (whose formula takes one shape).
    """
    xs = x if isinstance(x, tuple) else (x,)
    y_k, ops_k = layer(*xs)
    y_t, ops_t = reference(layer, x)
    ops_f = formulas.for_layer(layer, xs[0].shape)
    where = f"{layer!r} on {[a.shape for a in xs]}"
    assert ops_t == ops_k == ops_f, (f"{where}:\n traced  {ops_t.as_dict()}\n"
                                     f" kernel  {ops_k.as_dict()}\n formula {ops_f.as_dict()}")
    assert y_t.shape == y_k.shape, f"{where}: traced {y_t.shape} != kernel {y_k.shape}"
    assert y_t.dtype == y_k.dtype == xs[0].dtype, where
    np.testing.assert_allclose(y_t, y_k, rtol=1e-10, atol=1e-12, equal_nan=True, err_msg=where)


# -- strategies -------------------------------------------------------------------------

seeds = st.integers(0, 2**16)


@st.composite
def arrays(draw, shape, scale=1.0):
    """A float64 array of ``shape``; sometimes with one NaN, to check it propagates alike."""
    x = np.random.default_rng(draw(seeds)).standard_normal(shape) * scale
    if draw(st.integers(0, 3)) == 0:
        x.flat[draw(st.integers(0, x.size - 1))] = np.nan
    return x


def ints(n, lo, hi):
    return st.tuples(*[st.integers(lo, hi)] * n)


@st.composite
def lead(draw, unbatched_ok=True):
    """Leading (N, C) axes, or just (C,) for layers that accept unbatched input."""
    c = draw(st.integers(1, 3))
    return (c,) if unbatched_ok and draw(st.booleans()) else (draw(st.integers(1, 2)), c)


def fitting_sizes(draw, k, p, d, extra=3):
    """Spatial sizes just large enough for kernel ``k`` with padding ``p``, dilation ``d``."""
    least = [max(1, dd * (kk - 1) + 1 - 2 * pp) for kk, pp, dd in zip(k, p, d)]
    return tuple(draw(st.integers(lo, lo + extra)) for lo in least)


@st.composite
def elementwise_cases(draw):
    layer = draw(st.sampled_from([ReLU(), ReLU6(), LeakyReLU(0.2), LeakyReLU(1.5), Sigmoid(),
                                  Tanh(), SiLU(), Dropout(0.3)]))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    return layer, draw(arrays(shape, scale=4.0))


@st.composite
def softmax_cases(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return Softmax(dim), draw(arrays(shape, scale=3.0))


@st.composite
def flatten_cases(draw):
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=5)))
    n = len(shape)
    s = draw(st.integers(0, n - 1))
    e = draw(st.integers(s, n - 1))
    s, e = (s - n if draw(st.booleans()) else s), (e - n if draw(st.booleans()) else e)
    return Flatten(s, e), draw(arrays(shape))


@st.composite
def add_cases(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    return Add(), (draw(arrays(shape)), draw(arrays(shape)))


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


ALGORITHMS = [("im2col", "dense"), ("naive", "dense"), ("naive", "skip")]


@st.composite
def conv_cases(draw, cls, nd):
    g = draw(st.integers(1, 2))
    cin, cout = g * draw(st.integers(1, 2)), g * draw(st.integers(1, 2))
    kmax = 2 if nd == 3 else 3
    k, s, d = draw(ints(nd, 1, kmax)), draw(ints(nd, 1, 2)), draw(ints(nd, 1, 2))
    p = draw(ints(nd, 0, 2))
    algorithm, padding_mode = draw(st.sampled_from(ALGORITHMS))
    layer = cls(cin, cout, k, s, p, d, g, bias=draw(st.booleans()), algorithm=algorithm,
                padding_mode=padding_mode, rng=draw(seeds))
    shape = (draw(st.integers(1, 2)), cin) + fitting_sizes(draw, k, p, d, 2 if nd == 3 else 3)
    return layer, draw(arrays(shape))


@st.composite
def depthwise_cases(draw):
    c, m = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    k, s, d, p = draw(ints(2, 1, 3)), draw(ints(2, 1, 2)), draw(ints(2, 1, 2)), draw(ints(2, 0, 2))
    layer = DepthwiseConv2d(c, k, m, s, p, d, bias=draw(st.booleans()),
                            padding_mode=draw(st.sampled_from(["dense", "skip"])), rng=draw(seeds))
    shape = (draw(st.integers(1, 2)), c) + fitting_sizes(draw, k, p, d)
    return layer, draw(arrays(shape))


@st.composite
def pointwise_cases(draw):
    cin, cout = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    layer = PointwiseConv2d(cin, cout, bias=draw(st.booleans()), rng=draw(seeds))
    return layer, draw(arrays((draw(st.integers(1, 2)), cin) + draw(ints(2, 1, 3))))


@st.composite
def dense_cases(draw):
    cls = draw(st.sampled_from([Dense, Linear]))
    i, o = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    layer = cls(i, o, bias=draw(st.booleans()), rng=draw(seeds))
    leading = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    return layer, draw(arrays(leading + (i,)))


@st.composite
def recurrent_cases(draw):
    cls = draw(st.sampled_from([RNN, GRU, LSTM]))
    i, h = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    layer = cls(i, h, bias=draw(st.booleans()), batch_first=draw(st.booleans()), rng=draw(seeds))
    t, b = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    shape = (t, i) if draw(st.booleans()) else ((b, t, i) if layer.batch_first else (t, b, i))
    return layer, draw(arrays(shape))


# -- the checklist ----------------------------------------------------------------------


@given(case=elementwise_cases())
def test_activations_and_dropout(case):
    assert_three_way(*case)


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


@pytest.mark.parametrize("cls,nd", CONVS, ids=[c.__name__ for c, _ in CONVS])
@settings(max_examples=20)
@given(data=st.data())
def test_conv_grouped_strided_padded_dilated_every_algorithm(cls, nd, data):
    assert_three_way(*data.draw(conv_cases(cls, nd)))


@given(case=depthwise_cases())
def test_depthwise_multiplier_padding_modes(case):
    assert_three_way(*case)


@given(case=pointwise_cases())
def test_pointwise(case):
    assert_three_way(*case)


@given(case=dense_cases())
def test_dense_and_linear_any_leading_axes(case):
    assert_three_way(*case)


@settings(max_examples=20)
@given(case=recurrent_cases())
def test_rnn_gru_lstm_batched_or_not(case):
    assert_three_way(*case)


# -- named cases, one per feature, so a failure reads as a checklist --------------------


def _x(*shape):
    return np.random.default_rng(1).standard_normal(shape)


NAMED = {
    "conv2d_1x1": (lambda: Conv2d(3, 2, 1, rng=0), (2, 3, 3, 4)),
    "conv2d_asymmetric_kernel_stride_dilation": (
        lambda: Conv2d(2, 2, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), rng=0),
        (1, 2, 6, 5)),
    "conv2d_grouped_naive_skip_padding": (
        lambda: Conv2d(4, 2, 3, padding=2, groups=2, algorithm="naive", padding_mode="skip",
                       rng=0), (2, 4, 3, 3)),
    "conv1d_padding_larger_than_kernel": (lambda: Conv1d(1, 1, 2, padding=2, rng=0), (1, 1, 3)),
    "conv3d_no_bias": (lambda: Conv3d(2, 3, (1, 2, 2), bias=False, rng=0), (1, 2, 2, 3, 3)),
    "depthwise_multiplier_2_skip": (
        lambda: DepthwiseConv2d(2, 3, 2, padding=1, padding_mode="skip", rng=0), (1, 2, 4, 4)),
    "maxpool2d_ceil_mode_dilated": (
        lambda: MaxPool2d((3, 2), (2, 2), (1, 1), (1, 2), ceil_mode=True), (2, 2, 5, 6)),
    "avgpool2d_ceil_mode_excluding_pad": (
        lambda: AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (1, 1, 6, 6)),
    "avgpool1d_ceil_mode_including_pad": (
        lambda: AvgPool1d(3, 2, 1, ceil_mode=True), (1, 1, 6)),
    "adaptive_avg_upsampling": (lambda: AdaptiveAvgPool2d((5, None)), (1, 2, 3, 4)),
    "adaptive_max_overlapping": (lambda: AdaptiveMaxPool1d(4), (2, 7)),
    "softmax_dim0": (lambda: Softmax(0), (4, 3)),
    "batchnorm1d_2d_input": (lambda: BatchNorm1d(3), (2, 3)),
    "linear_1d_input": (lambda: Linear(4, 2, rng=0), (4,)),
    "lstm_unbatched": (lambda: LSTM(2, 3, rng=0), (3, 2)),
    "gru_batch_first_no_bias": (lambda: GRU(2, 2, bias=False, batch_first=True, rng=0), (2, 3, 2)),
}


@pytest.mark.parametrize("name", list(NAMED))
def test_named_case(name):
    make, shape = NAMED[name]
    assert_three_way(make(), _x(*shape))


def test_float32_output_keeps_dtype_and_counts():
    layer = Conv2d(2, 2, 2, padding=1, rng=0)
    x = _x(1, 2, 3, 3).astype(np.float32)
    y_t, ops_t = reference(layer, x)
    y_k, ops_k = layer(x)
    assert y_t.dtype == np.float32 and ops_t == ops_k
    np.testing.assert_allclose(y_t, y_k, rtol=1e-4, atol=1e-5)


def _bn():
    layer = BatchNorm2d(3)
    layer.running_mean, layer.running_var = _x(3), np.array([0.5, 1.0, 2.0])
    layer.weight, layer.bias = _x(3), _x(3)
    return layer


def _torch_bn(t, layer):
    stats = (to_torch(getattr(layer, n)) for n in ("running_mean", "running_var", "weight", "bias"))
    return F.batch_norm(t, *stats, training=False, eps=layer.eps)


F = torch.nn.functional
TORCH = {  # the families whose reference lives in trace/reference, straight against torch
    "relu6": (ReLU6(), lambda t, _: F.relu6(t)),
    "leaky_relu": (LeakyReLU(0.1), lambda t, _: F.leaky_relu(t, 0.1)),
    "silu": (SiLU(), lambda t, _: F.silu(t)),
    "tanh": (Tanh(), lambda t, _: torch.tanh(t)),
    "softmax": (Softmax(-1), lambda t, _: torch.softmax(t, -1)),
    "adaptive_max": (AdaptiveMaxPool2d((2, 3)), lambda t, _: F.adaptive_max_pool2d(t, (2, 3))),
    "adaptive_avg": (AdaptiveAvgPool2d((3, 2)), lambda t, _: F.adaptive_avg_pool2d(t, (3, 2))),
    "batchnorm": (_bn(), _torch_bn),
}


@pytest.mark.parametrize("name", list(TORCH))
def test_reference_matches_torch_with_nan_and_inf(name):
    layer, ref = TORCH[name]
    x = _x(2, 3, 4, 5) * 4
    x[0, 0, 0, 0], x[0, 1, 2, 3], x[1, 2, 3, 4] = np.nan, np.inf, -np.inf
    y, _ = reference(layer, x)
    assert_close_torch(y, ref(to_torch(x), layer))


def test_every_layer_has_a_reference_and_is_tested_here():
    from nnref.layers.spec import known_layers

    tested = {c.__name__ for c in (
        ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, SiLU, Dropout, Softmax, Flatten, Add,
        BatchNorm1d, BatchNorm2d, BatchNorm3d, Conv1d, Conv2d, Conv3d, DepthwiseConv2d,
        PointwiseConv2d, Dense, Linear, RNN, GRU, LSTM)}
    tested |= {c.__name__ for c, _ in ADAPTIVE + POOLS}
    from nnref.trace.reference import references

    assert set(known_layers()) <= tested
    assert tested <= set(references())


def test_unknown_layer_is_a_type_error_listing_the_known_ones():
    with pytest.raises(TypeError, match="Conv2d"):
        reference(object(), _x(2))


def test_bad_input_is_rejected_like_the_layer():
    with pytest.raises(TypeError, match="dtype"):
        reference(ReLU(), np.arange(3))
    with pytest.raises(ValueError, match="shape"):
        reference(Conv2d(3, 1, 2), _x(1, 2, 4, 4))
    with pytest.raises(ValueError, match="shape"):
        reference(Add(), (_x(2, 3), _x(3, 2)))
    with pytest.raises(TypeError, match="pair"):
        reference(Add(), _x(2, 3))
    with pytest.raises(TypeError, match="one array"):
        reference(ReLU(), (_x(2), _x(2)))
