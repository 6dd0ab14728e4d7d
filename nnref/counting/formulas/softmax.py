"""Closed form for softmax: per row of length n along ``dim``,
cmp n − 1 (max), sub n, exp n, add n − 1 (sum), div n."""
from math import prod
from types import MappingProxyType

from ..opcounts import OpCounts
from ._args import ints, layer_shape


def softmax(n: int, rows: int = 1) -> OpCounts:
    """Counts of ``rows`` softmax rows of length ``n``."""
    n, rows = ints("softmax", n=n, rows=rows)
    return OpCounts(cmp=rows * (n - 1), sub=rows * n, exp=rows * n, add=rows * (n - 1), div=rows * n)


def for_softmax(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a Softmax) on ``input_shape``."""
    shape = layer_shape(layer, input_shape, ("Softmax",), "softmax")
    n = shape[layer.dim % len(shape)]
    return softmax(n, prod(shape) // n)


FOR_LAYER = MappingProxyType({"Softmax": for_softmax})
