"""Closed form for softmax: per row of length n along ``dim``,
cmp n − 1 (max), sub n, exp n, add n − 1 (sum), div n."""
from math import prod

from ..opcounts import OpCounts


def softmax(n: int, rows: int = 1) -> OpCounts:
    """Counts of ``rows`` softmax rows of length ``n``."""
    n, rows = int(n), int(rows)
    return OpCounts(cmp=rows * (n - 1), sub=rows * n, exp=rows * n, add=rows * (n - 1), div=rows * n)


def for_softmax(layer, input_shape) -> OpCounts:
    n = int(input_shape[layer.dim % len(input_shape)])
    return softmax(n, prod(int(v) for v in input_shape) // n)


FOR_LAYER = {"Softmax": for_softmax}
