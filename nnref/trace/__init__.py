"""The step-through: a layer one output element (or one tap) at a time, with the running
counts, as text (:mod:`.render`) and pictures (:mod:`.plot`, needs the ``plot`` extra).

It walks the window plans of the traced reference (:mod:`nnref.reference`), so it shares
no code with :mod:`nnref.kernels`. The traced reference itself is re-exported here.
"""
from ..reference import reference, references
from ..reference._scalar import Tally, Traced, erf, exp, log, maximum, minimum, sqrt
from .steps import STEP_KINDS, Step, Tap, steps

__all__ = ["STEP_KINDS", "Step", "Tally", "Tap", "Traced", "erf", "exp", "log", "maximum", "minimum",
           "reference", "references", "sqrt", "steps"]
