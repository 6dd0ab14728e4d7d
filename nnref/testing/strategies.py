"""Hypothesis strategies: valid layer configurations with their input shapes, every layer type.

    from hypothesis import given
    from nnref.testing import strategies as nst

    @given(nst.conv2d())
    def test_my_conv_formula(sample):
        layer, shape, twin = sample          # nnref layer, input shape, torch twin
        assert my_flops(twin, shape) == nnref.count(layer, shape).flops

Each strategy draws a :class:`Sample`: an nnref layer, an input shape it accepts, and
its torch twin (:func:`nnref.testing.twins.torch_twin`: the ``torch.nn`` module with the
same configuration and weights; ``twin=False`` skips torch). One strategy per layer
class, named as in torch (``conv2d``, ``max_pool2d``, ``batch_norm1d``, ``gru``, ...,
see :data:`BY_NAME`), the families (``conv``, ``pool2d``, ``adaptive_pool``, ...) and
:func:`any_layer`. Each takes bounds as keyword arguments (``conv2d(groups=1, batch=4)``,
``gru(features=8)``); see :func:`configs` for the bounds of each family.

Shapes are tiny by default: they also feed nnref's plain-Python traced reference, which
is slow. Configurations cover what the layers accept: non-square kernels, unequal
strides and dilations per axis, padding larger than the kernel, groups, depthwise,
bias or not, ``ceil_mode``, ``count_include_pad``, batch_first, unbatched inputs, ...
"""
from __future__ import annotations

import inspect
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st

from ..layers import LAYERS
from ..layers.base import Layer

#: The (algorithm, padding_taps) pairs of Conv{1,2,3}d that exist (im2col is dense only).
MODES = (("im2col", "dense"), ("naive", "dense"), ("naive", "skip"))
seeds = st.integers(0, 2**16)

#: The index: strategy name (torch's spelling) -> layer class name.
BY_NAME = MappingProxyType({
    "conv1d": "Conv1d", "conv2d": "Conv2d", "conv3d": "Conv3d",
    "depthwise_conv2d": "DepthwiseConv2d", "pointwise_conv2d": "PointwiseConv2d",
    "dense": "Dense", "linear": "Linear",
    "max_pool1d": "MaxPool1d", "max_pool2d": "MaxPool2d", "max_pool3d": "MaxPool3d",
    "avg_pool1d": "AvgPool1d", "avg_pool2d": "AvgPool2d", "avg_pool3d": "AvgPool3d",
    "adaptive_avg_pool1d": "AdaptiveAvgPool1d", "adaptive_avg_pool2d": "AdaptiveAvgPool2d",
    "adaptive_avg_pool3d": "AdaptiveAvgPool3d", "adaptive_max_pool1d": "AdaptiveMaxPool1d",
    "adaptive_max_pool2d": "AdaptiveMaxPool2d", "adaptive_max_pool3d": "AdaptiveMaxPool3d",
    "batch_norm1d": "BatchNorm1d", "batch_norm2d": "BatchNorm2d", "batch_norm3d": "BatchNorm3d",
    "relu": "ReLU", "relu6": "ReLU6", "leaky_relu": "LeakyReLU", "sigmoid": "Sigmoid",
    "tanh": "Tanh", "silu": "SiLU", "softmax": "Softmax",
    "identity": "Identity", "flatten": "Flatten", "reshape": "Reshape", "dropout": "Dropout",
    "add": "Add", "rnn": "RNN", "gru": "GRU", "lstm": "LSTM",
})
BY_CLASS = MappingProxyType({cls: name for name, cls in BY_NAME.items()})


class Sample(NamedTuple):
    """One drawn layer: the nnref layer, an input shape it takes, and its torch twin."""

    layer: Layer
    input_shape: tuple
    twin: object  # torch.nn.Module, or None with twin=False

    def inputs(self, dtype=np.float32, seed=0) -> tuple:
        """Standard-normal input arrays: one per operand (two for Add)."""
        rng = np.random.default_rng(seed)
        return tuple(rng.standard_normal(self.input_shape).astype(dtype)
                     for _ in range(self.layer.operands))


# -- building blocks ----------------------------------------------------------------------

def per_axis(n, lo, hi):
    """A tuple of ``n`` ints in [lo, hi], drawn independently (unequal per axis)."""
    return st.tuples(*[st.integers(lo, hi)] * n)


def shapes(min_dims=1, max_dims=4, size=4):
    return st.lists(st.integers(1, size), min_size=min_dims, max_size=max_dims).map(tuple)


@st.composite
def lead(draw, channels, batch=2):
    """The leading axes: ``(N, C)`` with N up to ``batch``, or ``(C,)`` (unbatched)."""
    if draw(st.booleans()):
        return (channels,)
    return draw(st.integers(1, batch)), channels


