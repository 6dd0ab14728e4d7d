"""Every public layer class as one line: a sample configuration, its input, its torch twin.

``CATALOGUE`` maps a name to an :class:`Entry`. The name is a layer class name, or a
variant ``"Class[what differs]"`` for a code path that the class's one sample does not
reach (the other conv algorithm, skip padding, a recurrent layer wider than one GEMM
task, ...); its class is the part before the bracket (:func:`class_of`). Adding a
layer class is adding its line here.

``Entry.torch(layer, *tensors)`` computes the same layer in torch from the nnref layer's
own attributes and parameters, so it serves any configuration of the class:
tests/test_every_layer.py also uses it on the layers that tests/strategies.py draws.

Shared by tests/test_every_layer.py (torch agreement, NaN, threads, bad arguments),
tests/test_three_way.py (the traced reference on every sample), tests/test_api.py and
tests/test_conventions.py (torch's FlopCounterMode, run live).
"""
import inspect
from typing import Callable, NamedTuple

import attention_twins as attn
import numpy as np
from catalogue_twins import (  # noqa: F401  (recurrent_module: for test_recurrent)
    _baddbmm,
    _batchnorm,
    _binary,
    _conv,
    _conv_transpose,
    _embedding,
    _gelu,
    _group_norm,
    _instance_norm,
    _interpolate,
    _layer_norm,
    _linear,
    _p,
    _pool,
    _prelu,
    _recurrent,
    _upsampling,
    recurrent_module,
)
from conftest import rand, to_torch, torch
from strategies import randomised, trained

from nnref.core.validate import is_shape_tuple
from nnref.layers import LAYERS, family

F = torch.nn.functional


class Entry(NamedTuple):
    args: tuple
    kwargs: dict
    shape: tuple  # the input shape (of each operand, for Add, Mul, Cat, ...)
    torch: Callable  # (nnref layer, *torch inputs) -> torch output
    any_ndim: bool = False  # takes inputs of any number of dimensions
    indices: bool = False  # takes integer indices (Embedding), not float values


# -- the torch twins: tests/catalogue_twins.py ----------------------------------------------

def _e(twin, shape, *args, **kwargs):
    return Entry(args, kwargs, shape, twin)


def _any(twin, shape, *args, **kwargs):
    """An entry of a layer that takes inputs of any number of dimensions."""
    return Entry(args, kwargs, shape, twin, any_ndim=True)


#: More than one 32768-element chunk of the elementwise kernels (activations, Add).
BIG = (2, 3, 80, 80)

