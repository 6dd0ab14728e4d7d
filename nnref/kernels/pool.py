"""Counted max and average pooling: per-axis window tables, then the shared reduction.

Along each axis, window ``j`` reads the in-bound taps ``j·s − p + m·d`` of
:func:`nnref.core.shapes.pool_windows`; :func:`._windows.reduce_windows` does the
counted arithmetic. Counts: :func:`nnref.formulas.pool.max_pool`,
:func:`~nnref.formulas.pool.avg_pool`.
"""
import numpy as np

from ..core.shapes import pool_windows
from ._windows import AVG, MAX, reduce_windows


def pool(x, out, kernel_size, stride, padding, dilation, count_include_pad, op):
    """Pool ``x`` (N, C, D, H, W) into ``out`` (N, C, OD, OH, OW); return the counter table.

    Per-axis arguments are 3-tuples; ``op`` is "max" or "avg". ``count_include_pad``
    sets the average's divisor (torch's rule); it changes no count.
    """
    tables = [np.array(pool_windows(i, k, s, p, d, o, count_include_pad), np.int64).reshape(-1, 4)
              for i, k, s, p, d, o in zip(x.shape[2:], kernel_size, stride, padding, dilation,
                                          out.shape[2:], strict=True)]
    return reduce_windows(x, out, *tables, MAX if op == "max" else AVG)
