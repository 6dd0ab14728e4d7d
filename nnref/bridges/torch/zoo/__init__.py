"""Zoo models written as torch modules (torchvision's or nanoGPT's structure, by hand) and
counted through :func:`nnref.from_torch`: the transformer-era networks.

    >>> model = build("vit_b_16", seed=0)     # an nnref Graph, torch's names and weights
    >>> y, report = model(x)

They need torch (the ``test`` extra, or any torch); :mod:`nnref.models.zoo` holds the
networks nnref builds natively, and :mod:`nnref.bridges.zoo` the table of these (torch-free,
for listing).
"""
from __future__ import annotations

from types import MappingProxyType

from .convnext import convnext_tiny
from .gpt2 import gpt2_small_block
from .vit import vit_b_16

#: name -> the factory of the torch module (inputs and descriptions: nnref.bridges.zoo)
FACTORIES = MappingProxyType({"vit_b_16": vit_b_16, "gpt2_small_block": gpt2_small_block,
                              "convnext_tiny": convnext_tiny})


def torch_module(name: str, seed=0):
    """The torch module of model ``name``, in eval mode, its weights drawn from ``seed``."""
    import torch

    if not isinstance(name, str) or name not in FACTORIES:
        raise ValueError(f"unknown model {name!r}; known torch-built models: "
                         f"{', '.join(FACTORIES)}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"{name}: seed={seed!r} is invalid; expected None or an int")
    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(seed)
        return FACTORIES[name]().eval()


def build(name: str, seed=0, input_shape=None):
    """Model ``name`` as an nnref Graph: ``from_torch`` of :func:`torch_module` on zeros
    of ``input_shape`` (default: the model's)."""
    import torch

    from ...zoo import MODELS
    from ..convert import from_torch

    module = torch_module(name, seed)
    graph = from_torch(module, torch.zeros(input_shape or MODELS[name][0]))
    graph.name = name
    return graph
