"""Whole models: nnref's counted forward pass beside torch and the FLOP-counting peers.

For each zoo model (batch 1, float32, its default input) prints, side by side in one run:

* nnref counted forward (every operation executed and counted), and GFLOP/s;
* nnref closed forms only (``plan`` + ``formulas.for_layer``: no arithmetic run);
* torch's uncounted forward of the hand-written twin (tests/torch_twins.py), if torch
  is installed, and the ratio nnref / torch;
* torch's FlopCounterMode around that forward, and THOP / ptflops / fvcore profiling
  the twin, for those of them that are installed.

Times are medians of ``--repeats`` runs after a warm-up (which compiles the kernels).
Thread counts follow the environment (NUMBA_NUM_THREADS, OMP_NUM_THREADS).

    python benchmarks/bench_models.py [--repeats 5] [--models alexnet resnet50 seed_crnn]
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time

import numpy as np
from tabulate import tabulate

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # this checkout's nnref

from nnref import OpCounts, formulas
from nnref.models import zoo

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up: compiles kernels, fills caches
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def peers(name, model, x, repeats):
    """Times of torch and of the installed counters on the twin of ``model``; {} without torch."""
    if importlib.util.find_spec("torch") is None:
        return {}
    import torch
    from torch_twins import TWINS, twin_of

    if name not in TWINS:
        return {}
    twin = twin_of(model, TWINS[name], dtype=torch.float32)
    xt = torch.from_numpy(x)
    out = {}
    with torch.no_grad():
        out["torch"] = median_time(lambda: twin(xt), repeats)
        from torch.utils.flop_counter import FlopCounterMode

        def flop_counter():
            with FlopCounterMode(display=False):
                twin(xt)

        out["torch FlopCounterMode"] = median_time(flop_counter, repeats)
        if importlib.util.find_spec("thop"):
            import thop

            out["THOP"] = median_time(lambda: thop.profile(twin, inputs=(xt,), verbose=False), repeats)
        if importlib.util.find_spec("ptflops"):
            from ptflops import get_model_complexity_info

            shape = tuple(x.shape[1:])
            out["ptflops"] = median_time(lambda: get_model_complexity_info(
                twin, shape, print_per_layer_stat=False, as_strings=False), repeats)
        if importlib.util.find_spec("fvcore"):
            from fvcore.nn import FlopCountAnalysis

            out["fvcore"] = median_time(lambda: FlopCountAnalysis(twin, xt).total(), repeats)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--models", nargs="+", default=["alexnet", "resnet50", "mobilenet_v2", "seed_crnn"],
                   choices=zoo.names())
    args = p.parse_args(argv)

    rows = []
    for name in args.models:
        model = zoo.build(name)
        shape = zoo.input_shape(name)
        x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        flops = model(x)[1].total.flops
        counted = median_time(lambda: model(x), args.repeats)
        closed = median_time(lambda: sum((formulas.for_layer(s.layer, s.input_shape)
                                          for s in model.plan(shape)), OpCounts()), args.repeats)
        times = peers(name, model, x, args.repeats)
        row = [name, f"{flops / 1e9:.3f}", f"{counted * 1e3:.1f}", f"{flops / counted / 1e9:.1f}",
               f"{closed * 1e3:.1f}"]
        for peer in ("torch", "torch FlopCounterMode", "THOP", "ptflops", "fvcore"):
            t = times.get(peer)
            row.append("-" if t is None else f"{t * 1e3:.1f} ({counted / t:.1f}x)")
        rows.append(row)
    print(f"numba threads: {os.environ.get('NUMBA_NUM_THREADS', 'default')}; "
          "times in ms, median; (Nx) = nnref counted time / peer time; - = not installed")
    print(tabulate(rows, headers=["model", "GFLOPs", "nnref counted", "GFLOP/s", "nnref formulas",
                                  "torch", "FlopCounterMode", "THOP", "ptflops", "fvcore"],
                   disable_numparse=True))


if __name__ == "__main__":
    main()