@st.composite
def windows(draw, nd, kernel=3, stride=2, dilation=2, padding=2, half_kernel=False, extra=3):
    """Per-axis ``(kernel_size, stride, padding, dilation, sizes)`` of a sliding window.

    Padding is at most ``padding`` (and at most half the kernel with ``half_kernel``, as
    pools demand; conv padding may exceed the kernel); the spatial ``sizes`` are the
    smallest that the dilated kernel fits on the padded input, plus up to ``extra``.
    """
    k = draw(per_axis(nd, 1, kernel))
    s, d = draw(per_axis(nd, 1, stride)), draw(per_axis(nd, 1, dilation))
    p = tuple(draw(st.integers(0, min(padding, kk // 2) if half_kernel else padding)) for kk in k)
    least = [max(1, dd * (kk - 1) + 1 - 2 * pp) for kk, pp, dd in zip(k, p, d)]
    sizes = tuple(draw(st.integers(lo, lo + extra)) for lo in least)
    return k, s, p, d, sizes


def spatial(cls):
    """The number of spatial axes in a class name: ``MaxPool3d`` -> 3."""
    return int(cls.__name__[-2])


def trained(layer, seed=1):
    """``layer`` (a BatchNorm) with random statistics and affine parameters, as after
    training, so that it is no identity."""
    rng = np.random.default_rng(seed)
    c = layer.num_features
    layer.running_mean = rng.standard_normal(c).astype(np.float32)
    layer.running_var = rng.uniform(0.5, 2.0, c).astype(np.float32)
    if layer.affine:
        layer.weight, layer.bias = rng.standard_normal((2, c)).astype(np.float32)
    return layer


# -- one configuration strategy per family: each draws (layer, input_shape) ------------------

@st.composite
def _conv(draw, cls, *, modes=MODES, groups=3, per_group=2, batch=2, kernel=None, most=2,
          extra=None):
    """Conv1d/2d/3d: non-square kernels, unequal strides and dilations per axis, padding up
    to ``most`` (so larger than a small kernel), groups up to ``groups`` (depthwise when
    each group has one input channel), bias or not, every (algorithm, padding_taps) of
    ``modes``, batch up to ``batch``."""
    nd = spatial(cls)
    kernel = kernel or (2 if nd == 3 else 3)
    extra = (2 if nd == 3 else 3) if extra is None else extra
    g = draw(st.integers(1, groups))
    cin, cout = g * draw(st.integers(1, per_group)), g * draw(st.integers(1, per_group))
    k, s, p, d, sizes = draw(windows(nd, kernel, most, most, most, extra=extra))
    algorithm, padding_taps = draw(st.sampled_from(modes))
    layer = cls(cin, cout, k, s, p, d, g, bias=draw(st.booleans()), algorithm=algorithm,
                padding_taps=padding_taps, rng=draw(seeds))
    return layer, (draw(st.integers(1, batch)), cin) + sizes


@st.composite
def _depthwise(draw, cls, *, channels=3, multiplier=2, batch=2, kernel=3, most=2, extra=3,
               padding_tapss=("dense", "skip")):
    """DepthwiseConv2d: depth multiplier, per-axis geometry as the convolutions, both modes."""
    c = draw(st.integers(1, channels))
    k, s, p, d, sizes = draw(windows(2, kernel, most, most, most, extra=extra))
    layer = cls(c, k, draw(st.integers(1, multiplier)), s, p, d, bias=draw(st.booleans()),
                padding_taps=draw(st.sampled_from(padding_tapss)), rng=draw(seeds))
    return layer, (draw(st.integers(1, batch)), c) + sizes


@st.composite
def _pointwise(draw, cls, *, channels=4, batch=2, size=3):
    cin, cout = draw(st.integers(1, channels)), draw(st.integers(1, channels))
    layer = cls(cin, cout, bias=draw(st.booleans()), rng=draw(seeds))
    return layer, (draw(st.integers(1, batch)), cin) + draw(per_axis(2, 1, size))


@st.composite
def _pool(draw, cls, *, kernel=3, stride=3, channels=3, batch=2, extra=3):
    """MaxPool/AvgPool{1,2,3}d: per-axis kernel, stride, padding (at most half the kernel),
    dilation (max pools), ceil_mode, count_include_pad (avg pools), unbatched or not."""
    nd, is_max = spatial(cls), cls.__name__.startswith("Max")
    k, s, p, d, sizes = draw(windows(nd, kernel, stride, 2 if is_max else 1, kernel,
                                     half_kernel=True, extra=extra))
    ceil_mode = draw(st.booleans())
    if is_max:
        layer = cls(k, s, p, d, ceil_mode)
    else:
        layer = cls(k, s, p, ceil_mode, count_include_pad=draw(st.booleans()))
    return layer, draw(lead(draw(st.integers(1, channels)), batch)) + sizes


@st.composite
def _adaptive(draw, cls, *, size=None, channels=3, batch=2):
    """Adaptive pools: output sizes below, equal to or above the input (overlapping or
    repeating windows), None (keep the input size), a plain int for 1-D; input sizes up
    to ``size`` (default 7, 5 for 3-D)."""
    nd = spatial(cls)
    size = size or (5 if nd == 3 else 7)
    sizes = draw(per_axis(nd, 1, size))
    out = tuple(draw(st.one_of(st.none(), st.integers(1, size + 1))) for _ in range(nd))
    if nd == 1 and out[0] is not None and draw(st.booleans()):
        out = out[0]
    return cls(out), draw(lead(draw(st.integers(1, channels)), batch)) + sizes


@st.composite
def _batchnorm(draw, cls, *, channels=3, batch=3, size=3):
    """BatchNorm{1,2,3}d (BatchNorm1d on (N, C) and (N, C, L)), affine or not, trained
    statistics, eps including 0."""
    ndim = {1: draw(st.sampled_from([2, 3])), 2: 4, 3: 5}[spatial(cls)]
    c = draw(st.integers(1, channels))
    layer = cls(c, eps=draw(st.sampled_from([1e-5, 1e-3, 0.1, 0.0])), affine=draw(st.booleans()))
    trained(layer, draw(seeds))
    return layer, (draw(st.integers(1, batch)), c) + draw(per_axis(ndim - 2, 1, size))


@st.composite
def _dense(draw, cls, *, features=5, leading=2, size=3):
    """Dense / Linear on any number of leading axes (none: a 1-D input)."""
    i, o = draw(st.integers(1, features)), draw(st.integers(1, features))
    layer = cls(i, o, bias=draw(st.booleans()), rng=draw(seeds))
    return layer, tuple(draw(st.lists(st.integers(1, size), max_size=leading))) + (i,)


@st.composite
def _recurrent(draw, cls, *, features=3, steps=3, batch=3):
    """RNN/GRU/LSTM: bias or not, batch_first or not, unbatched (T, I) input or not."""
    i, h = draw(st.integers(1, features)), draw(st.integers(1, features))
    layer = cls(i, h, bias=draw(st.booleans()), batch_first=draw(st.booleans()), rng=draw(seeds))
    t, b = draw(st.integers(1, steps)), draw(st.integers(1, batch))
    if draw(st.booleans()):
        return layer, (t, i)
    return layer, (b, t, i) if layer.batch_first else (t, b, i)


@st.composite
def _elementwise(draw, cls, *, dims=4, size=4):
    """The activations (LeakyReLU slopes 0, small, above 1 and negative; inplace or not),
    Identity and Add, on any shape (0-d too)."""
    kw = {}
    if "inplace" in inspect.signature(cls).parameters:
        kw["inplace"] = draw(st.booleans())
    if cls.__name__ == "LeakyReLU":
        kw["negative_slope"] = draw(st.sampled_from([0.01, 0.2, 1.5, 0.0, -0.5]))
    return cls(**kw), draw(shapes(0, dims, size))


@st.composite
def _softmax(draw, cls, *, dims=4, size=4):
    """Any axis of any shape; a 0-d input is one row of one element (dim 0 or −1), as in torch."""
    shape = draw(shapes(0, dims, size))
    n = max(len(shape), 1)
    return cls(draw(st.integers(-n, n - 1))), shape


@st.composite
def _flatten(draw, cls, *, dims=5, size=4):
    """Flatten of any axis range, each end given positive or negative."""
    shape = draw(shapes(1, dims, size))
    n = len(shape)
    s = draw(st.integers(0, n - 1))
    e = draw(st.integers(s, n - 1))
    s, e = (s - n if draw(st.booleans()) else s), (e - n if draw(st.booleans()) else e)
    return cls(s, e), shape


@st.composite
def _reshape(draw, cls, *, dims=4, size=4):
    """Reshape to a permutation of the input's axes, two of them sometimes merged, one
    sometimes -1 (the batch axis is reshaped too)."""
    shape = draw(shapes(1, dims, size))
    target = list(draw(st.permutations(shape)))
    if len(target) > 1 and draw(st.booleans()):
        target[:2] = [target[0] * target[1]]
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return cls(tuple(target)), shape


@st.composite
def _dropout(draw, cls, *, dims=4, size=4):
    return cls(draw(st.floats(0.0, 1.0)), inplace=draw(st.booleans())), draw(shapes(0, dims, size))


#: family strategy -> the classes it draws; with the class-name index below, the whole map.
_FAMILIES = (
    (_conv, "Conv1d Conv2d Conv3d"),
    (_depthwise, "DepthwiseConv2d"),
    (_pointwise, "PointwiseConv2d"),
    (_pool, "MaxPool1d MaxPool2d MaxPool3d AvgPool1d AvgPool2d AvgPool3d"),
    (_adaptive, "AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d "
                "AdaptiveMaxPool2d AdaptiveMaxPool3d"),
    (_batchnorm, "BatchNorm1d BatchNorm2d BatchNorm3d"),
    (_dense, "Dense Linear"),
    (_recurrent, "RNN GRU LSTM"),
    (_elementwise, "ReLU ReLU6 LeakyReLU Sigmoid Tanh SiLU Identity Add"),
    (_softmax, "Softmax"),
    (_flatten, "Flatten"),
    (_reshape, "Reshape"),
    (_dropout, "Dropout"),
)
_CONFIG = MappingProxyType({name: family for family, names in _FAMILIES
                           for name in names.split()})


def configs(name: str, **bounds):
    """The strategy of ``(layer, input_shape)`` for layer class ``name``, with ``bounds``.

    Bounds by family: convolutions ``modes, groups, per_group, batch, kernel, most,
    extra``; DepthwiseConv2d ``channels, multiplier, batch, kernel, most, extra,
    padding_tapss``; PointwiseConv2d ``channels, batch, size``; pools ``kernel, stride,
    channels, batch, extra``; adaptive pools ``size, channels, batch``; BatchNorm
    ``channels, batch, size``; Dense/Linear ``features, leading, size``; RNN/GRU/LSTM
    ``features, steps, batch``; elementwise layers, Softmax, Flatten, Reshape, Dropout
    ``dims, size``.
    """
    if not isinstance(name, str) or name not in _CONFIG:
        raise ValueError(f"strategies: layer {name!r} is unknown; expected one of "
                         f"{', '.join(sorted(_CONFIG))}")
    return _CONFIG[name](LAYERS[name], **bounds)


def _sample(layer, shape, twin):
    if not twin:
        return Sample(layer, tuple(shape), None)
    from .twins import torch_twin

    return Sample(layer, tuple(shape), torch_twin(layer, shape))


def layers(name: str, *, twin: bool = True, **bounds):
    """Samples of layer class ``name``: the layer, its input shape and (``twin``) its torch twin."""
    return configs(name, **bounds).map(lambda c: _sample(*c, twin))


def any_layer(*, twin: bool = True, exclude=()):
    """A sample of any layer class (except the names in ``exclude``), with default bounds."""
    names = [n for n in sorted(_CONFIG) if n not in set(exclude)]
    return st.sampled_from(names).flatmap(lambda n: layers(n, twin=twin))


def _one(name):
    def strategy(*, twin=True, **bounds):
        return layers(name, twin=twin, **bounds)

    strategy.__name__ = strategy.__qualname__ = BY_CLASS[name]
    strategy.__doc__ = f"Samples of nnref.{name} with its torch twin; bounds: see configs()."
    return strategy


def _group(*names):
    """A strategy drawing a sample of one of the classes ``names``, with default bounds."""
    def strategy(*, twin=True):
        return st.one_of(*(layers(n, twin=twin) for n in names))

    return strategy


#: Families: one of their classes, with default bounds.
conv = _group("Conv1d", "Conv2d", "Conv3d", "DepthwiseConv2d", "PointwiseConv2d")
pool1d = _group("MaxPool1d", "AvgPool1d")
pool2d = _group("MaxPool2d", "AvgPool2d")
pool3d = _group("MaxPool3d", "AvgPool3d")
adaptive_pool = _group(*(n for n in BY_CLASS if n.startswith("Adaptive")))
batch_norm = _group("BatchNorm1d", "BatchNorm2d", "BatchNorm3d")
activation = _group("ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "SiLU", "Softmax")
recurrent = _group("RNN", "GRU", "LSTM")

__all__ = ["BY_NAME", "MODES", "Sample", "activation", "adaptive_pool", "any_layer",
           "batch_norm", "configs", "conv", "layers", "pool1d", "pool2d", "pool3d",
           "recurrent", "trained", *BY_NAME]


def __getattr__(name):
    """``conv2d``, ``max_pool2d``, ``gru``, ...: the strategy of one class (:data:`BY_NAME`)."""
    if name in BY_NAME:
        return _one(BY_NAME[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(BY_NAME))
