"""User-facing layers. Each returns ``(y, ops)`` when called; see :class:`.base.Layer`.

Names are loaded from their modules on first use (PEP 562), so ``import nnref`` stays
fast and one layer family can be imported without the others.
"""
from importlib import import_module
from types import MappingProxyType

from .base import Layer

#: Public layer name -> module (relative to this package) that defines it.
_WHERE = MappingProxyType({
    **dict.fromkeys(["ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "SiLU"], "activation"),
    **dict.fromkeys(["Conv1d", "Conv2d", "Conv3d"], "conv"),
    **dict.fromkeys(["DepthwiseConv2d", "PointwiseConv2d"], "depthwise"),
    **dict.fromkeys(["Dense", "Linear"], "dense"),
    **dict.fromkeys([f"{k}Pool{n}d" for k in ("Max", "Avg") for n in (1, 2, 3)], "pool"),
    **dict.fromkeys([f"Adaptive{k}Pool{n}d" for k in ("Max", "Avg") for n in (1, 2, 3)], "adaptive"),
    **dict.fromkeys([f"BatchNorm{n}d" for n in (1, 2, 3)], "norm"),
    "Softmax": "softmax",
    **dict.fromkeys(["Flatten", "Add", "Dropout"], "misc"),
    **dict.fromkeys(["RNN", "GRU", "LSTM"], "recurrent"),
})

__all__ = ["Layer", *_WHERE]


def __getattr__(name):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
