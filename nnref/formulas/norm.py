"""Closed forms for inference-mode batch normalization."""
from math import prod

from ..core.opcounts import OpCounts
from ._registry import formula, ints

#: The fold of one channel's statistics, and one element (see :func:`batch_norm`).
PER_CHANNEL = OpCounts(add=1, sqrt=1, div=1, mul=1, sub=1)
PER_ELEMENT = OpCounts(mul=1, add=1)


def batch_norm(channels: int, elements: int) -> OpCounts:
    """Counts for ``channels`` channels and ``elements`` input elements in total (a multiple).

    Notes
    -----
    The running mean μ and variance var are folded into a scale and shift once per
    channel and call, whatever the batch and spatial sizes:

        s = sqrt(var + eps)       add 1, sqrt 1
        scale = γ / s             div 1
        shift = β − μ·scale       mul 1, sub 1

    then every element is ``y = x·scale + shift`` (mul 1, add 1). Without affine
    parameters the same arithmetic runs with γ = 1 and β = 0. In total

        channels · PER_CHANNEL + elements · PER_ELEMENT.
    """
    channels, elements = ints("batch_norm", channels=channels, elements=elements)
    if elements % channels:
        raise ValueError(f"batch_norm: elements={elements} is not a multiple of "
                         f"channels={channels}; expected N·C·(spatial size) elements")
    return PER_CHANNEL * channels + PER_ELEMENT * elements


@formula("BatchNorm1d", "BatchNorm2d", "BatchNorm3d")
def batch_norm_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a BatchNorm*d) on ``input_shape`` (N, C, ...): :func:`batch_norm`."""
    return batch_norm(layer.num_features, prod(input_shape))
