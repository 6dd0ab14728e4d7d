"""Closed forms for the elementwise activations: a per-element cost times the element count."""
from math import prod
from types import MappingProxyType

from ..core.opcounts import OpCounts
from ._registry import FORMULAS, formula, ints

#: Cost of one element of each activation (the operations of :func:`activation`'s Notes).
PER_ELEMENT = MappingProxyType({
    "ReLU": OpCounts(cmp=1),
    "ReLU6": OpCounts(cmp=2),
    "LeakyReLU": OpCounts(mul=1, cmp=1),
    "Sigmoid": OpCounts(neg=1, exp=1, add=1, div=1),
    "Tanh": OpCounts(mul=1, exp=1, add=1, div=1, sub=1),
    "SiLU": OpCounts(neg=1, exp=1, add=1, div=1, mul=1),
    "Hardtanh": OpCounts(cmp=2),
    "Hardsigmoid": OpCounts(add=1, cmp=2, div=1),
    "Hardswish": OpCounts(add=1, cmp=2, mul=1, div=1),
})


def activation(kind: str, n: int) -> OpCounts:
    """Counts of activation ``kind`` ("ReLU", "Sigmoid", ...) over ``n`` elements.

    Parameters
    ----------
    kind : str
        A key of :data:`PER_ELEMENT`: "ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh",
        "SiLU", "Hardtanh", "Hardsigmoid" or "Hardswish".
    n : int
        Number of elements, >= 1.

    Notes
    -----
    Every element ``v`` runs the same operations, in this order, whatever its value
    (NaN included), so the total is ``PER_ELEMENT[kind] · n``:

        ReLU        y = max(v, 0)                          cmp 1
        ReLU6       y = min(max(v, 0), 6)                  cmp 2 (both always run)
        LeakyReLU   m = a·v (always computed)              mul 1
                    y = v if v > 0 else m                  cmp 1
        Sigmoid     y = 1 / (1 + exp(−v))                  neg 1, exp 1, add 1, div 1
        Tanh        y = 1 − 2 / (exp(2·v) + 1)             mul 1, exp 1, add 1, div 1, sub 1
        SiLU        y = v · (1 / (1 + exp(−v)))            neg 1, exp 1, add 1, div 1, mul 1
        Hardtanh    y = min(max(v, lo), hi)                cmp 2 (both always run)
        Hardsigmoid r = min(max(v + 3, 0), 6); y = r / 6   add 1, cmp 2, div 1
        Hardswish   r = min(max(v + 3, 0), 6); y = v·r / 6 add 1, cmp 2, mul 1, div 1

    The σ and tanh of the recurrent layers (:mod:`.recurrent`) cost the same per element.
    """
    if not isinstance(kind, str) or kind not in PER_ELEMENT:
        error = ValueError if isinstance(kind, str) else TypeError
        raise error(f"activation: kind={kind!r} is invalid; expected one of {list(PER_ELEMENT)}")
    (n,) = ints("activation", n=n)
    return PER_ELEMENT[kind] * n


@formula(*PER_ELEMENT)
def activation_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an activation) on ``input_shape``: :func:`activation` per element."""
    return activation(FORMULAS.key_of(layer), prod(input_shape))
