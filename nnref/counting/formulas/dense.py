"""Closed forms for Dense / Linear.

Seed derivation, for one input row of I features and O outputs: each output is a dot
product of I products (mul I) summed with I − 1 additions (add I − 1), plus add 1 for
the bias, so

    without bias: O·(I + I − 1) = (2I − 1)·O
    with bias:    O·(2I − 1 + 1) = 2I·O

An input of shape (*, I) has M = prod(*) rows, each costing the same.
"""
from math import prod

from ..opcounts import OpCounts


def dense_seed(i: int, o: int, bias: bool = False) -> int:
    """Total operations of one row: (2I − 1)·O, or 2I·O with the bias."""
    i, o = int(i), int(o)
    return 2 * i * o if bias else (2 * i - 1) * o


def dense(i: int, o: int, rows: int = 1, bias: bool = True) -> OpCounts:
    """Counts of ``rows`` rows through an I → O dense layer."""
    outputs = int(rows) * int(o)
    return OpCounts(mul=outputs * int(i), add=outputs * (int(i) - 1 + (1 if bias else 0)))


def for_dense(layer, input_shape) -> OpCounts:
    rows = prod(int(v) for v in input_shape[:-1])
    return dense(layer.in_features, layer.out_features, rows, layer.bias is not None)


FOR_LAYER = {"Dense": for_dense, "Linear": for_dense}
