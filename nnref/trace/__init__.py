"""The step-through: a layer one output element (or one tap) at a time, with the running
counts, as text (:mod:`.render`), pictures (:mod:`.plot` drawing the frames of
:mod:`.frame` with :mod:`.sheet`; needs the ``plot`` extra) and an interactive,
self-contained web page (:mod:`.html`, also what ``steps(...)`` shows in Jupyter).

It walks the window plans of the traced reference (:mod:`nnref.reference`), so it shares
no code with :mod:`nnref.kernels`. The traced reference itself is re-exported here.
"""
from ..reference import reference, references
from ..reference._scalar import Tally, Traced, erf, exp, log, maximum, minimum, sqrt
from .steps import STEP_KINDS, Step, Steps, Tap, steps

__all__ = ["STEP_KINDS", "Step", "Steps", "Tally", "Tap", "Traced", "erf", "exp", "log", "maximum",
           "minimum", "reference", "references", "sqrt", "steps"]
