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
from conftest import rand, to_torch, torch
from strategies import randomised, trained

from nnref.layers import LAYERS, family

F = torch.nn.functional


class Entry(NamedTuple):
    args: tuple
    kwargs: dict
    shape: tuple  # the input shape (of each operand, for Add)
    torch: Callable  # (nnref layer, *torch inputs) -> torch output
    any_ndim: bool = False  # takes inputs of any number of dimensions


# -- the torch twins ------------------------------------------------------------------------

def _p(layer, name, dtype):
    value = getattr(layer, name)
    return None if value is None else torch.from_numpy(np.asarray(value)).to(dtype)


def _conv(layer, t):
    f = getattr(F, f"conv{len(layer.kernel_size)}d")
    return f(t, _p(layer, "weight", t.dtype), _p(layer, "bias", t.dtype), layer.stride,
             layer.padding, layer.dilation, layer.groups)


def _linear(layer, t):
    return F.linear(t, _p(layer, "weight", t.dtype), _p(layer, "bias", t.dtype))


def _pool(layer, t):
    nd, kind = int(layer.kind[-2]), layer.kind[:-6]  # "MaxPool2d" -> 2, "Max"
    if kind.startswith("Adaptive"):
        size = layer.output_size
        if nd == 1:  # torch's 1-D functions take no None (keep the input size)
            size = tuple(t.shape[-1] if o is None else o for o in size)
        return getattr(F, f"adaptive_{kind[8:].lower()}_pool{nd}d")(t, size)
    if kind == "Max":
        return getattr(F, f"max_pool{nd}d")(t, layer.kernel_size, layer.stride, layer.padding,
                                            layer.dilation, layer.ceil_mode)
    return getattr(F, f"avg_pool{nd}d")(t, layer.kernel_size, layer.stride, layer.padding,
                                        layer.ceil_mode, layer.count_include_pad)


def _batchnorm(layer, t):
    p = [_p(layer, n, t.dtype) for n in ("running_mean", "running_var", "weight", "bias")]
    return F.batch_norm(t, *p, training=False, eps=layer.eps)


def recurrent_module(layer, dtype):
    """The torch RNN/GRU/LSTM module of ``dtype`` holding the nnref ``layer``'s weights."""
    module = getattr(torch.nn, layer.kind)(layer.input_size, layer.hidden_size, bias=layer.bias,
                                           batch_first=layer.batch_first).to(dtype)
    with torch.no_grad():
        for name in layer.parameters():
            getattr(module, name).copy_(_p(layer, name, dtype))
    return module


def _recurrent(layer, t):
    with torch.no_grad():
        return recurrent_module(layer, t.dtype)(t)[0]


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
    "Add": _any(lambda m, a, b: a + b, BIG),
    "RNN": _e(_recurrent, (5, 3, 3), 3, 4, rng=0),
    "GRU": _e(_recurrent, (3, 5, 3), 3, 4, batch_first=True, rng=0),
    "LSTM": _e(_recurrent, (5, 3, 3), 3, 4, bias=False, rng=0),
    "ScaledDotProductAttention": _e(attn.sdpa, ((2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 3))),
    "MultiheadAttention": _e(attn.mha, ((5, 3, 8),), 8, 2, rng=0),  # self-attention
}


def like(base, shape=None, **changes):
    """The entry ``base`` with some constructor arguments (by name) or the shape changed."""
    e = CATALOGUE[base]
    bound = inspect.signature(LAYERS[base]).bind(*e.args, **e.kwargs).arguments
    return Entry((), {**bound, **changes}, shape or e.shape, e.torch, e.any_ndim)


#: The variants: code paths of a class beyond its first sample.
CATALOGUE.update({
    "Conv1d[naive]": like("Conv1d", algorithm="naive"),
    "Conv1d[naive, skip]": like("Conv1d", algorithm="naive", padding_taps="skip"),
    "Conv2d[naive]": like("Conv2d", algorithm="naive"),
    "Conv2d[naive, skip]": like("Conv2d", algorithm="naive", padding_taps="skip"),
    "Conv3d[naive]": like("Conv3d", algorithm="naive"),
    "Conv3d[naive, skip]": like("Conv3d", algorithm="naive", padding_taps="skip"),
    "DepthwiseConv2d[skip]": like("DepthwiseConv2d", depth_multiplier=1, padding_taps="skip"),
    "BatchNorm1d[(N, C)]": like("BatchNorm1d", shape=(4, 3)),
    "BatchNorm2d[affine=False]": like("BatchNorm2d", affine=False),
    "RNN[no bias, batch_first, 70 wide]": like("RNN", hidden_size=70, bias=False,
                                               batch_first=True),
    "GRU[no bias, seq first, 22 wide]": like("GRU", hidden_size=22, bias=False,
                                             batch_first=False),
    "LSTM[bias, batch_first, 17 wide]": like("LSTM", hidden_size=17, bias=True,
                                             batch_first=True),
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
    "MultiheadAttention[batch_first, fast path]": like("MultiheadAttention", ((3, 5, 8),),
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
    "MultiheadAttention[unbatched, no bias]": like("MultiheadAttention", ((5, 8),), bias=False,
                                                   need_weights=False),
})
NAMES = sorted(CATALOGUE)
#: One entry per class: the class's own line.
CLASSES = sorted(LAYERS)
#: Data movement: no arithmetic, no kernel.
NO_KERNEL = {n for n in LAYERS if family(LAYERS[n]) == "reshape"}


def class_of(name):
    """The layer class name of a catalogue name: ``"Conv2d[naive, skip]"`` -> ``"Conv2d"``."""
    return name.split("[")[0]


def make(name):
    """The sample layer; BatchNorm gets trained statistics so that it is no identity,
    MultiheadAttention random biases."""
    e = CATALOGUE[name]
    layer = LAYERS[class_of(name)](*e.args, **e.kwargs)
    if class_of(name).startswith("BatchNorm"):
        trained(layer)
    elif class_of(name) == "MultiheadAttention":  # torch's initial biases are 0
        randomised(layer)
    return layer, e.shape


def inputs(name, shape, dtype=np.float64):
    """The layer's input arrays: two operands of ``shape`` for Add, one of each shape in
    ``shape`` for a layer whose operands have shapes of their own (MatMul), else one."""
    shapes = shape if LAYERS[class_of(name)].shaped_operands else (shape,) * arity(name)
    return tuple(rand(s, dtype, seed) for seed, s in enumerate(shapes))


def arity(name):
    if LAYERS[class_of(name)].shaped_operands:
        return len(CATALOGUE[name].shape)
    return LAYERS[class_of(name)].operands


def first(name, shape, change):
    """``shape`` with ``change(first operand's shape)`` in place of the first operand's
    shape: the shape itself, or its first entry for shaped operands (MatMul)."""
    if LAYERS[class_of(name)].shaped_operands:
        return (change(tuple(shape[0])),) + tuple(shape[1:])
    return change(tuple(shape))


def twin(layer, *xs):
    """torch's output of the nnref ``layer`` (any configuration) on the arrays ``xs``."""
    return CATALOGUE[layer.kind].torch(layer, *map(to_torch, xs))
