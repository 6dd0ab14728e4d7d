"""Conv formulas: against a brute-force window enumeration, the seed derivations, dispatch."""
import inspect
import itertools

import numpy as np
import pytest
from conftest import rand
from hypothesis import given
from hypothesis import strategies as st
from strategies import FACTORIES

from nnref import OpCounts
from nnref import formulas
from nnref.formulas import conv as C
from nnref.formulas.dense import dense_seed
from nnref.layers.conv import Conv1d, Conv2d, Conv3d
from nnref.layers.depthwise import DepthwiseConv2d
from nnref.layers.pointwise import PointwiseConv2d


def brute_force(layer, shape):
    """Walk every window and every tap of a convolution layer, counting mul/add by the
    contract."""
    cin, cout, k, groups = layer.in_channels, layer.out_channels, layer.kernel_size, layer.groups
    s, p, d, bias = layer.stride, layer.padding, layer.dilation, layer.bias is not None
    skip = getattr(layer, "padding_taps", "dense") == "skip"
    n, size = shape[0], shape[2:]
    positions = []  # per axis: the window starts that fit the padded input
    for i, ka, sa, pa, da in zip(size, k, s, p, d):
        starts, j = [], 0
        while j * sa + da * (ka - 1) <= i + 2 * pa - 1:
            starts.append(j * sa - pa)
            j += 1
        positions.append(starts)
    mul = add = 0
    for start in itertools.product(*positions):
        t = 0
        for _ in range(cin // groups):
            for m in itertools.product(*(range(ka) for ka in k)):
                pos = [b + ma * da for b, ma, da in zip(start, m, d)]
                if not skip or all(0 <= q < i for q, i in zip(pos, size)):
                    t += 1
        if t:
            mul += t
            add += t - 1 + bias
    return OpCounts(mul=n * cout * mul, add=n * cout * add)


@given(case=st.one_of(*(FACTORIES[f"Conv{nd}d"](kernel=3, most=3, extra=4, per_group=3, batch=3)
                        for nd in (1, 2, 3))))
def test_formula_equals_brute_force(case):
    layer, x = case
    got = C.conv(layer.in_channels, layer.out_channels, layer.kernel_size, x.shape, layer.stride,
                 layer.padding, layer.dilation, layer.groups, layer.bias is not None,
                 layer.padding_taps)
    assert got == brute_force(layer, x.shape)


def test_formula_by_hand():
    # 3×3 on 4×4, padding 1: 16 windows of 9 taps; in-bound taps per axis 2, 3, 3, 2
    assert C.conv(1, 1, 3, (1, 1, 4, 4), 1, 1, 1, 1, False) == OpCounts(mul=144, add=128)
    assert C.conv(1, 1, 3, (1, 1, 4, 4), 1, 1, 1, 1, False, "skip") == OpCounts(mul=100, add=84)
    assert C.conv(1, 1, 3, (1, 1, 4, 4), 1, 1, 1, 1, True, "skip") == OpCounts(mul=100, add=100)
    # 1-wide kernel, padding 1 on 2 inputs: windows with 0, 1, 1, 0 taps
    assert C.conv(1, 1, 1, (1, 1, 2), 1, 1, 1, 1, False, "skip") == OpCounts(mul=2, add=0)


def test_formula_takes_numpy_ints_and_returns_python_ints():
    ops = C.conv(np.int64(64), np.int64(64), (np.int64(3),) * 2, (np.int64(8), 64, 56, 56),
                 1, 1, 1, 1, True)
    assert type(ops.mul) is int and ops.mul == 8 * 64 * 56 * 56 * 64 * 9


# -- the seed derivations ---------------------------------------------------------------
def test_seeds_by_hand():
    # ResNet-50 conv1: 3→64, 7×7, 112×112 output: (2·3·49 − 1)·112·112·64
    assert C.conv2d_seed(3, 7, 112, 112, 64) == 293 * 802_816 == 235_225_088
    assert C.conv2d_seed(3, 7, 112, 112, 64, bias=True) == 294 * 802_816
    assert formulas.depthwise.depthwise_seed(32, 3, 112, 112) == 17 * 112 * 112 * 32
    assert formulas.pointwise.pointwise_seed(32, 112, 112, 64) == 63 * 112 * 112 * 64


@given(cin=st.integers(1, 4), co=st.integers(1, 4), k=st.integers(1, 3), pad=st.integers(0, 1),
       stride=st.integers(1, 2), h=st.integers(3, 6), w=st.integers(3, 6), bias=st.booleans())
def test_seeds_equal_formula_and_kernels(cin, co, k, pad, stride, h, w, bias):
    ho, wo = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    shape = (1, cin, h, w)
    conv = Conv2d(cin, co, k, stride, pad, bias=bias, algorithm="naive")
    seed = C.conv2d_seed(cin, k, ho, wo, co, bias)
    assert seed == formulas.for_layer(conv, shape).flops == conv(rand(shape))[1].flops
    conv.algorithm = "im2col"
    assert seed == conv(rand(shape))[1].flops

    dw = DepthwiseConv2d(cin, k, stride=stride, padding=pad, bias=bias)
    seed = formulas.depthwise.depthwise_seed(cin, k, ho, wo, bias)
    assert seed == formulas.for_layer(dw, shape).flops == dw(rand(shape))[1].flops

    pw = PointwiseConv2d(cin, co, bias)
    seed = formulas.pointwise.pointwise_seed(cin, h, w, co, bias)
    assert seed == formulas.for_layer(pw, shape).flops == pw(rand(shape))[1].flops


@pytest.mark.parametrize("seed", [C.conv2d_seed, formulas.depthwise.depthwise_seed, formulas.pointwise.pointwise_seed, dense_seed],
                         ids=lambda f: f.__name__)
def test_seeds_reject_bad_arguments_by_name(seed):
    sizes = {p: 1 for p in inspect.signature(seed).parameters if p != "bias"}
    for name in sizes:
        for bad, error in (("3", TypeError), (2.0, TypeError), (0, ValueError)):
            with pytest.raises(error, match=f"{name}={bad!r}"):
                seed(**{**sizes, name: bad})
    with pytest.raises(TypeError, match="bias=1"):
        seed(**sizes, bias=1)


# -- dispatch -------------------------------------------------------------------------
@pytest.mark.parametrize("layer,shape", [
    (Conv1d(2, 4, 3, padding=1), (2, 2, 9)),
    (Conv2d(2, 4, 3, groups=2, algorithm="naive", padding_taps="skip", padding=1), (2, 2, 5, 6)),
    (Conv3d(2, 4, 3, bias=False), (1, 2, 3, 4, 5)),
    (DepthwiseConv2d(2, 3, depth_multiplier=2), (1, 2, 5, 5)),
    (PointwiseConv2d(2, 5), (3, 2, 4, 4)),
], ids=repr)
def test_for_layer_of_every_conv_class_equals_brute_force(layer, shape):
    assert formulas.for_layer(layer, shape) == brute_force(layer, shape)


def test_for_layer_rejects_bad_shape():
    with pytest.raises(ValueError, match="kernel_size"):
        formulas.for_layer(Conv2d(1, 1, 5), (1, 1, 3, 3))