#: Shapes are large enough for every kernel to split its work into several tasks
#: (Softmax: more than one 256-row chunk; Linear: more than one 64-column GEMM task).
CATALOGUE = {
    "ReLU": _any(lambda m, t: F.relu(t), BIG),
    "ReLU6": _any(lambda m, t: F.relu6(t), BIG),
    "LeakyReLU": _any(lambda m, t: F.leaky_relu(t, m.negative_slope), BIG, 0.1),
    "Sigmoid": _any(lambda m, t: torch.sigmoid(t), BIG),
    "Tanh": _any(lambda m, t: torch.tanh(t), BIG),
    "SiLU": _any(lambda m, t: F.silu(t), BIG),
    "Conv1d": _e(_conv, (2, 4, 11), 4, 6, 3, stride=2, padding=1, dilation=2, groups=2, rng=0),
    "Conv2d": _e(_conv, (2, 4, 9, 8), 4, 6, (3, 2), stride=(2, 1), padding=(1, 0),
                 dilation=(1, 2), groups=2, rng=0),
    "Conv3d": _e(_conv, (2, 2, 4, 7, 3), 2, 4, (2, 3, 1), stride=(1, 2, 1), padding=(1, 0, 1),
                 dilation=(2, 1, 1), bias=False, rng=0),
    "ConvTranspose1d": _e(_conv_transpose, (2, 4, 6), 4, 6, 3, stride=2, padding=1,
                          output_padding=1, groups=2, rng=0),
    "ConvTranspose2d": _e(_conv_transpose, (2, 4, 5, 4), 4, 6, (3, 2), stride=(2, 3),
                          padding=(1, 0), output_padding=(1, 2), groups=2, dilation=(1, 2), rng=0),
    "ConvTranspose3d": _e(_conv_transpose, (2, 2, 3, 2, 3), 2, 4, (2, 3, 1), stride=(2, 1, 2),
                          padding=(0, 1, 1), dilation=(1, 2, 1), bias=False, rng=0),
    "DepthwiseConv2d": _e(_conv, (2, 3, 7, 6), 3, (3, 2), depth_multiplier=2, stride=(1, 2),
                          padding=1, rng=0),
    "PointwiseConv2d": _e(_conv, (2, 3, 4, 4), 3, 5, rng=0),
    "Dense": _e(_linear, (5, 6), 6, 4, rng=0),
    "Linear": _e(_linear, (3, 2, 6), 6, 70, bias=False, rng=0),
    "MaxPool1d": _e(_pool, (2, 3, 9), 3, 2, 1),
    "MaxPool2d": _e(_pool, (2, 3, 7, 8), (3, 2), (2, 1), (1, 0), (1, 2), True),
    "MaxPool3d": _e(_pool, (2, 2, 3, 4, 5), 2, (1, 2, 2), 1),
    "AvgPool1d": _e(_pool, (2, 3, 9), 3, 2, 1, True),
    "AvgPool2d": _e(_pool, (2, 3, 7, 8), (3, 2), (2, 1), (1, 1), count_include_pad=False),
    "AvgPool3d": _e(_pool, (2, 2, 3, 4, 5), 2, padding=(0, 1, 1)),
    "AdaptiveAvgPool1d": _e(_pool, (2, 3, 7), 4),
    "AdaptiveAvgPool2d": _e(_pool, (2, 3, 7, 5), (3, None)),
    "AdaptiveAvgPool3d": _e(_pool, (2, 2, 3, 5, 4), (2, 3, 2)),
    "AdaptiveMaxPool1d": _e(_pool, (2, 3, 7), 5),
    "AdaptiveMaxPool2d": _e(_pool, (2, 3, 7, 5), (None, 2)),
    "AdaptiveMaxPool3d": _e(_pool, (2, 2, 3, 5, 4), (1, 3, 2)),
    "BatchNorm1d": _e(_batchnorm, (4, 3, 5), 3),
    "BatchNorm2d": _e(_batchnorm, (2, 3, 4, 5), 3, eps=1e-3),
    "BatchNorm3d": _e(_batchnorm, (2, 2, 3, 3, 3), 2, affine=False),
    "Softmax": _any(lambda m, t: F.softmax(t, m.dim), (2, 5, 300), 1),
    "Flatten": _any(lambda m, t: torch.flatten(t, m.start_dim, m.end_dim), (2, 3, 4, 5), 1, 2),
    "Dropout": _any(lambda m, t: F.dropout(t, m.p, training=False), (2, 3, 4), 0.2),
    "Reshape": _any(lambda m, t: torch.reshape(t, m.shape), (2, 3, 4, 5), (-1, 5, 4)),
    "Identity": _any(lambda m, t: torch.nn.Identity()(t), (2, 3)),
    "Add": _any(_binary, BIG),
    "Sub": _any(_binary, BIG),
    "Mul": _any(_binary, BIG),
    "Div": _any(_binary, BIG),
    "Mean": _any(lambda m, t: torch.mean(t, dim=m.dim, keepdim=m.keepdim), BIG, (2, 3), True),
    "Hardtanh": _any(lambda m, t: F.hardtanh(t, m.min_val, m.max_val), BIG, -0.5, 2.0),
    "Hardsigmoid": _any(lambda m, t: F.hardsigmoid(t), BIG),
    "Hardswish": _any(lambda m, t: F.hardswish(t), BIG),
    "Permute": _e(lambda m, t: t.permute(m.dims), (2, 3, 4, 5), (0, 3, -3, 2)),
    "Transpose": _any(lambda m, t: t.transpose(m.dim0, m.dim1), (2, 3, 4, 5), 1, -1),
    "Contiguous": _any(lambda m, t: t.contiguous(), (2, 3, 4)),
    "ChannelShuffle": _any(lambda m, t: F.channel_shuffle(t, m.groups), (2, 6, 3, 4), 3),
    "Cat": _any(lambda m, *ts: torch.cat(ts, m.dim), (2, 3, 4), 1),
    "Expand": _e(lambda m, t: t.expand(*m.sizes), (2, 1, 3), 4, 2, -1, 3),
    # no operand: its input shape is (), the empty tuple of operand shapes
    "Parameter": _any(lambda m: torch.from_numpy(np.array(m.data)),
                      (), np.random.default_rng(0).standard_normal((1, 5, 8))),
    "Chunk": _any(lambda m, t: t.chunk(m.chunks, m.dim)[m.index], (2, 7, 3), 3, 1, 0),
    "Split": _any(lambda m, t: t.split(m.split_size_or_sections, m.dim)[m.index], (2, 7, 3),
                  (4, 2, 1), 1, 0),
    "Upsample": _e(_interpolate, (2, 3, 4, 5), scale_factor=2),
    "UpsamplingNearest2d": _e(_upsampling, (2, 3, 3, 4), size=(5, 7)),
    "UpsamplingBilinear2d": _e(_upsampling, (2, 3, 3, 4), scale_factor=2),
    "MatMul": _any(lambda m, a, b: torch.matmul(a, b), ((2, 3, 4, 5), (5, 3))),
    "BatchMatMul": _e(lambda m, a, b: torch.bmm(a, b), ((3, 4, 5), (3, 5, 2))),
    "BAddBMM": _e(_baddbmm, ((4, 2), (3, 4, 5), (3, 5, 2)), beta=0.5, alpha=2.0),
    "FunctionalLinear": _any(lambda m, *ts: F.linear(*ts), ((3, 2, 6), (70, 6), (70,))),
    "RNN": _e(_recurrent, (5, 3, 3), 3, 4, rng=0),
    "GRU": _e(_recurrent, (3, 5, 3), 3, 4, batch_first=True, rng=0),
    "LSTM": _e(_recurrent, (5, 3, 3), 3, 4, bias=False, rng=0),
    "ScaledDotProductAttention": _e(attn.sdpa, ((2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 3))),
    "MultiheadAttention": _e(attn.mha, (5, 3, 8), 8, 2, rng=0),  # self-attention: one shape
}


