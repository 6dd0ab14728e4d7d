"""The torch twin of an nnref layer: the ``torch.nn`` module that computes the same thing.

    >>> twin = torch_twin(nnref.Conv2d(3, 8, 3, padding=1))   # nn.Conv2d, same weights
    >>> twin(torch.from_numpy(x))                             # == nnref's y

The live tool runners (:mod:`nnref.testing.tools`) run THOP, ptflops, fvcore and
FlopCounterMode on twins, and the strategies (:mod:`nnref.testing.strategies`) yield
one beside every layer they draw. A twin is a module the tools know (``nn.Conv2d``,
``nn.ReLU``, ...), built from the layer's own attributes and parameters, in eval mode.
Reshape and Add have no torch module: their twins are tiny modules calling
``x.reshape`` and ``a + b``, which hook-based tools do not see, as in a real model.

:func:`torch_twin` is the one entry point; once ``nnref.to_torch`` exists (the torch
bridge), it is used for models.
"""
from __future__ import annotations

from types import MappingProxyType

import numpy as np


def _torch():
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is in the test extra
        raise ImportError("torch twins need torch: pip install 'nnref[test]'") from None
    return torch


def _load(module, layer, names, dtype):
    """Copy the arrays ``names`` of ``layer`` (absent ones skipped) into ``module``."""
    torch = _torch()
    state = {n: torch.from_numpy(np.array(getattr(layer, n))).to(dtype)
             for n in names if getattr(layer, n, None) is not None}
    missing = set(state) - set(module.state_dict())
    if missing:  # pragma: no cover - a twin table bug
        raise RuntimeError(f"torch twin of {layer!r} has no {sorted(missing)}")
    module.load_state_dict(state, strict=False)
    return module


def _conv(layer, shape):
    nn = _torch().nn
    cls = getattr(nn, f"Conv{len(layer.kernel_size)}d")
    return cls(layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride,
               layer.padding, layer.dilation, layer.groups, bias=layer.bias is not None)


def _linear(layer, shape):
    return _torch().nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None)


def _pool(layer, shape):
    nn = _torch().nn
    cls = getattr(nn, layer.kind)
    if layer.kind.startswith("Max"):
        return cls(layer.kernel_size, layer.stride, layer.padding, layer.dilation,
                   ceil_mode=layer.ceil_mode)
    return cls(layer.kernel_size, layer.stride, layer.padding, ceil_mode=layer.ceil_mode,
               count_include_pad=layer.count_include_pad)


def _adaptive(layer, shape):
    size = layer.output_size
    if len(size) == 1:  # torch's 1-d adaptive pools take no None (keep the input size)
        if size[0] is None and shape is None:
            raise ValueError(f"torch_twin: {layer!r} keeps its input length; expected "
                             "input_shape to build the torch module")
        size = shape[-1] if size[0] is None else size[0]
    return getattr(_torch().nn, layer.kind)(size)


def _batchnorm(layer, shape):
    return getattr(_torch().nn, layer.kind)(layer.num_features, layer.eps, layer.momentum,
                                            layer.affine, layer.track_running_stats)


def _recurrent(layer, shape):
    return getattr(_torch().nn, layer.kind)(layer.input_size, layer.hidden_size,
                                            bias=layer.bias, batch_first=layer.batch_first)


def _plain(**attrs):
    """A twin of the torch module of the same name, with the layer's ``attrs`` as arguments."""
    return lambda layer, shape: getattr(_torch().nn, layer.kind)(
        **{arg: getattr(layer, attr) for arg, attr in attrs.items()})


def _reshape(layer, shape):
    """``x.reshape(shape)`` in a forward: a tensor method, no torch module of its own."""

    class Reshape(_torch().nn.Module):
        def forward(self, input):
            return input.reshape(layer.shape)

    return Reshape()


def _add(layer, shape):
    """``input + other`` in a forward: an operator, no torch module of its own."""

    class Add(_torch().nn.Module):
        def forward(self, input, other):
            return input + other

    return Add()


