"""Speed of the counted attention against uncounted NumPy (BLAS) and torch on the same shapes.

Shapes: ViT-B/16's attention (197 tokens, 12 heads of 64) as ScaledDotProductAttention and
as a whole MultiheadAttention(768, 12) with its projections, and a GPT-2 causal block's
attention (1024 tokens, 12 heads of 64), dense and skip. For each, the median wall time of
``--repeats`` runs after a warm-up (which compiles the kernels) of

* nnref, counted, in its mask mode,
* the same arithmetic in uncounted NumPy (``@`` through BLAS, a NumPy softmax; a causal
  mask added as a −inf bias, as dense does),
* torch's own forward (``F.scaled_dot_product_attention`` / ``nn.MultiheadAttention``), if
  torch is installed,

side by side in one run, with nnref's exact FLOPs, GFLOP/s and nnref's speed relative to
NumPy and to torch (time of NumPy or torch / time of nnref: below 1 = nnref slower; skip
does less work than the dense NumPy arithmetic, so it can pass 1). The CPU model, the BLAS kernel (threadpoolctl) and
the thread counts are printed. For a BLAS baseline unaffected by the machine's
``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE``, unset both, in the command only::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_attention.py
"""
from __future__ import annotations

import argparse
import os

import numpy as np
from tabulate import tabulate

from bench_conv import machine as conv_machine  # noqa: E402
from bench_conv import median_time  # noqa: E402  (benchmarks/ is the script's path)
from nnref.layers.attention import MultiheadAttention, ScaledDotProductAttention


def numpy_sdpa(q, k, v, causal):
    """Uncounted: softmax(q·kᵀ/√E (+ causal −inf bias))·v with BLAS matmuls."""
    s = (q @ np.swapaxes(k, -1, -2)) * q.dtype.type(1 / np.sqrt(q.shape[-1]))
    if causal:
        s += np.triu(np.full(s.shape[-2:], -np.inf, q.dtype), 1)
    s = np.exp(s - s.max(-1, keepdims=True))
    s /= s.sum(-1, keepdims=True)
    return s @ v


def numpy_mha(x, layer, w_in, b_in, w_out, b_out):
    """Uncounted MultiheadAttention (self-attention, batch_first, no weights)."""
    N, L, E = x.shape
    H = layer.num_heads
    qkv = x @ w_in.T + b_in
    q, k, v = (t.reshape(N, L, H, E // H).transpose(0, 2, 1, 3) for t in np.split(qkv, 3, -1))
    y = numpy_sdpa(q, k, v, False).transpose(0, 2, 1, 3).reshape(N, L, E)
    return y @ w_out.T + b_out


def cases(dtype):
    """(name, nnref call, NumPy call, torch call or None, mode) for one dtype."""
    rng = np.random.default_rng(0)
    out = []
    vit = [rng.standard_normal((1, 12, 197, 64)).astype(dtype) for _ in range(3)]
    gpt = [rng.standard_normal((1, 12, 1024, 64)).astype(dtype) for _ in range(3)]
    for name, (q, k, v), causal, modes in (("ViT-B/16 SDPA 197×12×64", vit, False, ("dense",)),
                                           ("GPT-2 causal SDPA 1024×12×64", gpt, True,
                                            ("dense", "skip"))):
        for mode in modes:
            layer = ScaledDotProductAttention(is_causal=causal, mask_mode=mode)
            out.append((f"{name} {mode}", lambda l=layer, a=(q, k, v): l(*a),
                        lambda a=(q, k, v), c=causal: numpy_sdpa(*a, c),
                        ("sdpa", (q, k, v), causal)))
    x = rng.standard_normal((1, 197, 768)).astype(dtype)
    mha = MultiheadAttention(768, 12, batch_first=True, need_weights=False, rng=0)
    p = [np.asarray(a, dtype) for a in (mha.in_proj_weight, mha.in_proj_bias,
                                        mha.out_proj.weight, mha.out_proj.bias)]
    out.append(("ViT-B/16 MultiheadAttention(768, 12)", lambda: mha(x),
                lambda: numpy_mha(x, mha, *p), ("mha", (x,), mha)))
    return out


def torch_call(spec, dtype):
    """torch's forward of the same case, or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    kind, arrays, extra = spec
    ts = [torch.from_numpy(a) for a in arrays]
    if kind == "sdpa":
        def run():
            with torch.no_grad():
                torch.nn.functional.scaled_dot_product_attention(*ts, is_causal=extra)
        return run
    m = torch.nn.MultiheadAttention(768, 12, batch_first=True).to(ts[0].dtype).eval()

    def run_mha():
        with torch.no_grad():
            m(ts[0], ts[0], ts[0], need_weights=False)
    return run_mha


def machine() -> str:
    """The CPU and BLAS (:func:`bench_conv.machine`), numba's threads, and the OpenBLAS
    variables if set."""
    import numba

    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    return (f"{conv_machine()}; numba threads: {numba.get_num_threads()}"
            + (f"; set: {env}" if env else ""))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per measurement (median)")
    ap.add_argument("--dtype", nargs="+", default=["float32", "float64"],
                    choices=["float32", "float64"])
    args = ap.parse_args(argv)
    rows = []
    for dt in args.dtype:
        for name, counted, plain, spec in cases(np.dtype(dt).type):
            flops = counted()[1].flops
            t = {"nnref": median_time(counted, args.repeats),
                 "numpy": median_time(plain, args.repeats)}
            tc = torch_call(spec, np.dtype(dt).type)
            if tc is not None:
                t["torch"] = median_time(tc, args.repeats)
            rows.append({"case": name, "dtype": dt, "GFLOPs (exact)": flops / 1e9,
                         "nnref ms": 1e3 * t["nnref"], "NumPy ms": 1e3 * t["numpy"],
                         "torch ms": 1e3 * t["torch"] if "torch" in t else None,
                         "nnref GFLOP/s": flops / t["nnref"] / 1e9,
                         "speed/NumPy": t["numpy"] / t["nnref"],
                         "speed/torch": t["torch"] / t["nnref"] if "torch" in t else None})
    print(machine())
    print(tabulate(rows, headers="keys", floatfmt=".3g"))


if __name__ == "__main__":
    main()
