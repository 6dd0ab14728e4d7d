"""Argument checks shared by the formula functions; every message names the function."""
from __future__ import annotations

from ...layers.base import Layer
from ...layers.validate import check_bool, check_int, check_shape


def kind_of(layer, kinds, owner: str) -> str:
    """The name in ``kinds`` of ``layer``'s class (or of a base class); a TypeError if none."""
    names = [c.__name__ for c in type(layer).__mro__] if isinstance(layer, Layer) else []
    kind = next((n for n in names if n in kinds), None)
    if kind is None:
        raise TypeError(f"{owner}: layer={layer!r} is invalid; expected one of {sorted(kinds)}")
    return kind


def layer_shape(layer, input_shape, kinds, owner: str) -> tuple:
    """``input_shape`` as a tuple of ints, after ``layer`` (one of ``kinds``) has accepted it."""
    kind_of(layer, kinds, owner)
    shape = layer.check_shape(input_shape)
    layer.output_shape(shape)  # a ValueError naming the shape if the layer cannot take it
    return shape


def ints(owner: str, minimum: int = 1, **values) -> tuple:
    """Each keyword value checked as an int >= ``minimum``; Python ints, in order."""
    return tuple(check_int(v, name, owner, minimum) for name, v in values.items())


__all__ = ["check_bool", "check_shape", "ints", "kind_of", "layer_shape"]
