"""The ``nnref`` command, one module per subcommand: ``count``, ``compare``, ``models``,
``step``, ``verify``, ``bench``.

    nnref count alexnet                                   # per-layer table
    nnref count resnet50 --format json --input 1,3,128,128
    nnref count alexnet --compare                         # ... and what THOP, ptflops, fvcore,
                                                          # torch and TF would say, explained
    nnref count "Conv2d(3, 64, 3, stride=2, padding=1)" --input 1,3,224,224
    nnref compare alexnet                                 # per layer: exact count, each tool's,
                                                          # why each departs
    nnref models
    nnref step "Conv2d(1, 1, 3, stride=2, padding=1)" --input 1,1,5,5 --html step.html
    nnref verify Conv2d --formula "(2*Cin*K**2 - 1)*Ho*Wo*Co" --sweep 200
    nnref bench --quick                                   # the performance targets, one table

Bad arguments (unknown model or layer, bad ``--input``, a shape a layer cannot take)
print one line ``nnref: error: ...`` on stderr and exit with status 2.
numba, tabulate and tqdm are imported only by the commands that need them.
"""
from __future__ import annotations

import argparse
import sys

from . import bench, compare, count, models, step, verify
from ._common import EXIT_USAGE, CliError, one_line, parse_shape

__all__ = ["CliError", "build_parser", "main", "parse_shape"]

def build_parser() -> argparse.ArgumentParser:
    """The ``nnref`` parser; each subcommand module adds itself with ``add_parser``."""
    p = argparse.ArgumentParser(
        prog="nnref", description="Run neural-network layers in NumPy and count every operation.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in (count, compare, models, step, verify, bench):
        command.add_parser(sub)
    return p


def main(argv=None) -> int:
    """Run the ``nnref`` command with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse has printed its message (or --help)
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    try:
        status = args.func(args)
    except (ValueError, TypeError, MemoryError) as e:
        print(f"nnref: error: {one_line(e)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("nnref: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `nnref step ... | head`: the reader left; not an error
        sys.stderr.close()
        return 0
    return 0 if status is None else status
