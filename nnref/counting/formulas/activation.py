"""Closed forms for the elementwise activations: a per-element cost times the element count."""
from math import prod

from ..opcounts import OpCounts

#: Cost of one element, following the reference arithmetic.
PER_ELEMENT = {
    "ReLU": OpCounts(cmp=1),
    "ReLU6": OpCounts(cmp=2),
    "LeakyReLU": OpCounts(mul=1, cmp=1),
    "Sigmoid": OpCounts(neg=1, exp=1, add=1, div=1),
    "Tanh": OpCounts(mul=1, exp=1, add=1, div=1, sub=1),
    "SiLU": OpCounts(neg=1, exp=1, add=1, div=1, mul=1),
}


def activation(kind: str, input_shape) -> OpCounts:
    """Counts of activation ``kind`` ("ReLU", "Sigmoid", ...) over a tensor of ``input_shape``."""
    return PER_ELEMENT[kind] * prod(int(s) for s in input_shape)


FOR_LAYER = {k: (lambda layer, shape, k=k: activation(k, shape)) for k in PER_ELEMENT}
