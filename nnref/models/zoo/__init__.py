"""The model zoo: torchvision architectures (same module names, same parameter counts) and
the article's CRNN, with random weights from a seed. Nothing is ever downloaded.

    >>> model = build("resnet50", seed=0)
    >>> y, report = model(x)
"""
from __future__ import annotations

import warnings
from types import MappingProxyType

from .alexnet import alexnet
from .crnn import seed_crnn
from .mobilenet import mobilenet_v2
from .resnet import resnet50
from .vgg import vgg16

#: name -> (builder, default input shape, description)
MODELS = MappingProxyType({
    "alexnet": (alexnet, (1, 3, 224, 224), "AlexNet (torchvision), 61.1 M parameters"),
    "vgg16": (vgg16, (1, 3, 224, 224), "VGG-16 (torchvision), 138.4 M parameters"),
    "resnet50": (resnet50, (1, 3, 224, 224), "ResNet-50 v1.5 (torchvision), 25.6 M parameters"),
    "mobilenet_v2": (mobilenet_v2, (1, 3, 224, 224), "MobileNetV2 (torchvision), 3.5 M parameters"),
    "seed_crnn": (seed_crnn, (1, 1, 100, 256), "the article's Conv2D + GRU + Dense CRNN"),
})


def names() -> list:
    """The model names, in the order of :data:`MODELS`."""
    return list(MODELS)


def _entry(name):
    if not isinstance(name, str) or name not in MODELS:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(MODELS)}")
    return MODELS[name]


def input_shape(name: str) -> tuple:
    """The default input shape of model ``name`` (batch 1)."""
    return _entry(name)[1]


def build(name: str, seed=0, padding_taps="dense", algorithm="im2col", *, padding_mode=None):
    """Model ``name`` with random weights drawn from ``seed``.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    seed : None, int or numpy Generator
    padding_taps : {"dense", "skip"}
    algorithm : {"im2col", "naive"}
        Passed to every convolution ("skip" requires "naive").
    padding_mode : {"dense", "skip"} or None
        The old name of ``padding_taps``: still accepted, with a DeprecationWarning.

    Returns
    -------
    Graph
        Its nodes say which calls torchvision's (or the article's) ``forward`` makes as
        functions, methods or operators (``torch.flatten``, MobileNetV2's
        ``F.adaptive_avg_pool2d``, the residual ``+``, the CRNN's ``x.reshape``): the plan's
        steps carry them to the tool conventions.
    """
    if padding_mode is not None:  # the old name of padding_taps
        warnings.warn(f"build: padding_mode={padding_mode!r} is deprecated; use "
                      f"padding_taps={padding_mode!r}", DeprecationWarning, stacklevel=2)
        padding_taps = padding_mode
    return _entry(name)[0](seed=seed, padding_taps=padding_taps, algorithm=algorithm)


__all__ = ["MODELS", "alexnet", "build", "input_shape", "mobilenet_v2", "names", "resnet50",
           "seed_crnn", "vgg16"]