def like(base, shape=None, **changes):
    """The entry ``base`` with some constructor arguments (by name) or the shape changed."""
    e = CATALOGUE[base]
    bound = inspect.signature(LAYERS[base]).bind(*e.args, **e.kwargs).arguments
    return e._replace(args=(), kwargs={**bound, **changes}, shape=shape or e.shape)


#: The variants: code paths of a class beyond its first sample.
CATALOGUE.update({
    "Conv1d[naive]": like("Conv1d", algorithm="naive"),
    "Conv1d[naive, skip]": like("Conv1d", algorithm="naive", padding_taps="skip"),
    "Conv2d[naive]": like("Conv2d", algorithm="naive"),
    "Conv2d[naive, skip]": like("Conv2d", algorithm="naive", padding_taps="skip"),
    "Conv3d[naive]": like("Conv3d", algorithm="naive"),
    "Conv3d[naive, skip]": like("Conv3d", algorithm="naive", padding_taps="skip"),
    **{f"ConvTranspose{nd}d[naive{skip}]": like(f"ConvTranspose{nd}d", algorithm="naive",
                                                 padding_taps="skip" if skip else "dense")
       for nd in (1, 2, 3) for skip in ("", ", skip")},
    "ConvTranspose2d[depthwise, 8 pairs]": like("ConvTranspose2d", in_channels=4, out_channels=8,
                                                 groups=4),
    "Upsample[linear, align_corners, size]": like("Upsample", (2, 3, 5), mode="linear",
                                                  align_corners=True, size=8, scale_factor=None),
    "Upsample[bilinear, scale 1.7]": like("Upsample", mode="bilinear", scale_factor=1.7),
    "Upsample[bilinear, scale 1.7, recomputed]": like("Upsample", mode="bilinear", scale_factor=1.7,
                                                      recompute_scale_factor=True),
    "Upsample[trilinear, one axis kept]": like("Upsample", (2, 2, 3, 2, 4), mode="trilinear",
                                               size=(4, 2, 7), scale_factor=None),
    "Upsample[nearest-exact, 1-D, down]": like("Upsample", (2, 3, 9), mode="nearest-exact",
                                               scale_factor=0.5),
    "Upsample[nearest, 3-D, per axis]": like("Upsample", (1, 2, 2, 3, 2),
                                             scale_factor=(2, 1.5, 3)),
    "MatMul[broadcast both]": like("MatMul", shape=((2, 1, 3, 4), (5, 4, 2))),
    "MatMul[1-D input]": like("MatMul", shape=((4,), (2, 4, 5))),
    "MatMul[1-D other]": like("MatMul", shape=((3, 2, 4), (4,))),
    "MatMul[2-D, 3 row blocks]": like("MatMul", shape=((40, 7), (7, 9))),
    "BAddBMM[beta=0]": like("BAddBMM", beta=0.0),
    "BAddBMM[beta=1, alpha=1]": like("BAddBMM", shape=((3, 4, 2), (3, 4, 5), (3, 5, 2)),
                                     beta=1.0, alpha=1.0),
    "FunctionalLinear[no bias, 1-D weight]": like("FunctionalLinear", shape=((5, 6), (6,)),
                                                  bias=False),
    "DepthwiseConv2d[skip]": like("DepthwiseConv2d", depth_multiplier=1, padding_taps="skip"),
    "BatchNorm1d[(N, C)]": like("BatchNorm1d", shape=(4, 3)),
    "BatchNorm2d[affine=False]": like("BatchNorm2d", affine=False),
    "RNN[no bias, batch_first, 70 wide]": like("RNN", hidden_size=70, bias=False,
                                               batch_first=True),
    "GRU[no bias, seq first, 22 wide]": like("GRU", hidden_size=22, bias=False,
                                             batch_first=False),
    "LSTM[bias, batch_first, 17 wide]": like("LSTM", hidden_size=17, bias=True,
                                             batch_first=True),
    "RNN[relu, 2 layers, bidirectional]": like("RNN", nonlinearity="relu", num_layers=2,
                                               bidirectional=True, dropout=0.5),
    "GRU[2 layers, bidirectional, unbatched]": like("GRU", (4, 3), num_layers=2,
                                                    bidirectional=True),
    "LSTM[2 layers, bidirectional]": like("LSTM", num_layers=2, bidirectional=True, bias=True),
    "LSTM[projected, 2 layers, bidirectional, batch_first]": like(
        "LSTM", hidden_size=5, proj_size=2, num_layers=2, bidirectional=True, batch_first=True),
    "Mul[other]": like("Mul", other=0.5),
    "Sub[other, reverse]": like("Sub", other=1.0, reverse=True),
    "Div[other, reverse]": like("Div", other=6.0, reverse=True),
    "Cat[3 inputs, dim -1]": like("Cat", dim=-1, inputs=3),
    "Split[size]": like("Split", split_size_or_sections=3),
    **{f"ScaledDotProductAttention[causal, 3-D, {m}]": like(
        "ScaledDotProductAttention", shape=((3, 20, 4),) * 3, is_causal=True, mask_mode=m)
       for m in ("dense", "skip")},
    "ScaledDotProductAttention[bool mask, row masked, skip]": like(
        "ScaledDotProductAttention", ((2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 4)),
        attn_mask=attn.BOOL_5x6, mask_mode="skip"),
    **{f"ScaledDotProductAttention[float mask, broadcast, {m}]": like(
        "ScaledDotProductAttention", ((2, 3, 5, 4), (1, 3, 6, 4), (1, 3, 6, 4)),
        attn_mask=attn.FLOAT_3x5x6, mask_mode=m) for m in ("dense", "skip")},
    "ScaledDotProductAttention[gqa, scale]": like(
        "ScaledDotProductAttention", ((2, 6, 5, 4), (2, 2, 6, 4), (2, 2, 6, 4)), enable_gqa=True,
        scale=0.3),
    "MultiheadAttention[batch_first, fast path]": like("MultiheadAttention", (3, 5, 8),
                                                       batch_first=True, need_weights=False),
    "MultiheadAttention[cross, kdim, vdim, bias_kv, zero_attn]": like(
        "MultiheadAttention", ((5, 3, 8), (4, 3, 3), (4, 3, 6)), kdim=3, vdim=6,
        add_bias_kv=True, add_zero_attn=True),
    **{f"MultiheadAttention[masks, {m}, weights {w}]": like(
        "MultiheadAttention", key_padding_mask=attn.KPM_3x5, attn_mask=attn.FLOAT_6x5x5,
        mask_mode=m, need_weights=w, average_attn_weights=False)
       for m, w in (("dense", False), ("skip", True), ("skip", False))},
    "MultiheadAttention[causal hint]": like("MultiheadAttention", attn_mask=attn.CAUSAL_5,
                                            is_causal=True),
    "MultiheadAttention[unbatched, no bias]": like("MultiheadAttention", (5, 8), bias=False,
                                                   need_weights=False),
})


