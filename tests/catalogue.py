"""Every public layer class with one sample configuration, and the same layer in torch.

Shared by tests/test_every_layer.py (torch agreement, NaN, threads, bad arguments) and
tests/test_conventions.py (torch's FlopCounterMode, run live).
"""
import numpy as np
from conftest import rand, torch

import nnref.layers

F = torch.nn.functional

#: layer name -> (positional args, keyword args, input shape). Shapes are large enough
#: for every kernel to split its work into several tasks (activations and Add: more
#: than one 32768-element chunk; Softmax: more than one 256-row chunk).
CATALOGUE = {
    "ReLU": ((), {}, (2, 3, 80, 80)),
    "ReLU6": ((), {}, (2, 3, 80, 80)),
    "LeakyReLU": ((0.1,), {}, (2, 3, 80, 80)),
    "Sigmoid": ((), {}, (2, 3, 80, 80)),
    "Tanh": ((), {}, (2, 3, 80, 80)),
    "SiLU": ((), {}, (2, 3, 80, 80)),
    "Conv1d": ((4, 6, 3), dict(stride=2, padding=1, dilation=2, groups=2, rng=0), (2, 4, 11)),
    "Conv2d": ((4, 6, (3, 2)), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2,
                                    rng=0), (2, 4, 9, 8)),
    "Conv3d": ((2, 4, (2, 3, 1)), dict(stride=(1, 2, 1), padding=(1, 0, 1), dilation=(2, 1, 1),
                                       bias=False, rng=0), (2, 2, 4, 7, 3)),
    "DepthwiseConv2d": ((3, (3, 2)), dict(depth_multiplier=2, stride=(1, 2), padding=1, rng=0),
                        (2, 3, 7, 6)),
    "PointwiseConv2d": ((3, 5), dict(rng=0), (2, 3, 4, 4)),
    "Dense": ((6, 4), dict(rng=0), (5, 6)),
    "Linear": ((6, 70), dict(bias=False, rng=0), (3, 2, 6)),
    "MaxPool1d": ((3, 2, 1), {}, (2, 3, 9)),
    "MaxPool2d": (((3, 2), (2, 1), (1, 0), (1, 2), True), {}, (2, 3, 7, 8)),
    "MaxPool3d": ((2, (1, 2, 2), 1), {}, (2, 2, 3, 4, 5)),
    "AvgPool1d": ((3, 2, 1, True), {}, (2, 3, 9)),
    "AvgPool2d": (((3, 2), (2, 1), (1, 1)), dict(count_include_pad=False), (2, 3, 7, 8)),
    "AvgPool3d": ((2,), dict(padding=(0, 1, 1)), (2, 2, 3, 4, 5)),
    "AdaptiveAvgPool1d": ((4,), {}, (2, 3, 7)),
    "AdaptiveAvgPool2d": (((3, None),), {}, (2, 3, 7, 5)),
    "AdaptiveAvgPool3d": (((2, 3, 2),), {}, (2, 2, 3, 5, 4)),
    "AdaptiveMaxPool1d": ((5,), {}, (2, 3, 7)),
    "AdaptiveMaxPool2d": (((None, 2),), {}, (2, 3, 7, 5)),
    "AdaptiveMaxPool3d": (((1, 3, 2),), {}, (2, 2, 3, 5, 4)),
    "BatchNorm1d": ((3,), {}, (4, 3, 5)),
    "BatchNorm2d": ((3,), dict(eps=1e-3), (2, 3, 4, 5)),
    "BatchNorm3d": ((2,), dict(affine=False), (2, 2, 3, 3, 3)),
    "Softmax": ((1,), {}, (2, 5, 300)),
    "Flatten": ((1, 2), {}, (2, 3, 4, 5)),
    "Dropout": ((0.2,), {}, (2, 3)),
    "Reshape": (((-1, 5, 4),), {}, (2, 3, 4, 5)),
    "Identity": ((), {}, (2, 3)),
    "Add": ((), {}, (2, 3, 80, 80)),
    "RNN": ((3, 4), dict(rng=0), (5, 3, 3)),
    "GRU": ((3, 4), dict(batch_first=True, rng=0), (3, 5, 3)),
    "LSTM": ((3, 4), dict(bias=False, rng=0), (5, 3, 3)),
}
NAMES = sorted(CATALOGUE)
NO_KERNEL = {"Flatten", "Dropout", "Reshape", "Identity"}  # views of the input: no arithmetic, no kernel
ANY_NDIM = {"ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "SiLU", "Dropout", "Add", "Softmax",
            "Flatten", "Reshape", "Identity"}


