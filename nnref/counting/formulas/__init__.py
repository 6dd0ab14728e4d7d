"""Closed-form operation counts for every layer, checked against the kernels in tests.

Each family lives in its own module and exports ``FOR_LAYER``, a mapping from layer
class name to ``f(layer, input_shape) -> OpCounts``. :func:`for_layer` dispatches on it.
"""
from types import MappingProxyType

from . import activation
from . import recurrent
from . import conv
from . import adaptive, dense, misc, norm, pool, softmax

_FAMILIES = (activation, recurrent, adaptive, dense, misc, norm, pool, softmax, conv)

_DISPATCH = MappingProxyType({k: f for m in _FAMILIES for k, f in m.FOR_LAYER.items()})


def for_layer(layer, input_shape):
    """The closed-form :class:`~nnref.OpCounts` of ``layer`` applied to ``input_shape``."""
    try:
        f = _DISPATCH[type(layer).__name__]
    except KeyError:
        raise TypeError(f"layer={layer!r} is invalid; expected one of {sorted(_DISPATCH)}") from None
    shape = layer.check_shape(input_shape)
    layer.output_shape(shape)  # a ValueError, naming the shape, if the layer cannot take it
    return f(layer, shape)
