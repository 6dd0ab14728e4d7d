"""The plain-Python traced reference: every layer recomputed one Traced scalar at a time.

It shares no code with the kernels, nor with :mod:`nnref.core.shapes`: it is the
second, independent mechanism whose counts must equal the kernels' and the closed
forms. Each family module (``conv.py``, ``softmax.py``, ...) registers its reference with
``@traced(...)``, or its window plan with ``@windowed(...)``; :func:`reference` is the
one lookup. Shared machinery: :mod:`._scalar` (the traced float) and :mod:`._windows`
(window plans, also walked by the step-through). Slow by design: use tiny shapes.

    >>> import numpy as np
    >>> from nnref.layers.activation import Sigmoid
    >>> y, ops = reference(Sigmoid(), np.zeros(3))
    >>> ops.exp
    3
"""
from __future__ import annotations

from ..core.registry import import_families
from ._registry import PLANS, REFERENCES

FAMILIES = import_families(__name__, __path__)
REFERENCES.freeze()
PLANS.freeze()

__all__ = ["FAMILIES", "PLANS", "REFERENCES", "reference", "references"]


def references() -> dict:
    """Every traced reference by layer class name."""
    return {name: REFERENCES[name] for name in REFERENCES.names()}


def reference(layer, x):
    """The traced ``(y, ops)`` of ``layer`` on ``x``; for Add, ``x`` is the pair ``(a, b)``.

    Parameters
    ----------
    layer : Layer
        Any nnref layer (a subclass resolves as its nnref base class).
    x : ndarray of shape (N, ...), or a tuple of ``layer.operands`` such arrays
        float32 or float64 input; the output has its dtype.

    Returns
    -------
    y : ndarray
        The layer's output, computed in plain Python.
    ops : OpCounts
        Every operation the computation executed, recorded one scalar at a time.
    """
    return REFERENCES.resolve(layer, "reference")(layer, x)
