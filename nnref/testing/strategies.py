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

import re
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st

from ..layers import LAYERS
from ..layers.base import Layer
from .configs import FAMILIES, MODES, seeds, trained  # noqa: F401  (public building blocks)

#: torch's spelling where it is not the class name in snake case.
_IRREGULAR = MappingProxyType({"ReLU": "relu", "ReLU6": "relu6", "LeakyReLU": "leaky_relu",
                               "SiLU": "silu", "PReLU": "prelu", "MatMul": "matmul",
                               "BatchMatMul": "bmm", "BAddBMM": "baddbmm"})


def torch_name(cls_name: str) -> str:
    """``"MaxPool2d"`` -> ``"max_pool2d"``: the strategy's name, as torch spells the layer."""
    return _IRREGULAR.get(cls_name) or re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", cls_name).lower()


#: The index: strategy name (torch's spelling) -> layer class name.
BY_NAME = MappingProxyType({torch_name(n): n for n in sorted(FAMILIES.names())})
BY_CLASS = MappingProxyType({cls: name for name, cls in BY_NAME.items()})
#: class name -> the scale of the standard-normal inputs the project's tests draw for it.
SCALES = MappingProxyType({n: FAMILIES[n][1] for n in FAMILIES.names()})


class Sample(NamedTuple):
    """One drawn layer: the nnref layer, an input shape it takes, and its torch twin."""

    layer: Layer
    input_shape: tuple
    twin: object  # torch.nn.Module, or None with twin=False

    def inputs(self, dtype=np.float32, seed=0) -> tuple:
        """Random input arrays the layer takes (``layer.random_input``): one per operand."""
        rng = np.random.default_rng(seed)
        return tuple(self.layer.random_input(rng, s, dtype)
                     for s in self.layer.operand_shapes(self.input_shape))


def configs(name: str, **bounds):
    """The strategy of ``(layer, input_shape)`` for layer class ``name``, with ``bounds``.

    The bounds are the keyword arguments of the family's strategy, in the module of its
    family (``nnref/testing/configs/conv.py``, ...): e.g. convolutions ``modes, groups,
    per_group, batch, kernel, most, extra``; pools ``kernel, stride, channels, batch,
    extra``; the elementwise layers ``dims, size``.
    """
    if not isinstance(name, str) or name not in FAMILIES:
        raise ValueError(f"strategies: layer {name!r} is unknown; expected one of "
                         f"{', '.join(sorted(FAMILIES.names()))}")
    return FAMILIES[name][0](LAYERS[name], **bounds)


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
    names = [n for n in sorted(FAMILIES.names()) if n not in set(exclude)]
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
norm = _group(*(n for n in BY_CLASS if "Norm" in n))
activation = _group("ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "SiLU", "GELU", "ELU",
                    "PReLU", "Softplus", "Mish", "Softmax", "LogSoftmax")
recurrent = _group("RNN", "GRU", "LSTM")

__all__ = ["BY_NAME", "MODES", "SCALES", "Sample", "activation", "adaptive_pool", "any_layer",
           "batch_norm", "configs", "conv", "layers", "norm", "pool1d", "pool2d", "pool3d",
           "recurrent", "torch_name", "trained", *BY_NAME]


def __getattr__(name):
    """``conv2d``, ``max_pool2d``, ``gru``, ...: the strategy of one class (:data:`BY_NAME`)."""
    if name in BY_NAME:
        return _one(BY_NAME[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(BY_NAME))
