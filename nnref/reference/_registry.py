"""The traced references' registries and the decorators that fill them.

* ``@traced("Softmax")`` on ``f(layer, x) -> (y, OpCounts)`` registers a reference. The
  registered function first checks ``x`` (one float array, or a tuple of
  ``layer.operands`` arrays for a layer such as Add, ``()`` for a Parameter) and that the layer accepts its
  shape (the layer's own ``output_shape``), then calls ``f``.
* ``@windowed("Conv1d", ...)`` on ``f(layer, x) -> Plan`` registers a window plan
  (:mod:`._windows`), which the step-through walks, and as the reference the plan run
  one window at a time.

:mod:`nnref.reference` freezes both tables once every family module is imported.
"""
from __future__ import annotations

from functools import wraps

import numpy as np

from ..core.registry import Registry
from ..core.validate import check_array

REFERENCES = Registry("traced references")
PLANS = Registry("window plans")


def checked_input(layer, x):
    """``x`` checked for ``layer``: one array, or a tuple of ``layer.operands`` arrays (or
    of another of ``layer.operand_counts``: one array is MultiheadAttention's
    self-attention)."""
    n = getattr(layer, "operands", 1)
    if n == 0:  # a Parameter: x is the empty tuple of operands
        if not isinstance(x, tuple) or x:
            raise TypeError(f"{layer.kind}: x={x!r:.60} is invalid; expected () (it takes no "
                            "input)")
        layer.output_shape(())
        return x
    counts = getattr(layer, "operand_counts", (n,))
    if n > 1 and not (1 in counts and isinstance(x, np.ndarray)):
        if not isinstance(x, tuple) or len(x) not in counts:
            raise TypeError(f"{layer.kind}: x of type {type(x).__name__} is invalid; expected a "
                            f"tuple of {n} arrays")
        xs = tuple(check_array(a, layer.kind, f"x[{i}]") for i, a in enumerate(x))
        layer.output_shape(tuple(a.shape for a in xs) if len(xs) > 1 else xs[0].shape)
        return xs
    if isinstance(x, tuple):
        raise TypeError(f"{layer.kind}: x of type tuple is invalid; expected one array")
    x = layer.check_input(x)  # a float array, or what the layer takes (Embedding: indices)
    layer.output_shape(x.shape)  # a ValueError naming the shape if the layer cannot take it
    return x


def traced(*names: str):
    """Register the decorated ``f(layer, x) -> (y, ops)`` as the reference of ``names``."""

    def register(f):
        @wraps(f)
        def reference(layer, x):
            return f(layer, checked_input(layer, x))

        return REFERENCES.register(*names, entry=reference)

    return register


def windowed(*names: str):
    """Register the decorated ``f(layer, x) -> Plan`` as the window plan of ``names``; its
    reference runs the plan (:func:`._windows.run`)."""

    def register(f):
        from ._windows import run

        PLANS.register(*names, entry=f)

        @wraps(f)
        def reference(layer, x):
            return run(f(layer, x), x)

        traced(*names)(reference)
        return f

    return register
