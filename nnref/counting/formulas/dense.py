"""Closed forms for Dense / Linear.

Seed derivation, for one input row of I features and O outputs: each output is a dot
product of I products (mul I) summed with I − 1 additions (add I − 1), plus add 1 for
the bias, so

    without bias: O·(I + I − 1) = (2I − 1)·O
    with bias:    O·(2I − 1 + 1) = 2I·O

An input of shape (*, I) has M = prod(*) rows, each costing the same.
"""
from math import prod
from types import MappingProxyType

from ..opcounts import OpCounts
from ._args import check_bool, ints, layer_shape


def dense_seed(i: int, o: int, bias: bool = False) -> int:
    """Total operations of one row: (2I − 1)·O, or 2I·O with the bias."""
    i, o = ints("dense_seed", i=i, o=o)
    return 2 * i * o if check_bool(bias, "bias", "dense_seed") else (2 * i - 1) * o


def dense(i: int, o: int, rows: int = 1, bias: bool = True) -> OpCounts:
    """Counts of ``rows`` rows through an I → O dense layer."""
    i, o, rows = ints("dense", i=i, o=o, rows=rows)
    bias = check_bool(bias, "bias", "dense")
    outputs = rows * o
    return OpCounts(mul=outputs * i, add=outputs * (i - 1 + (1 if bias else 0)))


def for_dense(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (Dense or Linear) on ``input_shape`` (*, I)."""
    shape = layer_shape(layer, input_shape, ("Dense",), "dense")
    return dense(layer.in_features, layer.out_features, prod(shape[:-1]), layer.bias is not None)


FOR_LAYER = MappingProxyType({"Dense": for_dense, "Linear": for_dense})
