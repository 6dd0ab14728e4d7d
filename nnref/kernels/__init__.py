"""numba kernels that count every arithmetic operation at the site where it happens.

Conventions every kernel follows:

* counts go into an int64 table with one row per parallel task (columns ``ADD, SUB,
  MUL, DIV, NEG, EXP, SQRT, CMP`` of :mod:`._numba`); a task is a fixed slice of the
  work, never a thread, so counts do not depend on the number of threads;
* inside loops, counts are local integer variables incremented right beside the
  operation (``acc += p; nadd += 1``) and stored into the task's row at the end;
* no count is ever computed from a formula here. Formulas live in
  :mod:`nnref.counting.formulas` and are checked against these kernels.

Importing a kernel module imports numba, so :mod:`nnref.layers` imports kernels lazily,
inside ``forward``.
"""
