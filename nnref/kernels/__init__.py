"""numba kernels that count every arithmetic operation at the site where it happens.

Conventions every kernel follows:

* counts go into an int64 table with one row per parallel task (columns ``ADD, SUB,
  MUL, DIV, NEG, EXP, SQRT, CMP`` of :mod:`._numba`); a task is a fixed slice of the
  work, never a thread, so counts do not depend on the number of threads;
* inside loops, counts are local integer variables incremented right beside the
  operation (``acc += p; nadd += 1``) and stored into the task's row at the end;
* a helper that does counted arithmetic for its caller (:func:`._gemm.gemm_block`,
  :func:`.activation.sigmoid`, ...) takes the calling task's counter row and adds its
  counts to it, so every kernel returns counts one way: the per-task table;
* no count is ever computed from a formula here. Formulas, whose docstrings state the
  counting rules, live in :mod:`nnref.formulas` and are checked against these kernels.

Each layer family has one module under its own name (``conv.py``, ``pool.py``, ...);
shared machinery has a leading underscore: ``_numba`` (njit options, counter columns),
``_gemm`` (the counted GEMM) and ``_tile`` (its micro-kernel), ``_im2col`` (window
unrolling), ``_taps`` (in-bound tap ranges, zero padding), ``_windows`` (the counted
window reduction of the pools).
Kernels import only :mod:`nnref.core`. Importing a kernel module imports numba, so
:mod:`nnref.layers` imports kernels lazily, inside ``forward``.
"""
