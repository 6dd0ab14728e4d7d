"""Closed forms for normalisation: BatchNorm's fold of running statistics (:func:`batch_norm`),
and LayerNorm, GroupNorm and InstanceNorm with their input's statistics (:func:`input_norm`)."""
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


# -- LayerNorm, GroupNorm, InstanceNorm1d/2d/3d: the statistics of the input itself -----------

def input_norm(groups: int, size: int, weight: bool = True, bias: bool = True) -> OpCounts:
    """Counts of normalising ``groups`` groups of ``size`` elements, each with its own statistics.

    Parameters
    ----------
    groups : int
        Number of normalisation groups, >= 1: LayerNorm's rows (the input's numel over
        prod(normalized_shape)), GroupNorm's N·G, InstanceNorm's N·C.
    size : int
        M, the elements of one group, >= 1: prod(normalized_shape), (C/G)·prod(spatial),
        prod(spatial).
    weight, bias : bool
        Whether the affine step multiplies by γ and adds β (LayerNorm's ``bias=False``:
        γ only; ``elementwise_affine=False`` or ``affine=False``: neither).

    Notes
    -----
    The variance is computed in two passes, as the mean of the squared deviations from
    the mean (biased: divided by M, as torch). Each sum of M terms takes M − 1 adds (the
    kernel sums runs of 8 in order and merges the run sums pairwise, for torch-like
    rounding; the order changes no count). For one group x_0 … x_{M−1}:

        mean     μ = (x_0 + … + x_{M−1}) / M          add M − 1, div 1
        variance d_i = x_i − μ                        sub M
                 var = (d_0² + … + d_{M−1}²) / M      mul M, add M − 1, div 1
        normalise r = 1 / sqrt(var + eps)             add 1, sqrt 1, div 1
                 x̂_i = d_i · r                        mul M
        affine   y_i = x̂_i · γ + β                    mul M with γ, add M with β

    so per group add 2M − 1 (+ M), sub M, mul 2M (+ M), div 3, sqrt 1, whatever the
    values (NaN included).
    """
    groups, size = ints("input_norm", groups=groups, size=size)
    for name, flag in (("weight", weight), ("bias", bias)):
        if not isinstance(flag, bool):
            raise TypeError(f"input_norm: {name}={flag!r} is invalid; expected True or False")
    m = size
    per_group = OpCounts(add=2 * m - 1 + (m if bias else 0), sub=m,
                         mul=2 * m + (m if weight else 0), div=3, sqrt=1)
    return per_group * groups


@formula("LayerNorm")
def layer_norm_layer(layer, input_shape) -> OpCounts:
    """Counts of a LayerNorm: :func:`input_norm` over rows of prod(normalized_shape)."""
    d = prod(layer.normalized_shape)
    return input_norm(prod(input_shape) // d, d, layer.scaled, layer.shifted)


@formula("GroupNorm")
def group_norm_layer(layer, input_shape) -> OpCounts:
    """Counts of a GroupNorm on (N, C, *): :func:`input_norm` over N·G groups."""
    groups = input_shape[0] * layer.num_groups
    return input_norm(groups, prod(input_shape) // groups, layer.affine, layer.affine)


@formula("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d")
def instance_norm_layer(layer, input_shape) -> OpCounts:
    """Counts of an InstanceNorm on ([N,] C, *spatial): :func:`input_norm` over the N·C
    instances of prod(spatial) elements; with running statistics, :func:`batch_norm`."""
    if layer.track_running_stats:
        return batch_norm(layer.num_features, prod(input_shape))
    size = prod(input_shape[len(input_shape) - layer.spatial:])  # InstanceNorm2d: 2 axes
    return input_norm(prod(input_shape) // size, size, layer.affine, layer.affine)
