"""What counting costs: the counted GEMM core against the same source with its counter
increments deleted, compiled with the same numba options, timed side by side.

    python benchmarks/bench_counter_cost.py [--repeats 7]

Single-threaded (the serial core ``gemm_block``), medians of ``--repeats`` interleaved runs.
"""
from __future__ import annotations

import argparse
import inspect
import re
import time

import numba
import numpy as np
from tabulate import tabulate

from nnref.kernels import _gemm as gemm, _numba

SHAPES = [(64, 576, 3136), (64, 64, 3136), (256, 2304, 196), (512, 4608, 49)]  # ResNet-50 GEMMs


def uncounted_core():
    """``gemm_block`` recompiled without its ``nmul += 1`` / ``nadd += 1`` lines (and the
    two lines that add them to the task's counter row)."""
    src = inspect.getsource(gemm.gemm_block.py_func)
    src = "\n".join(line for line in src.splitlines()
                    if not re.fullmatch(r"\s*(n(mul|add) \+= 1|row\[(MUL|ADD)\] \+= n(mul|add))", line)
                    and not line.startswith("@"))
    namespace = {}
    exec(src, vars(gemm), namespace)  # noqa: S102 - our own source, minus counter lines
    return numba.njit(fastmath=set(_numba.SAFE_FASTMATH))(namespace["gemm_block"])


def interleaved_ms(fns, args, repeats):
    """Median milliseconds of each of ``fns``, timed in turn within every repeat (so drift
    on a shared machine hits all of them alike)."""
    for fn in fns:
        fn(*args)
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, ts in zip(fns, times):
            t0 = time.perf_counter()
            fn(*args)
            ts.append(time.perf_counter() - t0)
    return [1e3 * float(np.median(ts)) for ts in times]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=15)
    args = p.parse_args(argv)
    counted = numba.njit(fastmath=set(_numba.SAFE_FASTMATH))(gemm.gemm_block.py_func)
    plain = uncounted_core()
    rows = []
    for dtype in (np.float32, np.float64):
        for m, k, n in SHAPES:
            rng = np.random.default_rng(0)
            a, b = rng.random((m, k), dtype), rng.random((n, k), dtype)
            out, bias = np.empty((m, n), dtype), np.zeros(0, dtype)
            row = np.zeros(_numba.NKINDS, np.int64)
            call = (a, b, bias, gemm.BIAS_NONE, out, 0, m, 0, n, row)
            t_counted, t_plain = interleaved_ms((counted, plain), call, args.repeats)
            rows.append([dtype.__name__, f"{m}x{k}x{n}", f"{t_plain:.2f}", f"{t_counted:.2f}",
                         f"{t_counted / t_plain:.3f}"])
    print(tabulate(rows, headers=["dtype", "MxKxN", "uncounted ms", "counted ms", "counted/uncounted"],
                   disable_numparse=True))


if __name__ == "__main__":
    main()
