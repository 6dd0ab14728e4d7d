"""The targets of ``nnref bench`` (benchmarks/run.py): each measures its rows side by side.

A row is a dict: ``what``, ``figure`` and ``reference`` (text), ``ratio`` (a float, or
None), ``target`` (text), ``pass`` (True, False, or None when it could not be measured),
and the raw numbers under ``data``. Ratios are oriented so that higher is better.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

HEADERS = ["what", "figure", "reference", "ratio", "target", "pass"]

#: MobileNetV2's depthwise convolutions (channels, stride, input size), batch 1.
DEPTHWISE = [(32, 1, 112), (96, 2, 112), (144, 1, 56), (144, 2, 56), (192, 1, 28),
             (192, 2, 28), (384, 1, 14), (576, 1, 14), (576, 2, 14), (960, 1, 7)]


#: Seconds each contender runs untimed before each timed call (:func:`interleaved`).
SETTLE = 0.12


def interleaved(fns, repeats: int, settle: float = SETTLE) -> list:
    """Median seconds of each of ``fns``, timed in turn within every repeat.

    Before each timed call, the same function runs untimed for ``settle`` seconds. The
    thread pools of the contender before it keep spinning after a call: OpenBLAS's
    workers for about 2^28 cycles (0.1 s), numba's and torch's OpenMP workers for a
    shorter while. On 2 cores they take the CPU from the next contender's threads:
    measured, a 0.4 ms convolution took 4.5 ms right after a BLAS call, and a BLAS call
    3.5 ms instead of 0.3 right after the convolution. Settling gives every contender
    the machine it would have on its own, alike, while drift still hits them alike.
    """
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, ts in zip(fns, times):
            end = time.perf_counter() + settle
            fn()
            while time.perf_counter() < end:
                fn()
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
    return [statistics.median(ts) for ts in times]


def row(what, figure, reference, ratio, target, ok, **data) -> dict:
    return {"what": what, "figure": figure, "reference": reference, "ratio": ratio,
            "target": target, "pass": ok, "data": data}


def cells(r: dict) -> list:
    ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
    verdict = {True: "pass", False: "FAIL", None: "n/a"}[r["pass"]]
    return [r["what"], r["figure"], r["reference"], ratio, r["target"], verdict]


# -- the machine -------------------------------------------------------------------------

def cpu_model() -> str:
    """The CPU's model name, family, model and clock (from /proc/cpuinfo on Linux): a
    virtual machine may call a Zen 3 and a Zen 4 both "AMD EPYC"."""
    import platform

    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if not key.strip():
                    break  # the first processor's fields
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    if "model name" not in fields:
        return platform.processor() or platform.machine()
    more = [f"{k} {fields[k]}" for k in ("cpu family", "model") if k in fields]
    if "cpu MHz" in fields:
        more.append(f"{float(fields['cpu MHz']):.0f} MHz")
    return fields["model name"] + (f" ({', '.join(more)})" if more else "")


def vector_isa() -> str:
    """The widest x86 vector extension the CPU reports (Linux), e.g. ``avx512f``."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        flags = []
    return next((isa for isa in ("avx512f", "avx2", "avx", "sse4_2") if isa in flags), "unknown")


def machine() -> dict:
    import numba
    from threadpoolctl import threadpool_info

    blas = [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture', '')} "
            f"({i.get('num_threads')} threads)".replace("  ", " ")
            for i in threadpool_info() if i.get("user_api") == "blas"]
    info = {"cpu": cpu_model(), "vector isa": vector_isa(), "cores": os.cpu_count(),
            "blas": "; ".join(blas) or "unknown",
            "numba threads": numba.get_num_threads(), "numpy": np.__version__,
            "numba": numba.__version__, "python": sys.version.split()[0]}
    from nnref.kernels import _tile

    info["gemm tile"] = (f"{_tile.MR_F32}x{_tile.NR_F32} float32, {_tile.MR_F64}x{_tile.NR_F64} "
                         f"float64 ({_tile.VECTOR_BYTES * 8}-bit vectors, "
                         f"{_tile.REGISTERS} registers)")
    try:
        import torch

        info["torch"] = f"{torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:
        info["torch"] = "not installed"
    return info


def describe(m: dict) -> str:
    return "\n".join(f"{k}: {v}" for k, v in m.items())


# -- kernels -----------------------------------------------------------------------------