def make(name):
    """The sample layer; BatchNorm gets random statistics so that it is no identity."""
    args, kwargs, shape = CATALOGUE[name]
    layer = getattr(nnref.layers, name)(*args, **kwargs)
    if name.startswith("BatchNorm"):
        rng = np.random.default_rng(1)
        c = layer.num_features
        layer.running_mean = rng.standard_normal(c).astype(np.float32)
        layer.running_var = rng.uniform(0.5, 2.0, c).astype(np.float32)
        if layer.affine:
            layer.weight, layer.bias = rng.standard_normal((2, c)).astype(np.float32)
    return layer, shape


def inputs(name, shape, dtype=np.float64):
    """The layer's input arrays: two operands for Add, one for the others."""
    return tuple(rand(shape, dtype, seed) for seed in range(arity(name)))


def arity(name):
    return 2 if name == "Add" else 1


# -- torch ------------------------------------------------------------------------------

def _p(layer, name, dtype):
    value = getattr(layer, name)
    return None if value is None else torch.from_numpy(np.asarray(value)).to(dtype)


def _conv(layer, t):
    f = getattr(F, f"conv{len(layer.kernel_size)}d")
    return f(t, _p(layer, "weight", t.dtype), _p(layer, "bias", t.dtype), layer.stride,
             layer.padding, layer.dilation, layer.groups)


def _pool(layer, t):
    nd, kind = layer.kind[-2], layer.kind[:-6]  # "MaxPool2d" -> "2", "Max"
    if kind.startswith("Adaptive"):
        return getattr(F, f"adaptive_{kind[8:].lower()}_pool{nd}d")(t, layer.output_size)
    if kind == "Max":
        return getattr(F, f"max_pool{nd}d")(t, layer.kernel_size, layer.stride, layer.padding,
                                            layer.dilation, layer.ceil_mode)
    return getattr(F, f"avg_pool{nd}d")(t, layer.kernel_size, layer.stride, layer.padding,
                                        layer.ceil_mode, layer.count_include_pad)


def _batchnorm(layer, t):
    p = [_p(layer, n, t.dtype) for n in ("running_mean", "running_var", "weight", "bias")]
    return F.batch_norm(t, *p, training=False, eps=layer.eps)


def _recurrent(layer, t):
    module = getattr(torch.nn, layer.kind)(layer.input_size, layer.hidden_size, bias=layer.bias,
                                           batch_first=layer.batch_first).to(t.dtype)
    with torch.no_grad():
        for name, value in layer.parameters().items():
            getattr(module, name).copy_(_p(layer, name, t.dtype))
        return module(t)[0]


#: layer name -> f(layer m, *torch inputs) -> torch output
TORCH = {
    "ReLU": lambda m, t: F.relu(t), "ReLU6": lambda m, t: F.relu6(t),
    "LeakyReLU": lambda m, t: F.leaky_relu(t, m.negative_slope),
    "Sigmoid": lambda m, t: torch.sigmoid(t), "Tanh": lambda m, t: torch.tanh(t),
    "SiLU": lambda m, t: F.silu(t),
    **dict.fromkeys(["Conv1d", "Conv2d", "Conv3d", "DepthwiseConv2d", "PointwiseConv2d"], _conv),
    **dict.fromkeys(["Dense", "Linear"], lambda m, t: F.linear(t, _p(m, "weight", t.dtype),
                                                                _p(m, "bias", t.dtype))),
    **dict.fromkeys([n for n in CATALOGUE if "Pool" in n], _pool),
    **dict.fromkeys(["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"], _batchnorm),
    "Softmax": lambda m, t: F.softmax(t, m.dim),
    "Flatten": lambda m, t: torch.flatten(t, m.start_dim, m.end_dim),
    "Dropout": lambda m, t: F.dropout(t, m.p, training=False),
    "Reshape": lambda m, t: torch.reshape(t, m.shape),
    "Identity": lambda m, t: torch.nn.Identity()(t),
    "Add": lambda m, a, b: a + b,
    **dict.fromkeys(["RNN", "GRU", "LSTM"], _recurrent),
}
