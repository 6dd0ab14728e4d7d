"""The ``nnref`` command: count a zoo model or one layer, list the zoo, step through a layer.

    nnref count alexnet                                   # per-layer table
    nnref count resnet50 --format json --input 1,3,128,128
    nnref count alexnet --compare                         # ... and what THOP, ptflops, fvcore,
                                                          # torch and TF would say, explained
    nnref count "Conv2d(3, 64, 3, stride=2, padding=1)" --input 1,3,224,224
    nnref models
    nnref step "Conv2d(1, 1, 3, stride=2, padding=1)" --input 1,1,5,5

Bad arguments (unknown model or layer, bad ``--input``, a shape a layer cannot take)
print one line ``nnref: error: ...`` on stderr and exit with status 2.
numba, tabulate and tqdm are imported only by the commands that need them.
"""
from __future__ import annotations

import argparse
import sys

from .trace import cli_step
from .trace.cli_step import parse_shape

EXIT_USAGE = 2


class CliError(ValueError):
    """A user error reported as one line."""


def _is_layer_spec(text: str) -> bool:
    """Whether ``text`` names a layer (``"ReLU"``) or is call syntax (``"Conv2d(3, 8, 3)"``)."""
    if "(" in text:
        return True
    from .layers.spec import known_layers

    return text.strip() in known_layers()


