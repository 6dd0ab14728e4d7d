"""What counting costs: the counted GEMMs against the same source with their counter
increments deleted, compiled with the same numba options, timed side by side.

    python benchmarks/bench_counter_cost.py [--repeats 15]

Both are compiled here from the source of :mod:`nnref.kernels._gemm` (the micro-kernel of
:mod:`nnref.kernels._tile`, ``products``, ``store`` and ``block``; then ``gemm_task`` and
``gemm_tiled``) and of :mod:`nnref.kernels._dots` (``dots4``, ``dot1``, ``gemm_dots``); the
uncounted ones drop every ``nmul += …`` / ``nadd += …`` line and the lines that store
them in the task's counter row. Medians of ``--repeats`` interleaved runs, float32 and
float64.
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

from nnref.kernels import _dots as dots, _gemm as gemm, _numba, _tile as tile

SHAPES = [(64, 576, 3136), (64, 64, 3136), (256, 2304, 196), (512, 4608, 49)]  # ResNet-50 GEMMs
#: The functions of the tiled GEMM, in call order from the bottom: module, njit options.
CORE = {"products": (tile, {"inline": "always"}), "store": (tile, {"inline": "always"}),
        "block": (tile, {"inline": "always"}), "gemm_task": (gemm, {}),
        "gemm_tiled": (gemm, {"parallel": True})}
DOTS = {"dots4": (dots, {}), "dot1": (dots, {"inline": "always"}),
        "gemm_dots": (dots, {"parallel": True})}
COUNTER_LINE = re.compile(r"\s*(n(mul|add) \+= (1|16|m|s)|row\[(MUL|ADD)\] \+= n(mul|add)"
                          r"|counts\[t, (MUL|ADD)\] = n(mul|add))")


def build(counted: bool, core=None):
    """The last function of ``core`` (default :data:`CORE`) compiled from its source (and
    that of its callees), with or without the counter lines."""
    core = core or CORE
    namespace = {}
    for module, _ in core.values():  # the globals of the modules that define them
        namespace.update(vars(module))
    for name, (module, options) in core.items():
        src = inspect.getsource(getattr(module, name).py_func).splitlines()
        src = [line for line in src if not line.startswith("@")
               and (counted or not COUNTER_LINE.fullmatch(line))]
        exec("\n".join(src), namespace)  # noqa: S102 - our own source, minus counter lines
        namespace[name] = numba.njit(fastmath=set(_numba.SAFE_FASTMATH), nogil=True,
                                     **options)(namespace[name])
    return namespace[name]


def compiled():
    """``(counted, uncounted)``: functions of ``(a, b)`` that fill a new ``a·b``."""
    def caller(kernel):
        def call(a, b):
            (m, k), n = a.shape, b.shape[1]
            out = np.empty((m, n), a.dtype)
            kb = gemm.block_depth(a.itemsize)
            # a's rows as they are, b packed
            bp = gemm.pack(b, True, n, k, gemm.tile_cols(a.itemsize), kb)
            ri, kk = np.arange(m, dtype=np.uint64) * np.uint64(k), np.arange(k, dtype=np.uint64)
            return kernel(a.reshape(-1), ri, kk, bp, 0, k, kb, np.zeros(0, a.dtype),
                          gemm.BIAS_NONE, out, 0, False, m, n,
                          *gemm.task_grid(m, n, a.itemsize))
        return call
    return caller(build(True)), caller(build(False))


def compiled_dots():
    """``(counted, uncounted)`` of the row dot products: functions of ``(a, b)``, ``b``
    (K, N) given as the transpose of the (N, K) rows they read."""
    def caller(kernel):
        def call(a, b):
            bt = np.ascontiguousarray(b.T)
            out = np.empty((a.shape[0], bt.shape[0]), a.dtype)
            return kernel(a, bt, np.zeros(0, a.dtype), gemm.BIAS_NONE, out, 0,
                          dots.CHUNK_BYTES // a.itemsize, dots.task_size(a.shape[0], 4, dots.TASK),
                          dots.task_size(bt.shape[0], 4, dots.TASK))
        return call
    return caller(build(True, DOTS)), caller(build(False, DOTS))


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
    rows = []
    for kernel, (counted, plain) in (("tiled", compiled()), ("dots", compiled_dots())):
        for dtype in (np.float32, np.float64):
            for m, k, n in SHAPES:
                rng = np.random.default_rng(0)
                call = (rng.random((m, k), dtype), rng.random((k, n), dtype))
                t_counted, t_plain = interleaved_ms((counted, plain), call, args.repeats)
                rows.append([kernel, dtype.__name__, f"{m}x{k}x{n}", f"{t_plain:.2f}",
                             f"{t_counted:.2f}", f"{t_counted / t_plain:.3f}"])
    print(f"numba threads: {numba.get_num_threads()}")
    print(tabulate(rows, headers=["kernel", "dtype", "MxKxN", "uncounted ms", "counted ms", "counted/uncounted"],
                   disable_numparse=True))


if __name__ == "__main__":
    main()
