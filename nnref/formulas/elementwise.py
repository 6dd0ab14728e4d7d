"""Closed forms for elementwise arithmetic: Add, Sub, Mul, Div (two tensors or a number)."""
from math import prod
from types import MappingProxyType

from ..core.opcounts import OpCounts
from ._registry import FORMULAS, formula, ints

#: The one operation each layer does per output element.
KIND = MappingProxyType({"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div"})


def binary(kind: str, n: int) -> OpCounts:
    """Counts of ``n`` output elements of Add, Sub, Mul or Div.

    Parameters
    ----------
    kind : {"Add", "Sub", "Mul", "Div"}
    n : int
        Output elements, >= 1: for broadcast operands, the broadcast shape's.

    Notes
    -----
    Each output element is one operation on its two operands, whatever they are (two
    tensors broadcast as in torch, or a tensor and a number, on either side; in place
    or not):

        Add   y = a + b     add 1
        Sub   y = a − b     sub 1
        Mul   y = a · b     mul 1
        Div   y = a / b     div 1

    Broadcasting only repeats operands (data movement), so the count is 1 of that kind
    per output element, n in all.
    """
    if not isinstance(kind, str) or kind not in KIND:
        error = ValueError if isinstance(kind, str) else TypeError
        raise error(f"binary: kind={kind!r} is invalid; expected one of {list(KIND)}")
    (n,) = ints("binary", n=n)
    return OpCounts(**{KIND[kind]: n})


def add(n: int) -> OpCounts:
    """Counts of adding two tensors into ``n`` outputs: ``binary("Add", n)``, add n."""
    return binary("Add", n)


@formula(*KIND)
def binary_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (Add, Sub, Mul, Div) on ``input_shape`` (one shape, or one per
    operand): :func:`binary` over the output's elements."""
    return binary(FORMULAS.key_of(layer), prod(layer.output_shape(input_shape)))
