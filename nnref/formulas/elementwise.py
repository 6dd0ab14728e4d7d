"""Closed form for elementwise arithmetic between tensors: Add."""
from math import prod

from ..core.opcounts import OpCounts
from ._registry import formula, ints


def add(n: int) -> OpCounts:
    """Counts of adding two tensors of ``n`` elements each.

    Notes
    -----
    ``y = a + b`` element by element (no broadcasting): add 1 per output element, so
    add n.
    """
    (n,) = ints("add", n=n)
    return OpCounts(add=n)


@formula("Add")
def add_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an Add) on two operands of ``input_shape`` each: :func:`add`."""
    return add(prod(input_shape))
