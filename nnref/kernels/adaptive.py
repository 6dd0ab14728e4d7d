"""Counted adaptive max and average pooling: adaptive window tables, then the shared reduction.

Along an axis of ``i`` inputs and ``o`` outputs, window ``j`` is
``[floor(j·i/o), ceil((j+1)·i/o))`` (:func:`nnref.core.shapes.adaptive_windows`);
:func:`._windows.reduce_windows` does the counted arithmetic. Counts:
:mod:`nnref.formulas.adaptive`.
"""
import numpy as np

from ..core.shapes import adaptive_windows
from ._windows import AVG, MAX, reduce_windows


def adaptive_pool(x, out, op):
    """Adaptively pool ``x`` (N, C, D, H, W) into ``out`` (N, C, OD, OH, OW); return the counts.

    ``op`` is "max" or "avg"; the output sizes are ``out``'s.
    """
    tables = [np.array(adaptive_windows(i, o), np.int64).reshape(-1, 4)
              for i, o in zip(x.shape[2:], out.shape[2:], strict=True)]
    return reduce_windows(x, out, *tables, MAX if op == "max" else AVG)