CATALOGUE.update({
    "GELU": _any(_gelu, BIG),
    "GELU[tanh]": _any(_gelu, BIG, approximate="tanh"),
    "ELU": _any(lambda m, t: F.elu(t, m.alpha), BIG, 0.7),
    "PReLU": _any(_prelu, BIG, 3, -0.3),
    "PReLU[one slope]": _any(_prelu, BIG, 1, 0.2),
    "Softplus": _any(lambda m, t: F.softplus(t, m.beta, m.threshold), BIG, 2.0, 3.0),
    "Mish": _any(lambda m, t: F.mish(t), BIG),
    "LogSoftmax": _any(lambda m, t: F.log_softmax(t, m.dim), (2, 5, 300), 1),
    "LogSoftmax[last axis]": _any(lambda m, t: F.log_softmax(t, m.dim), (600, 7), -1),
    "Embedding": Entry((50, 16), {"rng": 0}, (4, 30), _embedding, any_ndim=True, indices=True),
    "Embedding[padding_idx, wide]": Entry((7, 2000), {"padding_idx": -2, "rng": 1}, (3,),
                                         _embedding, any_ndim=True, indices=True),
    "LayerNorm": _e(_layer_norm, (3, 50, 5, 6), (5, 6)),
    "LayerNorm[no bias]": _e(_layer_norm, (2, 70, 9), 9, bias=False),
    "LayerNorm[no affine, wide]": _e(_layer_norm, (3, 2000), 2000, elementwise_affine=False),
    "GroupNorm": _any(_group_norm, (2, 4, 12, 12), 2, 4),
    "GroupNorm[no affine, (N, C)]": _any(_group_norm, (5, 300), 3, 300, affine=False),
    "InstanceNorm1d": _e(_instance_norm, (4, 3, 110), 3),
    "InstanceNorm1d[unbatched]": _e(_instance_norm, (3, 400), 3, affine=True),
    "InstanceNorm2d": _e(_instance_norm, (4, 3, 10, 11), 3, affine=True, eps=1e-3),
    "InstanceNorm2d[running stats]": _e(_instance_norm, (2, 3, 4, 5), 3,
                                        track_running_stats=True),
    "InstanceNorm3d": _e(_instance_norm, (2, 3, 4, 5, 6), 3, affine=True,
                         track_running_stats=True),
    "InstanceNorm3d[input stats]": _e(_instance_norm, (3, 4, 5, 3, 6), 4),
})
NAMES = sorted(CATALOGUE)
#: One entry per class: the class's own line.
CLASSES = sorted(LAYERS)
#: Data movement: no arithmetic, no kernel.
NO_KERNEL = {n for n in LAYERS if family(LAYERS[n]) in ("reshape", "concat")}


