"""The formulas' registry and the one decorator that fills it.

``@formula("Conv1d", "Conv2d", "Conv3d")`` on an adapter ``f(layer, input_shape)``
registers it for those layer classes. The registered function first checks that the
layer is one of them (or a subclass) and that it accepts the shape (the layer's own
``output_shape``, which raises a ValueError naming the shape), then calls ``f`` with
the shape as a tuple of ints. :mod:`nnref.formulas` freezes the table once every family
module is imported.
"""
from __future__ import annotations

from functools import wraps

from ..core.registry import Registry
from ..core.validate import check_int

FORMULAS = Registry("formulas")


def formula(*names: str):
    """Register the decorated ``f(layer, input_shape) -> OpCounts`` for the classes ``names``."""

    def register(f):
        @wraps(f)
        def adapter(layer, input_shape):
            owner = f.__name__
            if FORMULAS.find(layer) not in names:
                raise TypeError(f"{owner}: layer={layer!r} is invalid; expected one of "
                                f"{', '.join(names)}")
            shape = layer.check_shape(input_shape)
            layer.output_shape(shape)  # a ValueError naming the shape if the layer cannot take it
            return f(layer, shape)

        return FORMULAS.register(*names, entry=adapter)

    return register


def ints(owner: str, minimum: int = 1, **values) -> tuple:
    """Each keyword value checked as an int >= ``minimum``; Python ints, in order."""
    return tuple(check_int(v, name, owner, minimum) for name, v in values.items())
