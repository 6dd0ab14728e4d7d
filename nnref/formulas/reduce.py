"""Closed forms for reductions: Mean."""
from math import prod

from ..core.opcounts import OpCounts
from ._registry import formula, ints


def mean(n: int, outputs: int = 1) -> OpCounts:
    """Counts of ``outputs`` means of ``n`` elements each.

    Notes
    -----
    Each output sums its n elements, the first initialising the sum, then divides once:

        y = (x₀ + x₁ + … + x_{n−1}) / n          add n − 1, div 1 per output

    so add (n − 1)·outputs, div outputs.
    """
    n, outputs = ints("mean", n=n, outputs=outputs)
    return OpCounts(add=(n - 1) * outputs, div=outputs)


@formula("Mean")
def mean_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a Mean) on ``input_shape``: :func:`mean` over its reduced axes."""
    axes = layer.axes(input_shape) if input_shape else ()
    n = prod(input_shape[i] for i in axes)
    return mean(n, prod(input_shape) // n)
