"""Shared hypothesis strategies: one per layer class whose constructor takes arguments.

Each draws ``(layer, x)``: a small random configuration of the class and an input it
accepts, ``x`` a float32 or float64 array, sometimes with a NaN or an infinity
(:func:`arrays`); Add draws ``(Add(), (a, b))``. ``STRATEGIES`` maps every such class
name to its strategy with the default bounds. The factories take bounds (sizes, the
number of spatial axes, the algorithms, ...) and the options of :func:`arrays`, for the
per-family tests that need other ranges or clean float64 inputs, e.g.
``FACTORIES["Conv2d"](modes=[("naive", "skip")], nan=False, dtypes=(np.float64,))``.

Shapes are tiny by default: the traced reference they feed is slow plain Python.
"""
from functools import partial
from types import MappingProxyType

import numpy as np
from hypothesis import strategies as st

from nnref.layers import LAYERS

FLOATS = (np.float64, np.float32)
#: The (algorithm, padding_taps) pairs of Conv{1,2,3}d that exist (im2col is dense only).
MODES = (("im2col", "dense"), ("naive", "dense"), ("naive", "skip"))
seeds = st.integers(0, 2**16)


# -- building blocks --------------------------------------------------------------------

@st.composite
def arrays(draw, shape, scale=1.0, nan=True, dtypes=FLOATS):
    """A standard-normal array of ``shape`` times ``scale``, of one of ``dtypes``.

    With ``nan``, one array in four has one element set to NaN, +inf or -inf: it must
    propagate alike everywhere (and change no count).
    """
    dtype = draw(st.sampled_from(dtypes))
    x = np.asarray(np.random.default_rng(draw(seeds)).standard_normal(shape) * scale, dtype)
    if nan and draw(st.integers(0, 3)) == 0:
        x.flat[draw(st.integers(0, x.size - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return x


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


def randomised(layer, seed=1):
    """``layer`` with every parameter drawn from N(0, 0.5²), so that no bias is 0."""
    rng = np.random.default_rng(seed)
    for name, value in layer.parameters().items():
        setattr(layer, name, (rng.standard_normal(np.shape(value)) * 0.5).astype(np.float32))
    return layer


# -- one strategy per family ----------------------------------------------------------------

@st.composite
def conv(draw, cls, *, modes=MODES, groups=3, per_group=2, batch=2, kernel=None, most=2,
         extra=None, **values):
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
    return layer, draw(arrays((draw(st.integers(1, batch)), cin) + sizes, **values))


@st.composite
def depthwise(draw, *, channels=3, multiplier=2, batch=2, kernel=3, most=2, extra=3,
              padding_tapss=("dense", "skip"), **values):
    """DepthwiseConv2d: depth multiplier, per-axis geometry as :func:`conv`, both modes."""
    c = draw(st.integers(1, channels))
    k, s, p, d, sizes = draw(windows(2, kernel, most, most, most, extra=extra))
    layer = LAYERS["DepthwiseConv2d"](c, k, draw(st.integers(1, multiplier)), s, p, d,
                                      bias=draw(st.booleans()),
                                      padding_taps=draw(st.sampled_from(padding_tapss)),
                                      rng=draw(seeds))
    return layer, draw(arrays((draw(st.integers(1, batch)), c) + sizes, **values))


@st.composite
def pointwise(draw, *, channels=4, batch=2, size=3, **values):
    cin, cout = draw(st.integers(1, channels)), draw(st.integers(1, channels))
    layer = LAYERS["PointwiseConv2d"](cin, cout, bias=draw(st.booleans()), rng=draw(seeds))
    return layer, draw(arrays((draw(st.integers(1, batch)), cin) + draw(per_axis(2, 1, size)),
                              **values))


@st.composite
def pool(draw, cls, *, kernel=3, stride=3, channels=3, batch=2, extra=3, **values):
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
    return layer, draw(arrays(draw(lead(draw(st.integers(1, channels)), batch)) + sizes, **values))


@st.composite
def adaptive(draw, cls, *, size=None, channels=3, batch=2, **values):
    """Adaptive pools: output sizes below, equal to or above the input (overlapping or
    repeating windows), None (keep the input size), a plain int for 1-D; input sizes up
    to ``size`` (default 7, 5 for 3-D)."""
    nd = spatial(cls)
    size = size or (5 if nd == 3 else 7)
    sizes = draw(per_axis(nd, 1, size))
    out = tuple(draw(st.one_of(st.none(), st.integers(1, size + 1))) for _ in range(nd))
    if nd == 1 and out[0] is not None and draw(st.booleans()):
        out = out[0]
    return cls(out), draw(arrays(draw(lead(draw(st.integers(1, channels)), batch)) + sizes, **values))


@st.composite
def batchnorm(draw, cls, *, channels=3, batch=3, size=3, **values):
    """BatchNorm{1,2,3}d (BatchNorm1d on (N, C) and (N, C, L)), affine or not, trained
    statistics, eps including 0."""
    ndim = {1: draw(st.sampled_from([2, 3])), 2: 4, 3: 5}[spatial(cls)]
    c = draw(st.integers(1, channels))
    layer = cls(c, eps=draw(st.sampled_from([1e-5, 1e-3, 0.1, 0.0])), affine=draw(st.booleans()))
    trained(layer, draw(seeds))
    shape = (draw(st.integers(1, batch)), c) + draw(per_axis(ndim - 2, 1, size))
    return layer, draw(arrays(shape, **values))


@st.composite
def dense(draw, cls, *, features=5, leading=2, size=3, **values):
    """Dense / Linear on any number of leading axes (none: a 1-D input)."""
    i, o = draw(st.integers(1, features)), draw(st.integers(1, features))
    layer = cls(i, o, bias=draw(st.booleans()), rng=draw(seeds))
    axes = tuple(draw(st.lists(st.integers(1, size), max_size=leading)))
    return layer, draw(arrays(axes + (i,), **values))


@st.composite
def recurrent(draw, cls, *, features=3, steps=3, batch=3, **values):
    """RNN/GRU/LSTM: bias or not, batch_first or not, unbatched (T, I) input or not."""
    i, h = draw(st.integers(1, features)), draw(st.integers(1, features))
    layer = cls(i, h, bias=draw(st.booleans()), batch_first=draw(st.booleans()), rng=draw(seeds))
    t, b = draw(st.integers(1, steps)), draw(st.integers(1, batch))
    if draw(st.booleans()):
        shape = (t, i)
    else:
        shape = (b, t, i) if layer.batch_first else (t, b, i)
    return layer, draw(arrays(shape, **values))


@st.composite
def activation(draw, cls, *, dims=4, **values):
    """ReLU, ReLU6, SiLU, LeakyReLU (slopes 0, small, above 1 and negative), inplace or
    not, on any shape (0-d too); values scaled by 4 to reach saturation."""
    kw = dict(inplace=draw(st.booleans()))
    if cls.__name__ == "LeakyReLU":
        kw["negative_slope"] = draw(st.sampled_from([0.01, 0.2, 1.5, 0.0, -0.5]))
    return cls(**kw), draw(arrays(draw(shapes(0, dims)), **{"scale": 4.0, **values}))


@st.composite
def softmax(draw, *, dims=4, **values):
    """Any axis of any shape; a 0-d input is one row of one element (dim 0 or −1), as in torch."""
    shape = draw(shapes(0, dims))
    n = max(len(shape), 1)
    return (LAYERS["Softmax"](draw(st.integers(-n, n - 1))),
            draw(arrays(shape, **{"scale": 3.0, **values})))


@st.composite
def flatten(draw, *, dims=5, **values):
    """Flatten of any axis range, each end given positive or negative."""
    shape = draw(shapes(1, dims))
    n = len(shape)
    s = draw(st.integers(0, n - 1))
    e = draw(st.integers(s, n - 1))
    s, e = (s - n if draw(st.booleans()) else s), (e - n if draw(st.booleans()) else e)
    return LAYERS["Flatten"](s, e), draw(arrays(shape, **values))


@st.composite
def reshape(draw, *, dims=4, **values):
    """Reshape to a permutation of the input's axes, two of them sometimes merged, one
    sometimes -1 (the batch axis is reshaped too)."""
    shape = draw(shapes(1, dims))
    target = list(draw(st.permutations(shape)))
    if len(target) > 1 and draw(st.booleans()):
        target[:2] = [target[0] * target[1]]
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return LAYERS["Reshape"](tuple(target)), draw(arrays(shape, **values))


@st.composite
def dropout(draw, *, dims=4, **values):
    layer = LAYERS["Dropout"](draw(st.floats(0.0, 1.0)), inplace=draw(st.booleans()))
    return layer, draw(arrays(draw(shapes(0, dims)), **values))


@st.composite
def add(draw, *, dims=4, **values):
    """Add of two operands of one shape (0-d too), of one dtype."""
    a = draw(arrays(draw(shapes(0, dims)), **values))
    b = draw(arrays(a.shape, **{**values, "dtypes": (a.dtype.type,)}))
    return LAYERS["Add"](), (a, b)


@st.composite
def operands(draw, shapes, **values):
    """One array per shape in ``shapes``, all of one dtype."""
    a = draw(arrays(shapes[0], **values))
    return (a,) + tuple(draw(arrays(s, **{**values, "dtypes": (a.dtype.type,)})) for s in shapes[1:])


@st.composite
def mask(draw, shape, bool_mask=True, scale=1.0):
    """A mask of ``shape``: bool (True one time in 2 or 3), or float with −inf entries."""
    rng = np.random.default_rng(draw(seeds))
    if bool_mask:
        return rng.random(shape) > draw(st.sampled_from([0.3, 0.5]))
    values = (rng.standard_normal(shape) * scale).astype(draw(st.sampled_from(FLOATS)))
    return np.where(rng.random(shape) > 0.3, values, -np.inf).astype(values.dtype)


@st.composite
def sdpa(draw, *, batch=2, size=3, **values):
    """ScaledDotProductAttention on 2-D to 4-D operands whose batch axes broadcast (size-1
    and missing axes on any operand), grouped-query heads, no mask, a bool or float mask of
    a broadcastable shape or is_causal, a scale or none, both mask modes."""
    lead = tuple(draw(st.lists(st.integers(1, batch), max_size=2)))
    L, S, E, Ev = draw(per_axis(4, 1, size))
    gqa = len(lead) >= 1 and draw(st.booleans())
    divisors = [h for h in range(1, lead[-1] + 1) if lead[-1] % h == 0] if lead else []

    def axes(within, query=False):  # batch axes broadcasting to ``within``, some 1 or cut
        a = tuple(1 if draw(st.booleans()) else b for b in within)
        if gqa:  # the heads: the query's, or a divisor of them for key and value
            return a[:-1] + ((lead[-1] if query else draw(st.sampled_from(divisors))),)
        return a[draw(st.integers(0, len(a))):]

    qa, ka = axes(lead, query=True), axes(lead)
    tail = 1 if gqa else 0
    scores = np.broadcast_shapes(qa[:len(qa) - tail], ka[:len(ka) - tail])
    va = axes(lead) if gqa else axes(scores)
    if gqa:  # value's outer axes broadcast to the scores' too
        va = tuple(1 if s == 1 else a for a, s in zip(va[:-1], (1,) * (len(va) - 1 - len(scores))
                                                      + tuple(scores))) + va[-1:]
    shapes = [qa + (L, E), ka + (S, E), va + (S, Ev)]
    kind = draw(st.sampled_from(["none", "bool", "float", "causal"]))
    tail = 3 if gqa else 2
    grid = (np.broadcast_shapes(*(x[:-tail] for x in shapes)) + shapes[0][-3:-2] * gqa
            + (L, S))
    m = None
    if kind in ("bool", "float"):
        mshape = tuple(1 if draw(st.booleans()) else g for g in grid)[
            draw(st.integers(0, len(grid) - 2)):]
        m = draw(mask(mshape, kind == "bool"))
    layer = LAYERS["ScaledDotProductAttention"](
        m, is_causal=kind == "causal", scale=draw(st.sampled_from([None, 0.5, -1.0])),
        enable_gqa=gqa, mask_mode=draw(st.sampled_from(["dense", "skip"])))
    return layer, draw(operands(tuple(shapes), **values))


@st.composite
def mha(draw, *, batch=2, size=3, **values):
    """MultiheadAttention: self- or cross-attention (kdim, vdim), batched either way or
    unbatched, bias, add_bias_kv, add_zero_attn, key_padding_mask and attn_mask (2-D or
    3-D, bool or float, fully masked rows too), the is_causal hint, need_weights,
    average_attn_weights, both mask modes; every parameter random (no zero bias)."""
    H, d = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    E, N, L = H * d, draw(st.integers(1, batch)), draw(st.integers(1, size))
    cross, batched, bf = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    S = draw(st.integers(1, size)) if cross else L
    kdim, vdim = (draw(st.integers(1, size)), draw(st.integers(1, size))) if cross else (E, E)
    padded = draw(st.booleans()), draw(st.booleans())  # add_bias_kv, add_zero_attn
    causal = not cross and not any(padded) and draw(st.integers(0, 3)) == 0
    n = N if batched else 1
    kpm = None if causal or draw(st.booleans()) else draw(mask((n, S) if batched else (S,),
                                                             draw(st.booleans()), 3.0))
    if causal:
        am = np.triu(np.ones((L, S), bool), 1)
    elif draw(st.booleans()):
        am = draw(mask(draw(st.sampled_from([(L, S), (n * H, L, S) if batched else (H, L, S)])),
                       draw(st.booleans()), 3.0))
    else:
        am = None
    layer = LAYERS["MultiheadAttention"](
        E, H, bias=draw(st.booleans()), add_bias_kv=padded[0], add_zero_attn=padded[1],
        kdim=kdim, vdim=vdim, batch_first=bf, key_padding_mask=kpm,
        need_weights=draw(st.booleans()), attn_mask=am,
        average_attn_weights=draw(st.booleans()), is_causal=causal,
        mask_mode=draw(st.sampled_from(["dense", "skip"])), rng=draw(seeds))
    randomised(layer, draw(seeds))

    def shape(t, f):
        return ((N, t, f) if bf else (t, N, f)) if batched else (t, f)

    shapes = (shape(L, E),) + ((shape(S, kdim), shape(S, vdim)) if cross else ())
    return layer, draw(operands(shapes, **values))


# -- the registry -------------------------------------------------------------------------

_PER_CLASS = [  # factories whose first argument is the layer class
    (conv, "Conv1d Conv2d Conv3d"),
    (pool, "MaxPool1d MaxPool2d MaxPool3d AvgPool1d AvgPool2d AvgPool3d"),
    (adaptive, "AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d "
               "AdaptiveMaxPool2d AdaptiveMaxPool3d"),
    (batchnorm, "BatchNorm1d BatchNorm2d BatchNorm3d"),
    (dense, "Dense Linear"),
    (recurrent, "RNN GRU LSTM"),
    (activation, "ReLU ReLU6 LeakyReLU SiLU"),
]
#: class name -> factory(**bounds) of its strategy
FACTORIES = MappingProxyType({
    **{name: partial(factory, LAYERS[name]) for factory, names in _PER_CLASS
       for name in names.split()},
    "DepthwiseConv2d": depthwise, "PointwiseConv2d": pointwise, "Softmax": softmax,
    "Flatten": flatten, "Reshape": reshape, "Dropout": dropout, "Add": add,
    "ScaledDotProductAttention": sdpa, "MultiheadAttention": mha,
})
#: class name -> strategy of (layer, x) with the default bounds
STRATEGIES = MappingProxyType({name: FACTORIES[name]() for name in sorted(FACTORIES)})
