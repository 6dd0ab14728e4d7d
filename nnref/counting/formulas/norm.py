"""Closed forms for inference-mode batch normalization.

Per channel, once per call: add 1 (σ² + eps), sqrt 1, div 1 (γ/σ = scale), mul 1
(μ·scale), sub 1 (β − μ·scale = shift). Per element: mul 1, add 1 (x·scale + shift).
"""
from math import prod

from ..opcounts import OpCounts

PER_CHANNEL = OpCounts(add=1, sqrt=1, div=1, mul=1, sub=1)
PER_ELEMENT = OpCounts(mul=1, add=1)


def batch_norm(channels: int, elements: int) -> OpCounts:
    """Counts for ``channels`` channels and ``elements`` input elements in total."""
    return PER_CHANNEL * int(channels) + PER_ELEMENT * int(elements)


def for_batch_norm(layer, input_shape) -> OpCounts:
    return batch_norm(layer.num_features, prod(int(v) for v in input_shape))


FOR_LAYER = {f"BatchNorm{n}d": for_batch_norm for n in (1, 2, 3)}