def conv(quick: bool, repeats: int) -> list:
    """Counted im2col and naive conv against NumPy im2col + BLAS, ResNet-50 shapes."""
    from bench_conv import RESNET50, numpy_conv

    from nnref.layers.conv import Conv2d

    specs = RESNET50[:3] if quick else RESNET50
    rows = []
    for dtype in (np.float32, np.float64):
        total = {"naive": 0.0, "im2col": 0.0, "blas": 0.0}
        flops, shapes = 0, {}
        for name, cin, cout, k, s, p, size in specs:
            x = np.random.default_rng(0).standard_normal((1, cin, size, size)).astype(dtype)
            naive = Conv2d(cin, cout, k, s, p, bias=False, rng=0, algorithm="naive")
            fast = Conv2d(cin, cout, k, s, p, bias=False, rng=0)
            w = fast.weight.astype(dtype)
            t = interleaved([lambda: naive(x), lambda: fast(x), lambda: numpy_conv(x, w, s, p)],
                            repeats)
            for key, v in zip(total, t):
                total[key] += v
            flops += fast(x)[1].flops
            shapes[name] = {"naive/BLAS": t[2] / t[0], "im2col/BLAS": t[2] / t[1]}
        dt = np.dtype(dtype).name
        gf = {k: flops / v / 1e9 for k, v in total.items()}
        worst = min(shapes, key=lambda n: shapes[n]["im2col/BLAS"])
        worst_ratio = shapes[worst]["im2col/BLAS"]
        ratio = total["blas"] / total["im2col"]
        rows.append(row(f"im2col conv, ResNet-50 shapes, {dt}", f"{gf['im2col']:.1f} GFLOP/s",
                        f"BLAS {gf['blas']:.1f} GFLOP/s", ratio,
                        f">= 0.7x; each shape >= 0.4x (worst {worst}: {worst_ratio:.2f}x)",
                        ratio >= 0.7 and worst_ratio >= 0.4, shapes=shapes, gflops=gf))
        ratio = total["blas"] / total["naive"]
        rows.append(row(f"naive conv, ResNet-50 shapes, {dt}", f"{gf['naive']:.1f} GFLOP/s",
                        f"BLAS {gf['blas']:.1f} GFLOP/s", ratio, ">= 0.2x", ratio >= 0.2))
    return rows


def threads(quick: bool, repeats: int) -> list:
    """im2col conv on ResNet-50 shapes with 1 thread and with 2."""
    import numba
    from bench_conv import RESNET50

    from nnref.layers.conv import Conv2d

    if numba.config.NUMBA_NUM_THREADS < 2 or (os.cpu_count() or 1) < 2:
        return [row("thread scaling 1 -> 2, im2col", "-", "-", None, ">= 1.7x", None)]
    calls = []
    for name, cin, cout, k, s, p, size in (RESNET50[:3] if quick else RESNET50):
        x = np.random.default_rng(0).standard_normal((1, cin, size, size)).astype(np.float32)
        calls.append((Conv2d(cin, cout, k, s, p, bias=False, rng=0), x))
    before = numba.get_num_threads()

    def run(n):
        numba.set_num_threads(n)
        for layer, x in calls:
            layer(x)

    try:
        t1, t2 = interleaved([lambda: run(1), lambda: run(2)], repeats)
    finally:
        numba.set_num_threads(before)
    return [row("thread scaling 1 -> 2, im2col, float32", f"{t2 * 1e3:.1f} ms (2 threads)",
                f"{t1 * 1e3:.1f} ms (1 thread)", t1 / t2, ">= 1.7x", t1 / t2 >= 1.7)]


def gemm(quick: bool, repeats: int) -> list:
    """Linear(4096, 4096) on a batch of 256 against BLAS ``x @ W.T + b``."""
    from nnref.layers.dense import Linear

    layer = Linear(4096, 4096, rng=0)
    rows = []
    for dtype in (np.float32, np.float64):
        x = np.random.default_rng(0).standard_normal((64 if quick else 256, 4096)).astype(dtype)
        w, b = layer.weight.astype(dtype), layer.bias.astype(dtype)
        ours, blas = interleaved([lambda: layer(x), lambda: x @ w.T + b], repeats)
        flops = 2 * x.shape[0] * 4096 * 4096
        dt = np.dtype(dtype).name
        rows.append(row(f"GEMM: Linear 4096x4096, batch {x.shape[0]}, {dt}",
                        f"{flops / ours / 1e9:.1f} GFLOP/s", f"BLAS {flops / blas / 1e9:.1f} GFLOP/s",
                        blas / ours, ">= 0.7x", blas / ours >= 0.7))
    return rows


