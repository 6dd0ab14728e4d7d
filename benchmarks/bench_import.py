"""Time ``import nnref`` in fresh subprocesses (target: under 0.5 s).

* cold: ``import nnref`` is the first statement of a new interpreter, so it pays for
  NumPy and everything else nnref imports;
* warm: the same, after the interpreter has already imported NumPy, i.e. nnref's own
  modules only.

Each figure is the median over ``--repeats`` processes (after one discarded run that
warms the OS file cache). The report also checks that numba was not imported.

    python benchmarks/bench_import.py [--repeats 7]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

from tabulate import tabulate
from tqdm import tqdm

PROBE = """
import json, sys, time
{pre}
t = time.perf_counter()
import nnref
dt = time.perf_counter() - t
print(json.dumps({{"seconds": dt, "numba": "numba" in sys.modules}}))
"""

MODES = {"cold": "", "warm": "import numpy"}


def run(pre: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(pre=pre)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7, help="processes per mode (median)")
    args = ap.parse_args(argv)
    rows = []
    for mode, pre in MODES.items():
        run(pre)  # warm the file cache
        results = [run(pre) for _ in tqdm(range(args.repeats), desc=mode)]
        seconds = [r["seconds"] for r in results]
        rows.append({"import nnref": mode, "median s": statistics.median(seconds),
                     "min s": min(seconds), "max s": max(seconds),
                     "numba imported": any(r["numba"] for r in results)})
    print(tabulate(rows, headers="keys", floatfmt=".3f"))


if __name__ == "__main__":
    main()
