"""Closed-form operation counts for every layer, checked against the kernels in tests.

Each family module (``conv.py``, ``pool.py``, ...) offers the closed form in numbers,
named after what it counts (``conv(...)``, ``max_pool(...)``), and beside it the layer
adapter under the same name with ``_layer`` (``conv_layer(layer, input_shape)``),
registered for its classes with ``@formula(...)``. :func:`for_layer` is the one lookup.
Formulas import only :mod:`nnref.core`; they never run a kernel.

The docstrings of each family module state its counting rules in full, the one place
in the code where they are written; layers, kernels, the traced reference and the
tools' conventions link to them.
"""
from ..core.registry import import_families
from ._registry import FORMULAS

FAMILIES = import_families(__name__, __path__)
FORMULAS.freeze()

__all__ = ["FAMILIES", "FORMULAS", "for_layer", *(m.__name__.rsplit(".", 1)[-1] for m in FAMILIES)]


def for_layer(layer, input_shape):
    """The closed-form :class:`~nnref.OpCounts` of ``layer`` applied to ``input_shape``.

    ``layer`` is any nnref layer (a subclass resolves as its nnref base class); a bad
    layer is a TypeError, a shape it cannot take a ValueError naming the shape.
    """
    return FORMULAS.resolve(layer, "for_layer")(layer, input_shape)