def depthwise(quick: bool, repeats: int) -> list:
    """Conv2d(C, C, 3, groups=C) (routed to the depthwise kernel) against torch's conv2d."""
    try:
        import torch
    except ImportError:
        return [row("depthwise vs torch", "-", "torch not installed", None, ">= 1x", None)]
    from nnref.layers.conv import Conv2d

    rows = []
    for dtype in (np.float32, np.float64):
        ours = theirs = 0.0
        for c, s, size in (DEPTHWISE[:3] if quick else DEPTHWISE):
            layer = Conv2d(c, c, 3, s, 1, groups=c, bias=False, rng=0)
            x = np.random.default_rng(0).standard_normal((1, c, size, size)).astype(dtype)
            xt, wt = torch.from_numpy(x), torch.from_numpy(layer.weight.astype(dtype))
            with torch.no_grad():
                t = interleaved([lambda: layer(x), lambda: torch.nn.functional.conv2d(
                    xt, wt, None, s, 1, 1, c)], repeats)
            ours, theirs = ours + t[0], theirs + t[1]
        dt = np.dtype(dtype).name
        rows.append(row(f"depthwise 3x3, MobileNetV2 shapes, {dt}", f"{ours * 1e3:.2f} ms",
                        f"torch {theirs * 1e3:.2f} ms", theirs / ours, ">= 1x", theirs / ours >= 1))
    return rows


def counter_cost(quick: bool, repeats: int) -> list:
    """The counted GEMMs (tiled, row dot products) against the same source with their
    counter increments deleted: the median over both kernels, ResNet-50's GEMM shapes and
    both dtypes of uncounted / counted time."""
    from bench_counter_cost import SHAPES, compiled, compiled_dots

    ratios, t_counted, t_plain = [], 0.0, 0.0
    for counted, plain in (compiled(), compiled_dots()):
        for dtype in (np.float32, np.float64):
            for m, k, n in (SHAPES[:2] if quick else SHAPES):
                rng = np.random.default_rng(0)
                call = (rng.random((m, k), dtype), rng.random((k, n), dtype))
                tc, tp = interleaved([lambda: counted(*call), lambda: plain(*call)], repeats)
                ratios.append(tp / tc)
                t_counted, t_plain = t_counted + tc, t_plain + tp
    ratio = statistics.median(ratios)
    return [row("counted GEMMs vs the same source uncounted", f"{t_counted * 1e3:.1f} ms",
                f"uncounted {t_plain * 1e3:.1f} ms", ratio,
                f">= 0.95x, median of {len(ratios)} shapes (noise)", ratio >= 0.95,
                ratios=ratios)]


# -- whole models and processes ------------------------------------------------------------

def models(quick: bool, repeats: int) -> list:
    """resnet50 counted against THOP and torch on the twin; mobilenet_v2's GFLOP/s."""
    from nnref.models import zoo

    rows = []
    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    model = zoo.build("resnet50")
    flops = model(x)[1].total.flops
    try:
        import thop
        import torch
        from torch_twins import TWINS, twin_of
    except ImportError as e:
        rows.append(row("resnet50 exact count vs THOP", "-", f"{e.name} not installed", None,
                        "<= 1x THOP", None))
    else:
        twin = twin_of(model, TWINS["resnet50"], dtype=torch.float32)
        xt = torch.from_numpy(x)
        with torch.no_grad():
            ours, t_thop, t_torch = interleaved(
                [lambda: model(x), lambda: thop.profile(twin, inputs=(xt,), verbose=False),
                 lambda: twin(xt)], repeats)
        rows.append(row("resnet50 exact count, float32, warm", f"{ours * 1e3:.0f} ms",
                        f"THOP {t_thop * 1e3:.0f} ms", t_thop / ours, "<= 1x THOP's time",
                        ours <= t_thop, gflops=flops / ours / 1e9))
        rows.append(row("resnet50 exact count vs torch forward (stretch)", f"{ours * 1e3:.0f} ms",
                        f"torch {t_torch * 1e3:.0f} ms", t_torch / ours, "<= 1.5x torch's time",
                        ours <= 1.5 * t_torch))
    model = zoo.build("mobilenet_v2")
    flops = model(x)[1].total.flops
    (t,) = interleaved([lambda: model(x)], repeats)
    rows.append(row("mobilenet_v2 exact count, float32, warm", f"{flops / t / 1e9:.1f} GFLOP/s",
                    f"{t * 1e3:.0f} ms for {flops / 1e9:.2f} GFLOPs", None, ">= 25 GFLOP/s",
                    flops / t / 1e9 >= 25))
    return rows


