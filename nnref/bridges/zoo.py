"""The zoo models nnref counts through its torch bridge: their names, default inputs and
parameter counts, without importing torch (``nnref models`` lists them beside
:mod:`nnref.models.zoo`). The torch modules are in :mod:`nnref.bridges.torch.zoo`.

    >>> model = build("vit_b_16")     # needs torch: from_torch of the hand-written ViT
"""
from __future__ import annotations

from types import MappingProxyType

#: name -> (default input shape, parameters, description)
MODELS = MappingProxyType({
    "vit_b_16": ((1, 3, 224, 224), 86_567_656, "ViT-B/16 (torchvision), through from_torch"),
    "gpt2_small_block": ((1, 1024, 768), 7_087_872,
                         "one causal GPT-2 small block, 1024 tokens, through from_torch"),
    "convnext_tiny": ((1, 3, 224, 224), 28_589_128,
                      "ConvNeXt-Tiny (torchvision), through from_torch"),
})


def names() -> list:
    return list(MODELS)


def input_shape(name: str) -> tuple:
    return _entry(name)[0]


def _entry(name):
    if not isinstance(name, str) or name not in MODELS:
        raise ValueError(f"unknown model {name!r}; known torch-built models: {', '.join(MODELS)}")
    return MODELS[name]


def build(name: str, seed=0, input_shape=None):
    """Model ``name`` as an nnref Graph, its weights drawn from ``seed`` (torch's generator).

    Raises ImportError (naming the extra) when torch is not installed.
    """
    _entry(name)
    try:
        import torch  # noqa: F401
    except ImportError:
        raise ImportError(f"{name} is built from its torch module and needs torch: pip install "
                          "torch (or nnref[test])") from None
    from .torch.zoo import build as build_torch

    return build_torch(name, seed, input_shape)
