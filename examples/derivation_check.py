"""Check the seed cost formulas against what the kernels actually count, with check_formula.

    python examples/derivation_check.py            # 200 configurations per form
    python examples/derivation_check.py --quick    # 20 per form
    python examples/derivation_check.py --tables   # ... and every configuration's row

Each form is an expression over the layer's named quantities (Cin, Co, K, Ho, Wo, C,
bias as 0/1, ...), checked by :func:`nnref.testing.check_formula` on configurations
drawn from a seeded generator; the kernel runs on each and its executed count (mul +
add) is set beside the formula's value:

* seed       (2·Cin·K² − 1)·Ho·Wo·Co   a convolution without bias: exact;
* seed+bias  2·Cin·K²·Ho·Wo·Co         the same with one bias add per output: exact;
* seed, any bias: the no-bias form on layers with and without bias, off by Ho·Wo·Co
  exactly where there is a bias (the hint says so);
* TF         2·Cin·K²·Ho·Wo·Co + bias·Co·Ho·Wo: the TensorFlow profiler, 2 FLOPs per
  multiply-add (the first product of each sum gets an add that never happens) plus its
  BiasAdd: always Co·Ho·Wo too high, one per output;
* depthwise  (2·K² − 1)·Ho·Wo·C and pointwise (2·Cin − 1)·Ho·Wo·Co, without bias: exact;
* skip       the dense form against ``padding_taps="skip"``: off where taps land on padding.

Quantities that a form does not name and that multiply the work (N, groups) are held
at 1, so each form is checked as written.
"""
import argparse

from tabulate import tabulate

from nnref.testing import check_formula

FORMS = [  # (name, layer, formula, fixed quantities, padding taps)
    ("seed", "Conv2d", "(2*Cin*K**2 - 1)*Ho*Wo*Co", {"bias": 0}, "dense"),
    ("seed+bias", "Conv2d", "2*Cin*K**2*Ho*Wo*Co", {"bias": 1}, "dense"),
    ("seed, any bias", "Conv2d", "(2*Cin*K**2 - 1)*Ho*Wo*Co", {}, "dense"),
    ("TF", "Conv2d", "2*Cin*K**2*Ho*Wo*Co + bias*Co*Ho*Wo", {}, "dense"),
    ("depthwise", "DepthwiseConv2d", "(2*K**2 - 1)*Ho*Wo*C", {"bias": 0}, "dense"),
    ("pointwise", "PointwiseConv2d", "(2*Cin - 1)*Ho*Wo*Co", {"bias": 0}, "dense"),
    ("skip", "Conv2d", "(2*Cin*K**2 - 1 + bias)*Ho*Wo*Co", {"padding": 1}, "skip"),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 configurations per form")
    parser.add_argument("--tables", action="store_true", help="print every configuration")
    parser.add_argument("--seed", type=int, default=0, help="seed of the configurations")
    args = parser.parse_args(argv)
    sweep = 20 if args.quick else 200
    rows = []
    for name, layer, formula, fix, taps in FORMS:
        r = check_formula(layer, formula, sweep=sweep, fix=fix, seed=args.seed, padding_taps=taps)
        if args.tables:
            print(f"== {name}\n{r}\n")
        verdict = (f"exact on all {len(r.rows)}" if r.exact
                   else f"off on {len(r.failures)} of {len(r.rows)}")
        rows.append([name, layer, formula, ", ".join(f"{k}={v}" for k, v in fix.items()) or "-",
                     verdict, "; ".join(r.hints) or "-"])
        print(f"{name:>15}: {r.summary}")
    print()
    print(tabulate(rows, ["form", "layer", "formula", "fixed", "result", "hint"],
                   tablefmt="simple", maxcolwidths=[None, None, None, None, None, 60]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
