"""Closed forms for Flatten, Reshape and Dropout (no arithmetic) and Add (add 1 per element)."""
from math import prod
from types import MappingProxyType

from ..opcounts import OpCounts
from ._args import layer_shape

_NONE = ("Flatten", "Reshape", "Dropout")


def _no_arithmetic(layer, input_shape) -> OpCounts:
    layer_shape(layer, input_shape, _NONE, "misc")
    return OpCounts()


def _add(layer, input_shape) -> OpCounts:
    """Add of two operands of ``input_shape`` each: add 1 per output element."""
    return OpCounts(add=prod(layer_shape(layer, input_shape, ("Add",), "add")))


FOR_LAYER = MappingProxyType({**dict.fromkeys(_NONE, _no_arithmetic), "Add": _add})
