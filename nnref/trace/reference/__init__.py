"""The plain-Python traced reference: every layer recomputed one Traced scalar at a time.

It shares no code with the kernels (nor with :mod:`nnref.shapes`): it is the second,
independent mechanism whose counts must equal the kernels' and the closed forms.
Each family module exports ``REFERENCES = {"ClassName": f(layer, x) -> (y, OpCounts)}``;
:func:`reference` dispatches on them. Slow by design: use tiny shapes.

    >>> import numpy as np
    >>> from nnref.layers.activation import Sigmoid
    >>> y, ops = reference(Sigmoid(), np.zeros(3))
    >>> ops.exp
    3
"""
from __future__ import annotations

from importlib import import_module

from ...layers.validate import check_array

#: Modules exporting REFERENCES, relative to :mod:`nnref.trace`.
_MODULES = (".reference.activation", ".reference.softmax", ".reference.norm",
            ".reference.adaptive", ".reference.misc", ".windows", ".reference.recurrent")
#: Layers called with two arrays, ``layer(a, b)``.
_TWO_INPUTS = frozenset({"Add"})


def references() -> dict:
    """Every traced reference by layer class name."""
    table = {}
    for name in _MODULES:
        table.update(import_module(name, "nnref.trace").REFERENCES)
    return table


def reference(layer, x):
    """The traced ``(y, ops)`` of ``layer`` on ``x``; for Add, ``x`` is the pair ``(a, b)``.

    Parameters
    ----------
    layer : Layer
        Any nnref layer with a traced reference.
    x : ndarray of shape (N, ...), or a tuple of two such arrays for Add
        float32 or float64 input; the output has its dtype.

    Returns
    -------
    y : ndarray
        The layer's output, computed in plain Python.
    ops : OpCounts
        Every operation the computation executed, recorded one scalar at a time.
    """
    table = references()
    name = next((c.__name__ for c in type(layer).__mro__ if c.__name__ in table), None)
    if name is None:
        raise TypeError(f"layer={layer!r} is invalid; expected one of {sorted(table)}")
    pair = name in _TWO_INPUTS
    if isinstance(x, tuple) != pair or (pair and len(x) != 2):
        want = "a pair (a, b) of arrays" if pair else "one array"
        raise TypeError(f"{layer.kind}: x of type {type(x).__name__} is invalid; expected {want}")
    if pair:
        xs = tuple(check_array(a, layer.kind, n) for a, n in zip(x, "ab", strict=True))
        layer.output_shape(xs[0].shape)
        return table[name](layer, xs)
    x = check_array(x, layer.kind)
    layer.output_shape(x.shape)  # a ValueError naming the shape if the layer cannot take it
    return table[name](layer, x)