#: class name -> builder(layer, input_shape) of the torch module (parameters copied after).
BUILDERS = MappingProxyType({
    **dict.fromkeys(("Conv1d", "Conv2d", "Conv3d", "DepthwiseConv2d", "PointwiseConv2d"), _conv),
    **dict.fromkeys(("Dense", "Linear"), _linear),
    **dict.fromkeys(("MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d",
                     "AvgPool3d"), _pool),
    **dict.fromkeys(("AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
                     "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d"), _adaptive),
    **dict.fromkeys(("BatchNorm1d", "BatchNorm2d", "BatchNorm3d"), _batchnorm),
    **dict.fromkeys(("RNN", "GRU", "LSTM"), _recurrent),
    "ReLU": _plain(inplace="inplace"),
    "ReLU6": _plain(inplace="inplace"),
    "LeakyReLU": _plain(negative_slope="negative_slope", inplace="inplace"),
    "Sigmoid": _plain(),
    "Tanh": _plain(),
    "SiLU": _plain(inplace="inplace"),
    "Softmax": _plain(dim="dim"),
    "LogSoftmax": _plain(dim="dim"),
    "GELU": _plain(approximate="approximate"),
    "ELU": _plain(alpha="alpha", inplace="inplace"),
    "Softplus": _plain(beta="beta", threshold="threshold"),
    "Mish": _plain(inplace="inplace"),
    "PReLU": _plain(num_parameters="num_parameters", init="init"),
    "Embedding": _plain(num_embeddings="num_embeddings", embedding_dim="embedding_dim",
                        padding_idx="padding_idx"),
    "LayerNorm": lambda layer, shape: _torch().nn.LayerNorm(
        layer.normalized_shape, layer.eps, layer.elementwise_affine, bias=layer.shifted),
    "GroupNorm": _plain(num_groups="num_groups", num_channels="num_channels", eps="eps",
                        affine="affine"),
    **dict.fromkeys(("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"), _plain(
        num_features="num_features", eps="eps", momentum="momentum", affine="affine",
        track_running_stats="track_running_stats")),
    "Identity": _plain(),
    "Flatten": _plain(start_dim="start_dim", end_dim="end_dim"),
    "Dropout": _plain(p="p", inplace="inplace"),
    "Reshape": _reshape,
    "Add": _add,
})


def _key(layer) -> str:
    """The :data:`BUILDERS` key of ``layer``'s class or nearest base (as the registries)."""
    key = next((c.__name__ for c in type(layer).__mro__ if c.__name__ in BUILDERS), None)
    if key is None:
        raise TypeError(f"torch_twin: layer={layer!r} is invalid; expected an nnref layer "
                        f"or model (one of {', '.join(sorted(BUILDERS))})")
    return key


def torch_twin(layer_or_model, input_shape=None, dtype="float32"):
    """The ``torch.nn.Module`` computing what ``layer_or_model`` computes, in eval mode.

    Parameters
    ----------
    layer_or_model : nnref Layer or model
        A model needs ``nnref.to_torch`` (the torch bridge).
    input_shape : tuple of int or None
        Needed only by a 1-d adaptive pool whose output size is None (torch has no None).
    dtype : {"float32", "float64"}

    Returns
    -------
    torch.nn.Module
        Same parameters and buffers (converted to ``dtype``), same configuration.
    """
    torch = _torch()
    if dtype not in ("float32", "float64"):
        raise ValueError(f"torch_twin: dtype={dtype!r} is invalid; expected 'float32' or 'float64'")
    tdtype = getattr(torch, dtype)
    from ..layers.base import Layer

    if not isinstance(layer_or_model, Layer):
        to_torch = _to_torch()
        if to_torch is None or not hasattr(layer_or_model, "plan"):
            raise TypeError(f"torch_twin: layer_or_model={layer_or_model!r} is invalid; expected "
                            "an nnref layer (a model's twin needs nnref.to_torch)")
        return to_torch(layer_or_model).to(tdtype).eval()
    layer = layer_or_model
    with torch.device("meta"):  # no torch init of weights that are overwritten next
        module = BUILDERS[_key(layer)](layer, input_shape)
    module = module.to_empty(device="cpu").to(tdtype)
    names = tuple(layer.param_names) + tuple(getattr(layer, "buffer_names", ()))
    _load(module, layer, names, tdtype)
    if getattr(module, "num_batches_tracked", None) is not None:
        module.num_batches_tracked.zero_()
    return module.eval()


def _to_torch():
    """``nnref.to_torch`` if the torch bridge is installed, else None."""
    try:
        from ..bridges.torch import to_torch
    except ImportError:
        return None
    return to_torch
