"""Closed forms for inference-mode batch normalization.

Per channel, once per call: add 1 (σ² + eps), sqrt 1, div 1 (γ/σ = scale), mul 1
(μ·scale), sub 1 (β − μ·scale = shift). Per element: mul 1, add 1 (x·scale + shift).
"""
from math import prod

from ..core.opcounts import OpCounts
from ._registry import formula, ints

PER_CHANNEL = OpCounts(add=1, sqrt=1, div=1, mul=1, sub=1)
PER_ELEMENT = OpCounts(mul=1, add=1)


def batch_norm(channels: int, elements: int) -> OpCounts:
    """Counts for ``channels`` channels and ``elements`` input elements in total (a multiple)."""
    channels, elements = ints("batch_norm", channels=channels, elements=elements)
    if elements % channels:
        raise ValueError(f"batch_norm: elements={elements} is not a multiple of "
                         f"channels={channels}; expected N·C·(spatial size) elements")
    return PER_CHANNEL * channels + PER_ELEMENT * elements


@formula("BatchNorm1d", "BatchNorm2d", "BatchNorm3d")
def batch_norm_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a BatchNorm*d) on ``input_shape`` (N, C, ...): :func:`batch_norm`."""
    return batch_norm(layer.num_features, prod(input_shape))
