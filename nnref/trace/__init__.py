"""The plain-Python traced reference and the step-through.

* :mod:`.scalar`: ``Traced`` floats that record each operation into a ``Tally``;
* :func:`reference`: any layer run over traced scalars, ``(y, OpCounts)``;
* :func:`steps`: a convolution, pool or dense layer, one output element at a time;
* :mod:`.render` (text) and :mod:`.plot` (PNG / GIF, needs the ``plot`` extra).

Slow by design: for tiny shapes. It shares no code with :mod:`nnref.kernels`.
"""
from .reference import reference, references
from .scalar import Tally, Traced, exp, maximum, minimum, sqrt
from .steps import Step, Tap, steps

__all__ = ["Step", "Tally", "Tap", "Traced", "exp", "maximum", "minimum", "reference",
           "references", "sqrt", "steps"]
