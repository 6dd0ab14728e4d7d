"""Closed forms for Dense / Linear."""
from math import prod

from ..core.opcounts import OpCounts
from ..core.validate import check_bool
from ._registry import formula, ints


def dense_seed(i: int, o: int, bias: bool = False) -> int:
    """Total operations of one input row through an I → O dense layer (the seed derivation).

    Notes
    -----
    Each of the O outputs is a dot product of I products (mul I) summed with I − 1
    additions (add I − 1), plus add 1 for the bias, so

        without bias: O·(I + I − 1) = (2I − 1)·O
        with bias:    O·(2I − 1 + 1) = 2I·O
    """
    i, o = ints("dense_seed", i=i, o=o)
    return 2 * i * o if check_bool(bias, "bias", "dense_seed") else (2 * i - 1) * o


def dense(i: int, o: int, rows: int = 1, bias: bool = True) -> OpCounts:
    """Counts of ``rows`` rows through an I → O dense layer.

    Notes
    -----
    Each of the rows·O outputs is ``y[o] = Σ_{i<I} x[i]·W[o, i] (+ b[o])``: the first
    product initialises the sum, so mul I and add I − 1, plus 1 add with a bias. An input
    of shape (*, I) has rows = prod(*), each costing the same:

        mul = rows·O·I,   add = rows·O·(I − 1) + rows·O·[bias].
    """
    i, o, rows = ints("dense", i=i, o=o, rows=rows)
    bias = check_bool(bias, "bias", "dense")
    outputs = rows * o
    return OpCounts(mul=outputs * i, add=outputs * (i - 1 + (1 if bias else 0)))


@formula("Dense")
def dense_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (Dense or Linear) on ``input_shape`` (*, I): :func:`dense`."""
    return dense(layer.in_features, layer.out_features, prod(input_shape[:-1]),
                 layer.bias is not None)
