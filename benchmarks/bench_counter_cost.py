"""What counting costs: the counted tiled GEMM against the same source with its counter
increments deleted, compiled with the same numba options, timed side by side.

    python benchmarks/bench_counter_cost.py [--repeats 15]

Both are compiled here from the source of :mod:`nnref.kernels._gemm` (the micro-kernel
``tile``, ``gemm_task`` and ``gemm_tiled``); the uncounted one drops every
``nmul += 1`` / ``nadd += 1`` line and the two lines that add them to the task's
counter row. Medians of ``--repeats`` interleaved runs, float32 and float64.
"""
from __future__ import annotations

import argparse
import inspect
import os
import re
import statistics
import sys
import time

import numba
import numpy as np
from tabulate import tabulate

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # this checkout's nnref

from nnref.kernels import _gemm as gemm, _numba

SHAPES = [(64, 576, 3136), (64, 64, 3136), (256, 2304, 196), (512, 4608, 49)]  # ResNet-50 GEMMs
#: The functions of the tiled GEMM, in call order from the bottom, with their njit options.
CORE = {"tile": {"inline": "always"}, "gemm_task": {}, "gemm_tiled": {"parallel": True}}
COUNTER_LINE = re.compile(r"\s*(n(mul|add) \+= 1|row\[(MUL|ADD)\] \+= n(mul|add))")


def build(counted: bool):
    """``gemm_tiled`` compiled from its source (and that of its callees), with or without
    the counter lines."""
    namespace = dict(vars(gemm))
    for name, options in CORE.items():
        src = inspect.getsource(getattr(gemm, name).py_func).splitlines()
        src = [line for line in src if not line.startswith("@")
               and (counted or not COUNTER_LINE.fullmatch(line))]
        exec("\n".join(src), namespace)  # noqa: S102 - our own source, minus counter lines
        namespace[name] = numba.njit(fastmath=set(_numba.SAFE_FASTMATH), nogil=True,
                                     **options)(namespace[name])
    return namespace["gemm_tiled"]


def compiled():
    """``(counted, uncounted)``: functions of ``(a, b)`` that fill a new ``a·b``."""
    def caller(kernel):
        def call(a, b):
            (m, k), n = a.shape, b.shape[1]
            out = np.empty((m, n), a.dtype)
            kb = max(1, gemm.PANEL_BYTES // (gemm.NR * a.itemsize))
            ap, bp = gemm.pack(a, False, m, k, gemm.MR, kb), gemm.pack(b, True, n, k, gemm.NR, kb)
            return kernel(ap, bp, k, kb, np.zeros(0, a.dtype), gemm.BIAS_NONE, out, 0, False, m, n,
                          gemm.task_size(m, gemm.MR, gemm.MC), gemm.task_size(n, gemm.NR, gemm.NC))
        return call
    return caller(build(True)), caller(build(False))


def interleaved_ms(fns, args, repeats):
    """Median milliseconds of each of ``fns``, timed in turn within every repeat."""
    for fn in fns:
        fn(*args)
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, ts in zip(fns, times):
            t0 = time.perf_counter()
            fn(*args)
            ts.append(time.perf_counter() - t0)
    return [1e3 * statistics.median(ts) for ts in times]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=15)
    args = p.parse_args(argv)
    counted, plain = compiled()
    rows = []
    for dtype in (np.float32, np.float64):
        for m, k, n in SHAPES:
            rng = np.random.default_rng(0)
            call = (rng.random((m, k), dtype), rng.random((k, n), dtype))
            t_counted, t_plain = interleaved_ms((counted, plain), call, args.repeats)
            rows.append([dtype.__name__, f"{m}x{k}x{n}", f"{t_plain:.2f}", f"{t_counted:.2f}",
                         f"{t_counted / t_plain:.3f}"])
    print(f"numba threads: {numba.get_num_threads()}")
    print(tabulate(rows, headers=["dtype", "MxKxN", "uncounted ms", "counted ms", "counted/uncounted"],
                   disable_numparse=True))


if __name__ == "__main__":
    main()
