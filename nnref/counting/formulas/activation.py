"""Closed forms for the elementwise activations: a per-element cost times the element count."""
from math import prod
from types import MappingProxyType

from ..opcounts import OpCounts
from ._args import check_shape, kind_of, layer_shape

#: Cost of one element, following the reference arithmetic.
PER_ELEMENT = MappingProxyType({
    "ReLU": OpCounts(cmp=1),
    "ReLU6": OpCounts(cmp=2),
    "LeakyReLU": OpCounts(mul=1, cmp=1),
    "Sigmoid": OpCounts(neg=1, exp=1, add=1, div=1),
    "Tanh": OpCounts(mul=1, exp=1, add=1, div=1, sub=1),
    "SiLU": OpCounts(neg=1, exp=1, add=1, div=1, mul=1),
})


def activation(kind: str, input_shape) -> OpCounts:
    """Counts of activation ``kind`` ("ReLU", "Sigmoid", ...) over a tensor of ``input_shape``."""
    if not isinstance(kind, str) or kind not in PER_ELEMENT:
        error = ValueError if isinstance(kind, str) else TypeError
        raise error(f"activation: kind={kind!r} is invalid; expected one of {list(PER_ELEMENT)}")
    return PER_ELEMENT[kind] * prod(check_shape(input_shape, "activation"))


def _for_layer(layer, input_shape) -> OpCounts:
    shape = layer_shape(layer, input_shape, PER_ELEMENT, "activation")
    return activation(kind_of(layer, PER_ELEMENT, "activation"), shape)


FOR_LAYER = MappingProxyType(dict.fromkeys(PER_ELEMENT, _for_layer))
