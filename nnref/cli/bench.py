"""``nnref bench``: every performance target in one table (runs ``benchmarks/run.py``).

    nnref bench                    # all targets; writes benchmarks/results.json
    nnref bench --quick            # a smoke run
    nnref bench --only conv gemm   # some groups

The benchmarks live in the repository's ``benchmarks/`` folder (they need the torch
twins in ``tests/``), so this command runs from a checkout: the one nnref was installed
from in editable mode, or the current directory.
"""
from __future__ import annotations

import runpy
from pathlib import Path

from ._common import CliError


def find_runner() -> Path:
    """``benchmarks/run.py`` of the checkout: beside the nnref package, or under the cwd."""
    here = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"
    for candidate in (here, Path.cwd() / "benchmarks" / "run.py"):
        if candidate.is_file():
            return candidate
    raise CliError("nnref bench runs the repository's benchmarks/run.py, which was not found "
                   "beside the installed package or in the current directory; run it from a "
                   "checkout of nnref")


def add_arguments(parser) -> None:
    """The options of ``nnref bench`` and ``python benchmarks/run.py``."""
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per figure (median)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer shapes and repeats: a smoke run, not a measurement")
    parser.add_argument("--only", nargs="+", metavar="GROUP",
                        help="run only these groups (conv, gemm, depthwise, models, transformers, threads, "
                             "counters, processes, import)")
    parser.add_argument("--output", default=None, metavar="FILE",
                        help="where to write the JSON results (default benchmarks/results.json; "
                             "'' for nowhere)")


def run(args) -> int:
    runner = find_runner()
    module = runpy.run_path(str(runner), run_name="nnref_bench")
    return module["run"](args)


def add_parser(subparsers) -> None:
    """Add the ``bench`` subcommand."""
    b = subparsers.add_parser("bench", help="measure every performance target (one table)",
                              description="Measure every performance target of nnref side by "
                                          "side and print one table (benchmarks/run.py).")
    add_arguments(b)
    b.set_defaults(func=run)