def _process(argv, env=None) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env)
    return time.perf_counter() - t0


def processes(quick: bool, repeats: int) -> list:
    """``nnref count resnet50`` with a cold numba cache (the median of 3 runs, each with
    a new empty cache) and a warm one; peak RSS of vgg16."""
    rows, colds = [], []
    command = [sys.executable, "-m", "nnref", "count", "resnet50"]
    for _ in range(1 if quick else 3):
        with tempfile.TemporaryDirectory(prefix="nnref-bench-cache-") as cache:
            env = dict(os.environ, NUMBA_CACHE_DIR=cache)
            colds.append(_process(command, env))
            if len(colds) == 1:  # the warm runs reuse the first cache
                warm = statistics.median(_process(command, env) for _ in range(1 if quick else 3))
    cold = statistics.median(colds)
    rows.append(row("nnref count resnet50, cold numba cache", f"{cold:.1f} s",
                    f"median of {len(colds)}: {min(colds):.1f}-{max(colds):.1f} s", None,
                    "<= 20 s", cold <= 20))
    rows.append(row("nnref count resnet50, warm cache", f"{warm:.2f} s", "-", None, "<= 2 s",
                    warm <= 2))
    probe = ("import resource, subprocess, sys; subprocess.run([sys.executable, '-m', 'nnref', "
             "'count', 'vgg16'], check=True, stdout=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    kib = int(subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                             text=True).stdout.split()[-1])
    rows.append(row("peak RSS of nnref count vgg16", f"{kib / 2**20:.2f} GiB",
                    "138 M float32 weights: 0.52 GiB", None, "<= 1 GiB", kib <= 2**20))
    return rows


def transformers(quick: bool, repeats: int) -> list:
    """vit_b_16 (through from_torch) per FLOP against resnet50, in the same run (issue 9)."""
    from nnref.models import zoo

    try:
        from nnref.bridges import zoo as torch_zoo
        vit = torch_zoo.build("vit_b_16")
    except ImportError as e:
        return [row("vit_b_16 exact count per FLOP vs resnet50", "-", f"{e.name} not installed",
                    None, "<= 3x resnet50's time per FLOP", None)]
    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    resnet = zoo.build("resnet50")
    f_vit, f_res = vit(x)[1].total.flops, resnet(x)[1].total.flops
    t_vit, t_res = interleaved([lambda: vit(x), lambda: resnet(x)], repeats)
    slower = (t_vit / f_vit) / (t_res / f_res)
    return [row("vit_b_16 exact count per FLOP vs resnet50", f"{f_vit / t_vit / 1e9:.1f} GFLOP/s",
                f"resnet50 {f_res / t_res / 1e9:.1f} GFLOP/s", 1 / slower,
                "<= 3x resnet50's time per FLOP", slower <= 3)]


IMPORT_PROBE = ("import time; t0 = time.perf_counter(); import numpy; t1 = time.perf_counter(); "
                "import nnref, sys; t2 = time.perf_counter(); "
                "print(t1 - t0, t2 - t1, 'numba' in sys.modules)")


def imports(quick: bool, repeats: int) -> list:
    """``import nnref`` in fresh processes, after a bare ``import numpy``."""
    runs = []
    for _ in range(3 if quick else 9):
        out = subprocess.run([sys.executable, "-c", IMPORT_PROBE], check=True,
                             capture_output=True, text=True).stdout.split()
        runs.append((float(out[0]), float(out[1]), out[2] == "True"))
    numpy_s = statistics.median(r[0] for r in runs)
    nnref_s = statistics.median(r[1] for r in runs)
    numba = any(r[2] for r in runs)
    return [row("import nnref, over a bare import numpy", f"{nnref_s:.3f} s",
                f"numpy {numpy_s:.3f} s", None, "<= 0.15 s, numba not imported",
                nnref_s <= 0.15 and not numba)]


@dataclass(frozen=True)
class Target:
    group: str
    run: Callable
    weight: int = 1


TARGETS = (Target("conv", conv, 4), Target("gemm", gemm), Target("depthwise", depthwise),
           Target("models", models, 2), Target("threads", threads), Target("counters", counter_cost),
           Target("processes", processes, 4), Target("import", imports),
           Target("transformers", transformers, 2))