def class_of(name):
    """The layer class name of a catalogue name: ``"Conv2d[naive, skip]"`` -> ``"Conv2d"``."""
    return name.split("[")[0]


def make(name):
    """The sample layer; a norm gets trained statistics and γ, β so that it is no identity,
    MultiheadAttention random biases."""
    e = CATALOGUE[name]
    layer = LAYERS[class_of(name)](*e.args, **e.kwargs)
    if family(LAYERS[class_of(name)]) == "norm":
        trained(layer)
    elif class_of(name) == "MultiheadAttention":  # torch's initial biases are 0
        randomised(layer)
    return layer, e.shape


def inputs(name, shape, dtype=np.float64):
    """The layer's input arrays: one per operand (two for Add, one for Mul(other=0.5), ...);
    for a layer of indices (Embedding), int64 indices in its range (``dtype`` is then unused)."""
    e = CATALOGUE[name]
    if e.indices:
        rows = inspect.signature(LAYERS[class_of(name)]).bind(*e.args, **e.kwargs).arguments
        return (np.random.default_rng(0).integers(0, rows["num_embeddings"], shape),)
    shapes = make(name)[0].operand_shapes(shape)  # one shape, or one per operand (MatMul)
    return tuple(rand(s, dtype, seed) for seed, s in enumerate(shapes))


def poison(name, layer, xs):
    """Put NaN in the first two and two middle values and ±inf in the last two of every
    float input; for a layer of indices, in the table rows of the first and last index."""
    if not xs:  # no operand (Parameter): in the tensor it holds
        xs = (layer.data,)
    if CATALOGUE[name].indices:
        x = xs[0].reshape(-1)
        layer.weight[x[0], :2] = np.nan
        layer.weight[x[-1], -2:] = np.inf, -np.inf
        return
    for x in xs:  # NaN: the first two elements and two in the middle (strides skip some)
        flat, mid = x.reshape(-1), x.size // 2
        flat[[0, 1, mid, mid + 1]] = np.nan
        flat[-2:] = np.inf, -np.inf  # and the last two are infinite


def arity(name):
    """The number of operands of the sample layer of ``name``."""
    return make(name)[0].operands


def first(name, shape, change):
    """``shape`` with ``change(first operand's shape)`` in place of the first operand's
    shape: the shape itself, or its first entry for a tuple of operand shapes (MatMul)."""
    if is_shape_tuple(shape):
        return (change(tuple(shape[0])),) + tuple(shape[1:])
    return change(tuple(shape))


def twin(layer, *xs):
    """torch's output of the nnref ``layer`` (any configuration) on the arrays ``xs``."""
    return CATALOGUE[layer.kind].torch(layer, *map(to_torch, xs))
