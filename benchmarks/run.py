"""Every performance target of nnref in one table: figure, reference, ratio, pass or fail.

    python benchmarks/run.py [--quick] [--repeats 7] [--only conv gemm ...] [--output FILE]
    nnref bench ...                      # the same (nnref/cli/bench.py), from a checkout

Every ratio is measured side by side in one process: the contenders are timed in turn
within each repeat (so drift on a shared machine hits them alike), each after running
untimed for 0.12 s (so the thread pools of the one before, which spin after a call, have
gone quiet: ``targets.interleaved``), and each figure is a median. If OPENBLAS_CORETYPE or
OPENBLAS_L2_SIZE is set, they slow NumPy's BLAS (the baseline), so this script runs
itself again with both unset, in that command only. The machine (CPU model, cores, the
BLAS kernel that threadpoolctl reports, thread counts) is printed above the table and
written with every figure to ``benchmarks/results.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
sys.path[:0] = [str(HERE.parent), str(HERE), str(HERE.parent / "tests")]


def main(argv=None) -> int:
    """``python benchmarks/run.py [options]``: parse the options, then :func:`run`."""
    from nnref.cli.bench import add_arguments

    p = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.splitlines()[0])
    add_arguments(p)
    return run(p.parse_args(argv))


def run(args) -> int:
    """Measure the chosen targets, print the machine and the table, write the JSON.

    Returns 0 when every measured target passes, else 1."""
    import targets

    groups = sorted({t.group for t in targets.TARGETS})
    unknown = sorted(set(args.only or ()) - set(groups))
    if unknown or args.repeats < 1:
        raise ValueError(f"--only {unknown[0]!r} is not a group; expected some of "
                         f"{', '.join(groups)}" if unknown else
                         f"--repeats={args.repeats} is invalid; expected an int >= 1")
    if any(v in os.environ for v in OPENBLAS_VARS):  # rerun with an honest BLAS baseline
        env = {k: v for k, v in os.environ.items() if k not in OPENBLAS_VARS}
        env["NNREF_BENCH_UNSET"] = ",".join(v for v in OPENBLAS_VARS if v in os.environ)
        return subprocess.run([sys.executable, __file__, *options(args)], env=env).returncode
    from tabulate import tabulate
    from tqdm import tqdm

    repeats = min(args.repeats, 2) if args.quick else args.repeats
    chosen = [t for t in targets.TARGETS if not args.only or t.group in args.only]
    machine = targets.machine()
    if os.environ.get("NNREF_BENCH_UNSET"):
        machine["unset for this run"] = os.environ["NNREF_BENCH_UNSET"]
    rows = []
    with tqdm(total=sum(t.weight for t in chosen), desc="nnref bench", unit="step",
              file=sys.stderr, leave=False) as bar:
        for target in chosen:
            bar.set_postfix_str(target.group)
            rows += target.run(args.quick, repeats)
            bar.update(target.weight)
    print(targets.describe(machine))
    print(tabulate([targets.cells(r) for r in rows], headers=targets.HEADERS, disable_numparse=True))
    output = str(HERE / "results.json") if args.output is None else args.output
    if output:
        Path(output).write_text(json.dumps({
            "machine": machine, "rows": rows, "quick": args.quick, "repeats": repeats,
            "when": time.strftime("%Y-%m-%d %H:%M:%S")}, indent=2) + "\n")
        print(f"wrote {output}", file=sys.stderr)
    return 0 if all(r["pass"] is not False for r in rows) else 1


def options(args) -> list:
    """``args`` back as command-line options."""
    argv = ["--repeats", str(args.repeats)] + (["--quick"] if args.quick else [])
    argv += ["--only", *args.only] if args.only else []
    return argv + ([] if args.output is None else ["--output", args.output])


if __name__ == "__main__":
    sys.exit(main())
