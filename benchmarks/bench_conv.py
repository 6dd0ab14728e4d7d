"""Speed of the counted convolutions against an uncounted NumPy im2col + BLAS matmul.

For each of ResNet-50's conv shapes (batch 1) and each dtype, prints GFLOP/s of

* the counted naive (direct) convolution,
* the counted im2col convolution (im2col + counted GEMM),
* an uncounted NumPy im2col + ``@`` (BLAS),

with the ratios to BLAS. GFLOP/s is nnref's exact count over the median wall time of
``--repeats`` runs after a warm-up (which also compiles the kernels). Thread counts
follow the environment: set ``NUMBA_NUM_THREADS`` and ``OPENBLAS_NUM_THREADS`` (or
``OMP_NUM_THREADS``) to compare at a fixed count.

    python benchmarks/bench_conv.py [--repeats 5] [--dtype float32 float64] [--quick]
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np
from tabulate import tabulate
from tqdm import tqdm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # this checkout's nnref

from nnref.layers.conv import Conv2d

#: (name, in, out, kernel, stride, padding, input size), ResNet-50 (torchvision v1.5).
RESNET50 = [
    ("conv1 7x7/2", 3, 64, 7, 2, 3, 224),
    ("layer1 1x1", 64, 64, 1, 1, 0, 56),
    ("layer1 3x3", 64, 64, 3, 1, 1, 56),
    ("layer1 1x1 up", 64, 256, 1, 1, 0, 56),
    ("layer2 3x3/2", 128, 128, 3, 2, 1, 56),
    ("layer3 3x3", 256, 256, 3, 1, 1, 14),
    ("layer4 3x3", 512, 512, 3, 1, 1, 7),
    ("layer4 1x1 down", 2048, 512, 1, 1, 0, 7),
]


def numpy_conv(x, w, stride, padding):
    """Uncounted reference: im2col with NumPy views, then a BLAS matmul."""
    n, c, _, _ = x.shape
    co, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    ho, wo = win.shape[2:4]
    cols = win.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * k * k, ho * wo)  # copies
    return (w.reshape(co, -1) @ cols).reshape(n, co, ho, wo)


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up (and compilation)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def bench(spec, dtype, repeats: int) -> dict:
    name, cin, cout, k, s, p, size = spec
    x = np.random.default_rng(0).standard_normal((1, cin, size, size)).astype(dtype)
    layer = Conv2d(cin, cout, k, s, p, bias=False, rng=0)
    w = layer.weight.astype(dtype)
    flops = layer(x)[1].flops
    row = {"layer": name, "dtype": np.dtype(dtype).name, "MFLOPs": flops / 1e6}
    gflops = {}
    for algorithm in ("naive", "im2col"):
        layer.algorithm = algorithm
        gflops[algorithm] = flops / median_time(lambda: layer(x), repeats) / 1e9
    gflops["blas"] = flops / median_time(lambda: numpy_conv(x, w, s, p), repeats) / 1e9
    for key in ("naive", "im2col", "blas"):
        row[f"{key} GFLOP/s"] = gflops[key]
    row["naive/BLAS"] = gflops["naive"] / gflops["blas"]
    row["im2col/BLAS"] = gflops["im2col"] / gflops["blas"]
    return row


def machine() -> str:
    """The CPU model and the BLAS that NumPy ran (threadpoolctl, if installed)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        from threadpoolctl import threadpool_info

        blas = "; ".join(f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, "
                         f"{i.get('num_threads')} threads)" for i in threadpool_info()
                         if i.get("user_api") == "blas") or "unknown"
    except ImportError:
        blas = "unknown (pip install threadpoolctl)"
    return f"CPU: {cpu}; BLAS: {blas}"


def print_table(rows) -> None:
    """The machine, the thread counts and the table of ``rows``."""
    import numba

    print(machine())
    print(f"numba threads: {numba.get_num_threads()}; BLAS threads: "
          f"{os.environ.get('OPENBLAS_NUM_THREADS', os.environ.get('OMP_NUM_THREADS', 'default'))}")
    print(tabulate(rows, headers="keys", floatfmt=".2f"))


def totals(rows, dtypes, methods, baseline: str, name: str) -> list:
    """Per dtype, one row of every method's overall speed (total FLOPs over total time)
    and its ratio to ``baseline`` (shown as ``name``)."""
    out = []
    for dt in dtypes:
        sub = [r for r in rows if r["dtype"] == dt]
        total = sum(r["MFLOPs"] for r in sub)
        speed = {k: total / sum(r["MFLOPs"] / r[f"{k} GFLOP/s"] for r in sub)
                 for k in (*methods, baseline)}
        out.append({"layer": "all (total time)", "dtype": dt, "MFLOPs": total,
                    **{f"{k} GFLOP/s": v for k, v in speed.items()},
                    **{f"{k}/{name}": speed[k] / speed[baseline] for k in methods}})
    return out


def sweep(argv, doc: str, shapes, bench, methods, baseline: str, name: str) -> None:
    """The command line of a shape sweep: parse ``argv``, run ``bench(spec, dtype, repeats)``
    on every shape and dtype, add :func:`totals`, print the table."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per measurement (median)")
    ap.add_argument("--dtype", nargs="+", default=["float32", "float64"],
                    choices=["float32", "float64"])
    ap.add_argument("--quick", action="store_true", help="only the first three shapes")
    args = ap.parse_args(argv)
    specs = shapes[:3] if args.quick else shapes
    jobs = [(spec, dt) for dt in args.dtype for spec in specs]
    rows = [bench(spec, np.dtype(dt).type, args.repeats) for spec, dt in tqdm(jobs, desc=name)]
    print_table(rows + totals(rows, args.dtype, methods, baseline, name))


def main(argv=None):
    sweep(argv, __doc__, RESNET50, bench, ("naive", "im2col"), "blas", "BLAS")


if __name__ == "__main__":
    main()
