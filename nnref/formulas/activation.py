"""Closed forms for the elementwise activations: a per-element cost times the element count."""
from math import prod
from types import MappingProxyType

from ..core.opcounts import OpCounts
from ._registry import FORMULAS, formula, ints

#: Cost of one element, following the reference arithmetic.
PER_ELEMENT = MappingProxyType({
    "ReLU": OpCounts(cmp=1),
    "ReLU6": OpCounts(cmp=2),
    "LeakyReLU": OpCounts(mul=1, cmp=1),
    "Sigmoid": OpCounts(neg=1, exp=1, add=1, div=1),
    "Tanh": OpCounts(mul=1, exp=1, add=1, div=1, sub=1),
    "SiLU": OpCounts(neg=1, exp=1, add=1, div=1, mul=1),
})


def activation(kind: str, n: int) -> OpCounts:
    """Counts of activation ``kind`` ("ReLU", "Sigmoid", ...) over ``n`` elements."""
    if not isinstance(kind, str) or kind not in PER_ELEMENT:
        error = ValueError if isinstance(kind, str) else TypeError
        raise error(f"activation: kind={kind!r} is invalid; expected one of {list(PER_ELEMENT)}")
    (n,) = ints("activation", n=n)
    return PER_ELEMENT[kind] * n


@formula(*PER_ELEMENT)
def activation_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an activation) on ``input_shape``: :func:`activation` per element."""
    return activation(FORMULAS.key_of(layer), prod(input_shape))
