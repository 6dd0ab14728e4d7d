"""Check three published Conv2d cost formulas against what the kernel actually counts.

    python examples/derivation_check.py          # the full sweep
    python examples/derivation_check.py --quick  # a handful of configurations

For every configuration (Cin, Co, K, stride, padding, dilation, groups, bias) the
Conv2d kernel runs on a random 1×Cin×H×W input and its count (mul + add) is set beside:

* seed       (2·C·K² − 1)·Ho·Wo·Co   the derivation for a convolution without bias;
* seed+bias  2·C·K²·Ho·Wo·Co         the same with one bias add per output;
* TF         2·C·K²·Ho·Wo·Co + Co·Ho·Wo (with bias): the TensorFlow profiler's
  convention, which counts every multiply-add as 2 FLOPs (so the first product of each
  sum, which initialises the accumulator, gets an add that never happens) and counts
  its BiasAdd op as one add per output on top;

with C = Cin/groups, since a grouped convolution reads Cin/g channels per output. The Δ
columns give formula − kernel ("exact" when 0). The last columns run the same layer
with ``padding_taps="skip"`` (taps on padding are not computed) to show what the zero
padding costs.

Expected outcome: seed is exact without bias, seed+bias exact with bias, and TF is
always Co·Ho·Wo too high: one FLOP per output element.
"""
import argparse
from itertools import product

import numpy as np
from tabulate import tabulate
from tqdm import tqdm

from nnref.layers.conv import Conv2d

try:
    from nnref.formulas.conv import conv2d_seed
except ImportError:  # older nnref: the same closed form, written out
    def conv2d_seed(cin, k, ho, wo, co, bias=False):
        return (2 * cin * k * k - (0 if bias else 1)) * ho * wo * co


def tf_profiler(cin, k, ho, wo, co, bias):
    """TensorFlow profiler: 2 FLOPs per multiply-add, plus Co·Ho·Wo for a BiasAdd."""
    return 2 * cin * k * k * ho * wo * co + (co * ho * wo if bias else 0)


def configs(quick: bool):
    """(Cin, Co, K, stride, padding, dilation, groups, bias) tuples."""
    if quick:
        return [(1, 2, 3, 1, 1, 1, 1, False), (3, 4, 3, 2, 1, 1, 1, True),
                (4, 4, 3, 1, 1, 2, 2, True), (2, 2, 1, 1, 0, 1, 1, False)]
    out = []
    grid = product((1, 3, 4), (1, 3, 5), (1, 2), (1, 2), (1, 2), (False, True))
    for cin, k, s, d, g, bias in grid:
        if cin % g or (k == 1 and d > 1):
            continue
        out.append((cin, 4, k, s, k // 2, d, g, bias))
    return out


def delta(formula: int, kernel: int) -> str:
    return "exact" if formula == kernel else f"{formula - kernel:+,}"


def row(cfg, size: int, rng):
    cin, co, k, s, p, d, g, bias = cfg
    dense = Conv2d(cin, co, k, s, p, d, g, bias, rng=0)
    skip = Conv2d(cin, co, k, s, p, d, g, bias, algorithm="naive", padding_taps="skip", rng=0)
    x = rng.standard_normal((1, cin, size, size))
    _, ops = dense(x)
    _, ops_skip = skip(x)
    _, _, ho, wo = dense.output_shape(x.shape)
    kernel = ops.mul + ops.add
    seed = conv2d_seed(cin // g, k, ho, wo, co, bias=False)
    seed_b = conv2d_seed(cin // g, k, ho, wo, co, bias=True)
    tf = tf_profiler(cin // g, k, ho, wo, co, bias)
    skipped = ops_skip.mul + ops_skip.add
    return [cin, co, k, s, p, d, g, "yes" if bias else "no", f"{ho}×{wo}", f"{kernel:,}",
            f"{seed:,}", delta(seed, kernel), f"{seed_b:,}", delta(seed_b, kernel),
            f"{tf:,}", delta(tf, kernel), f"{skipped:,}", f"{kernel - skipped:,}"]


HEADERS = ["Cin", "Co", "K", "s", "p", "d", "g", "bias", "Ho×Wo", "kernel", "seed", "Δ",
           "seed+bias", "Δ", "TF", "Δ", "skip pad", "pad cost"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a handful of configurations")
    parser.add_argument("--size", type=int, default=8, help="input height and width (default 8)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    rows = [row(c, args.size, rng) for c in tqdm(configs(args.quick), desc="Conv2d", leave=False)]
    print(tabulate(rows, HEADERS, tablefmt="simple", stralign="right", disable_numparse=True))
    n = len(rows)
    for name, col in (("seed", 11), ("seed+bias", 13), ("TF", 15)):
        exact = [r for r in rows if r[col] == "exact"]
        when = {r[7] for r in exact}
        where = f" (bias={'/'.join(sorted(when))})" if exact else ""
        print(f"{name:>9}: exact in {len(exact)} of {n} configurations{where}")
    print("TF overcounts by Co·Ho·Wo (one FLOP per output): the first product of each sum")
    print("initialises the accumulator, so a K-tap dot product costs 2K − 1, not 2K.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
