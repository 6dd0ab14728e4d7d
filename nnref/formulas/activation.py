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
    # GELU (approximate="none" and "tanh"), ELU, PReLU, Softplus, Mish
    "GELU": OpCounts(mul=3, add=1, erf=1),
    "GELU(tanh)": OpCounts(mul=7, add=3, exp=1, div=1, sub=1),
    "ELU": OpCounts(exp=1, sub=1, mul=1, cmp=1),
    "PReLU": OpCounts(mul=1, cmp=1),
    "Softplus": OpCounts(mul=1, exp=1, add=1, log=1, div=1, cmp=1),
    "Mish": OpCounts(exp=2, add=2, log=1, mul=2, div=1, sub=1),
})


def activation(kind: str, n: int) -> OpCounts:
    """Counts of activation ``kind`` ("ReLU", "Sigmoid", ...) over ``n`` elements.

    Parameters
    ----------
    kind : str
        A key of :data:`PER_ELEMENT`: "ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh",
        "SiLU", "Hardtanh", "Hardsigmoid", "Hardswish", "GELU", "GELU(tanh)" (approximate="tanh"),
        "ELU", "PReLU", "Softplus" or "Mish".
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
        GELU        y = v·0.5 · (1 + erf(v·(1/√2)))        mul 3, erf 1, add 1
        GELU(tanh)  u = √(2/π) · (v + 0.044715·v·v·v)      mul 4, add 1
                    y = v·0.5 · (1 + tanh(u))              tanh, add 1, mul 2
        ELU         m = α·(exp(v) − 1) (always computed)   exp 1, sub 1, mul 1
                    y = v if v > 0 else m                  cmp 1
        PReLU       m = a·v, a the slope of v's channel    mul 1
                    y = v if v > 0 else m                  cmp 1
        Softplus    z = β·v                                mul 1
                    s = log(1 + exp(z)) / β (always)       exp 1, add 1, log 1, div 1
                    y = v if z > threshold else s          cmp 1
        Mish        y = v · tanh(log(1 + exp(v)))          exp 1, add 1, log 1, tanh, mul 1

    where tanh(u) = 1 − 2 / (exp(2·u) + 1) costs mul 1, exp 1, add 1, div 1, sub 1, as
    Tanh does (nnref writes tanh out everywhere; it is no kind of its own), so GELU(tanh)
    is mul 7, add 3, exp 1, div 1, sub 1 and Mish exp 2, add 2, log 1, mul 2, div 1, sub 1.
    torch's expm1 and log1p are written as exp(v) − 1 and log(1 + e): the same values
    within float tolerance. The σ and tanh of the recurrent layers (:mod:`.recurrent`)
    cost the same per element.
    """
    if not isinstance(kind, str) or kind not in PER_ELEMENT:
        error = ValueError if isinstance(kind, str) else TypeError
        raise error(f"activation: kind={kind!r} is invalid; expected one of {list(PER_ELEMENT)}")
    (n,) = ints("activation", n=n)
    return PER_ELEMENT[kind] * n


@formula(*(kind for kind in PER_ELEMENT if kind != "GELU(tanh)"))
def activation_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an activation) on ``input_shape``: :func:`activation` per element
    (a GELU with approximate="tanh" as "GELU(tanh)")."""
    kind = FORMULAS.key_of(layer)
    if kind == "GELU" and layer.approximate == "tanh":
        kind = "GELU(tanh)"
    return activation(kind, prod(input_shape))
