"""Closed form for softmax: per row of length n along ``dim``,
cmp n − 1 (max), sub n, exp n, add n − 1 (sum), div n."""
from math import prod

from ..core.opcounts import OpCounts
from ._registry import formula, ints


def softmax(n: int, rows: int = 1) -> OpCounts:
    """Counts of ``rows`` softmax rows of length ``n``."""
    n, rows = ints("softmax", n=n, rows=rows)
    return OpCounts(cmp=rows * (n - 1), sub=rows * n, exp=rows * n, add=rows * (n - 1), div=rows * n)


@formula("Softmax")
def softmax_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a Softmax) on ``input_shape``: :func:`softmax` per row along ``dim``."""
    n = input_shape[layer.dim % len(input_shape)]
    return softmax(n, prod(input_shape) // n)