def _emit(text: str) -> None:
    """Print ``text`` on stdout, ending with exactly one newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


# -- nnref count ---------------------------------------------------------------------------
def _count_layer(args) -> int:
    from .api import count
    from .counting import formulas
    from .counting.render import render_layer
    from .layers.spec import parse_layer

    layer = parse_layer(args.target)
    if args.input is None:
        raise CliError(f"--input is required for a layer spec such as {args.target!r}; "
                       "e.g. --input 1,3,224,224")
    if args.plot or args.compare is not None:
        raise CliError("--plot and --compare need a model name, not a layer spec")
    shape = parse_shape(args.input)
    out_shape = layer.output_shape(shape)
    kernel = count(layer, shape, dtype=args.dtype, seed=args.seed)
    formula = formulas.for_layer(layer, shape)
    _emit(render_layer(layer, shape, out_shape, kernel, formula, fmt=args.format,
                       units=args.units or "raw", dtype=args.dtype))
    if kernel != formula:
        print("nnref: kernel counts differ from the closed form (a bug: please report it)",
              file=sys.stderr)
        return 1
    return 0


def _count_model(args) -> int:
    import numpy as np
    from tqdm import tqdm

    from .counting.render import render
    from .models import zoo

    name = args.target.strip()
    if name not in zoo.MODELS:
        from .layers.spec import known_layers

        raise CliError(f"unknown model or layer {name!r}; known models: {', '.join(zoo.names())}; "
                       f"known layers: {', '.join(sorted(known_layers()))}")
    algorithm = args.algorithm or ("naive" if args.padding == "skip" else "im2col")
    model = zoo.build(name, seed=args.seed, padding_mode=args.padding, algorithm=algorithm)
    shape = parse_shape(args.input) if args.input is not None else tuple(zoo.MODELS[name][1])
    plan = model.plan(shape)  # checks the shape before any work
    x = np.random.default_rng(args.seed).standard_normal(shape).astype(args.dtype)
    with tqdm(total=len(plan), desc=name, unit="layer", file=sys.stderr, leave=False) as bar:
        _, report = model(x, progress=lambda record: bar.update(1))
    _emit(render(report, fmt=args.format, depth=args.depth, units=args.units or "auto",
                 kinds=args.kinds))
    if args.plot:
        from .counting.plot import plot_report

        try:
            plot_report(report, args.plot, depth=args.depth)
        except ImportError as e:
            print(f"nnref: error: {e}", file=sys.stderr)
            return 1
        except OSError as e:
            raise CliError(f"--plot={args.plot!r} could not be written: {e.strerror or e}") from None
        print(f"nnref: wrote {args.plot}", file=sys.stderr)
    if args.compare is not None:
        from .counting.conventions import compare, render_compare

        _emit("\n" + render_compare(compare(name, shape, tools=args.tools)))
    return 0


def _check_tools(args) -> None:
    """Validate ``--compare`` before any work; store the tool list (None = all) on ``args``."""
    from .counting.conventions import TOOLS

    if args.format != "table":
        raise CliError(f"--compare prints a table; it cannot be combined with --format {args.format}")
    args.tools = [t.strip() for t in args.compare.split(",")] if args.compare else None
    unknown = [t for t in args.tools or () if t not in TOOLS]
    if unknown:
        raise CliError(f"--compare={args.compare!r} names unknown tool {unknown[0]!r}; "
                       f"expected a comma-separated subset of {','.join(TOOLS)}")


def cmd_count(args) -> int:
    if args.depth is not None and args.depth < 1:
        raise CliError(f"--depth={args.depth} is invalid; expected an int >= 1")
    if args.compare is not None:
        _check_tools(args)
    if _is_layer_spec(args.target):
        return _count_layer(args)
    return _count_model(args)


# -- nnref models --------------------------------------------------------------------------
def cmd_models(args) -> int:
    from tabulate import tabulate

    from .models import zoo

    rows = []
    for name in zoo.names():
        _, shape, description = zoo.MODELS[name]
        rows.append([name, ",".join(map(str, shape)), f"{zoo.build(name).num_params:,}", description])
    print(tabulate(rows, headers=["model", "default input", "params", "description"],
                   disable_numparse=True, colalign=("left", "left", "right", "left")))
    return 0


# -- parser and main -----------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nnref", description="Run neural-network layers in NumPy and count every operation.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    c = sub.add_parser("count", help="count the operations of a zoo model or of one layer",
                       description="Count the operations of a zoo model (per-layer table) or of "
                                   "one layer spec, beside its closed form.")
    c.add_argument("target", metavar="SPEC_OR_MODEL",
                   help="a zoo model name (see 'nnref models') or a layer such as "
                        "\"Conv2d(3, 64, 3, stride=2, padding=1)\"")
    c.add_argument("--input", metavar="SHAPE",
                   help="input shape, e.g. 1,3,224,224 (required for a layer; default: the model's)")
    c.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    c.add_argument("--padding", choices=("dense", "skip"), default="dense",
                   help="dense: padded taps are computed on zeros; skip: they are not executed")
    c.add_argument("--algorithm", choices=("im2col", "naive"), default=None,
                   help="convolution algorithm (default im2col; naive with --padding skip)")
    c.add_argument("--format", choices=("table", "json", "csv"), default="table")
    c.add_argument("--depth", type=int, default=None, metavar="N",
                   help="fold layers deeper than N into their container (table and plot)")
    c.add_argument("--units", choices=("auto", "raw"), default=None,
                   help="auto: SI prefixes (default for models); raw: exact (default for layers)")
    c.add_argument("--kinds", choices=("main", "all"), default="main",
                   help="table columns: mul, add, other; or every kind")
    c.add_argument("--plot", metavar="FILE.png", help="also save a bar chart of FLOPs per layer")
    c.add_argument("--seed", type=int, default=0, help="seed for weights and input values")
    c.add_argument("--compare", nargs="?", const="", default=None, metavar="TOOLS",
                   help="also print what other counters report (thop,ptflops,fvcore,torch,tf; "
                        "default all) and explain each difference")

    sub.add_parser("models", help="list the model zoo")
    cli_step.add_parser(sub)
    return p


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def main(argv=None) -> int:
    """Run the ``nnref`` command with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse has printed its message (or --help)
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    commands = {"count": cmd_count, "models": cmd_models, "step": cli_step.run}
    try:
        status = commands[args.command](args)
    except (ValueError, TypeError, MemoryError) as e:
        print(f"nnref: error: {_one_line(e)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("nnref: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `nnref step ... | head`: the reader left; not an error
        sys.stderr.close()
        return 0
    return 0 if status is None else status
