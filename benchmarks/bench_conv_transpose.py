"""Speed of the counted transposed convolutions against uncounted NumPy on the same shapes.

For each shape (decoder layers of DCGAN, U-Net and FCN style networks, one depthwise) and
each dtype, prints GFLOP/s of

* the counted naive scatter (``algorithm="naive"``),
* the counted GEMM + col2im (``algorithm="col2im"``),
* an uncounted NumPy GEMM (BLAS ``@``) + col2im (one strided add per tap) + crop, the
  same products,

with the ratios to NumPy. GFLOP/s is nnref's exact count over the median wall time of
``--repeats`` runs after a warm-up (which also compiles the kernels). The BLAS that ran
(threadpoolctl) and the CPU model are printed with the table. Thread counts follow the
environment (``NUMBA_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``); for a BLAS baseline on a
machine that sets ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE``, unset both, together,
for this command only.

    python benchmarks/bench_conv_transpose.py [--repeats 5] [--dtype float32 float64] [--quick]
"""
from __future__ import annotations

import numpy as np
from bench_conv import median_time, sweep

from nnref.layers.conv_transpose import ConvTranspose2d

#: (name, in, out, kernel, stride, padding, output_padding, groups, input size)
SHAPES = [
    ("dcgan 4x4/2 512→256", 512, 256, 4, 2, 1, 0, 1, 8),
    ("dcgan 4x4/2 128→64", 128, 64, 4, 2, 1, 0, 1, 32),
    ("unet 2x2/2 256→128", 256, 128, 2, 2, 0, 0, 1, 28),
    ("unet 2x2/2 64→32", 64, 32, 2, 2, 0, 0, 1, 112),
    ("fcn 3x3/2 op1 64→32", 64, 32, 3, 2, 1, 1, 1, 56),
    ("depthwise 4x4/2 64", 64, 64, 4, 2, 1, 0, 64, 56),
]


def numpy_conv_transpose(x, w, stride, padding, output_padding, groups):
    """Uncounted reference: per group a BLAS GEMM of every input and tap, then col2im as one
    strided add per tap into the full output, then the crop."""
    n, cin, h, wd = x.shape
    _, cog, k, _ = w.shape
    cg = cin // groups
    full = ((h - 1) * stride + k, (wd - 1) * stride + k)
    out = np.zeros((n, cog * groups, full[0] + output_padding, full[1] + output_padding), x.dtype)
    for g in range(groups):
        wg = w[g * cg:(g + 1) * cg].reshape(cg, cog * k * k).T  # (Co/g·k², Cin/g)
        xg = x[:, g * cg:(g + 1) * cg].reshape(n, cg, h * wd)
        cols = (wg @ xg).reshape(n, cog, k, k, h, wd)
        o = out[:, g * cog:(g + 1) * cog]
        for a in range(k):
            for b in range(k):
                o[:, :, a:a + (h - 1) * stride + 1:stride, b:b + (wd - 1) * stride + 1:stride] \
                    += cols[:, :, a, b]
    end = (full[0] - padding + output_padding, full[1] - padding + output_padding)
    return out[:, :, padding:end[0], padding:end[1]]


def bench(spec, dtype, repeats: int) -> dict:
    name, cin, cout, k, s, p, op, g, size = spec
    x = np.random.default_rng(0).standard_normal((1, cin, size, size)).astype(dtype)
    layer = ConvTranspose2d(cin, cout, k, s, p, op, g, bias=False, rng=0)
    w = layer.weight.astype(dtype)
    y, ops = layer(x)
    np.testing.assert_allclose(y, numpy_conv_transpose(x, w, s, p, op, g),
                               rtol=1e-3 if dtype == np.float32 else 1e-9, atol=1e-4)
    flops = ops.flops
    row = {"layer": name, "dtype": np.dtype(dtype).name, "MFLOPs": flops / 1e6}
    gflops = {}
    for algorithm in ("naive", "col2im"):
        layer.algorithm = algorithm
        gflops[algorithm] = flops / median_time(lambda: layer(x), repeats) / 1e9
    gflops["numpy"] = flops / median_time(lambda: numpy_conv_transpose(x, w, s, p, op, g),
                                          repeats) / 1e9
    for key in ("naive", "col2im", "numpy"):
        row[f"{key} GFLOP/s"] = gflops[key]
    row["naive/NumPy"] = gflops["naive"] / gflops["numpy"]
    row["col2im/NumPy"] = gflops["col2im"] / gflops["numpy"]
    return row


def main(argv=None):
    sweep(argv, __doc__, SHAPES, bench, ("naive", "col2im"), "numpy", "NumPy")


if __name__ == "__main__":
    main()
