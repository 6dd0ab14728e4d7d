"""Closed-form operation counts for every layer, checked against the kernels in tests.

Each family lives in its own module and exports ``FOR_LAYER``, a mapping from layer
class name to ``f(layer, input_shape) -> OpCounts``. :func:`for_layer` dispatches on it.
"""
from types import MappingProxyType

from . import activation, adaptive, conv, dense, misc, norm, pool, recurrent, softmax
from ._args import kind_of

_FAMILIES = (activation, recurrent, adaptive, dense, misc, norm, pool, softmax, conv)

_DISPATCH = MappingProxyType({k: f for m in _FAMILIES for k, f in m.FOR_LAYER.items()})


def for_layer(layer, input_shape):
    """The closed-form :class:`~nnref.OpCounts` of ``layer`` applied to ``input_shape``.

    ``layer`` is any nnref layer (a subclass dispatches as its nnref base class); a bad
    layer is a TypeError, a shape it cannot take a ValueError naming the shape.
    """
    return _DISPATCH[kind_of(layer, _DISPATCH, "for_layer")](layer, input_shape)
