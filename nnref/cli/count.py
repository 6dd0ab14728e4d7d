"""``nnref count``: the per-layer counts of a zoo model or a torch model a factory builds,
or of one layer beside its closed form.

    nnref count alexnet                                   # per-layer table
    nnref count resnet50 --format json --input 1,3,128,128
    nnref count alexnet --compare                         # ... and what the other tools say
    nnref count "Conv2d(3, 64, 3, stride=2, padding=1)" --input 1,3,224,224
    nnref count mypkg.models:build --input 1,3,224,224    # a torch model, via from_torch
"""
from __future__ import annotations

import sys

from ._common import CliError, emit, is_layer_spec, parse_shape
from ._targets import is_factory


def _count_layer(args) -> int:
    from ..api import count
    from .. import formulas
    from ..reports.render import render_layer
    from ..layers.spec import parse_layer

    layer = args.target if not isinstance(args.target, str) else parse_layer(args.target)
    if args.input is None:
        raise CliError(f"--input is required for a layer spec such as {args.target!r}; "
                       "e.g. --input 1,3,224,224")
    if args.plot or args.compare is not None:
        raise CliError("--plot and --compare need a model name, not a layer spec")
    shape = parse_shape(args.input)
    out_shape = layer.output_shape(shape)
    kernel = count(layer, shape, dtype=args.dtype, seed=args.seed)
    formula = formulas.for_layer(layer, shape)
    emit(render_layer(layer, shape, out_shape, kernel, formula, fmt=args.format,
                       units=args.units or "raw", dtype=args.dtype))
    if kernel != formula:
        print("nnref: kernel counts differ from the closed form (a bug: please report it)",
              file=sys.stderr)
        return 1
    return 0


def _count_model(args) -> int:
    import numpy as np
    from tqdm import tqdm

    from ..reports.render import render
    from ._targets import resolve
    from ._warm import sharing, start as start_warm, stop as stop_warm

    shape = parse_shape(args.input) if args.input is not None else None
    _, model, shape = resolve(args.target, shape, seed=args.seed, padding_taps=args.padding,
                              algorithm=args.algorithm)
    if not hasattr(model, "plan"):  # a factory that returns one layer
        args.target = model
        return _count_layer(args)
    name = model.title
    plan = model.plan(shape)  # checks the shape before any work
    x = np.random.default_rng(args.seed).standard_normal(shape).astype(args.dtype)
    helper = start_warm(plan, x.dtype)  # compiles from the end on the other core, if cold
    try:
        with sharing(helper), tqdm(total=len(plan), desc=name, unit="layer", file=sys.stderr,
                                   leave=False) as bar:
            _, report = model(x, progress=lambda record: bar.update(1))
    finally:
        stop_warm(helper)
    emit(render(report, fmt=args.format, depth=args.depth, units=args.units or "auto",
                 kinds=args.kinds))
    if args.plot:
        from ..reports.plot import plot_report

        try:
            plot_report(report, args.plot, depth=args.depth)
        except ImportError as e:
            print(f"nnref: error: {e}", file=sys.stderr)
            return 1
        except OSError as e:
            raise CliError(f"--plot={args.plot!r} could not be written: {e.strerror or e}") from None
        print(f"nnref: wrote {args.plot}", file=sys.stderr)
    if args.compare is not None:
        from ..conventions import compare, render_compare

        rows = compare(plan, tools=args.tools)
        emit("\n" + render_compare(rows))
    return 0


def _check_tools(args) -> None:
    """Validate ``--compare`` before any work; store the tool list (None = all) on ``args``."""
    from ..conventions import TOOLS

    if args.format != "table":
        raise CliError(f"--compare prints a table; it cannot be combined with --format {args.format}")
    args.tools = [t.strip() for t in args.compare.split(",")] if args.compare else None
    unknown = [t for t in args.tools or () if t not in TOOLS]
    if unknown:
        raise CliError(f"--compare={args.compare!r} names unknown tool {unknown[0]!r}; "
                       f"expected a comma-separated subset of {','.join(TOOLS)}")


def run(args) -> int:
    if args.depth is not None and args.depth < 1:
        raise CliError(f"--depth={args.depth} is invalid; expected an int >= 1")
    if args.compare is not None:
        _check_tools(args)
    if is_layer_spec(args.target) and not is_factory(args.target):
        return _count_layer(args)
    return _count_model(args)


def add_parser(subparsers) -> None:
    """Add the ``count`` subcommand."""
    c = subparsers.add_parser("count", help="count the operations of a model or of one layer",
                              description="Count the operations of a zoo model or of a torch "
                                          "model a factory builds (per-layer table), or of one "
                                          "layer spec, beside its closed form.")
    c.add_argument("target", metavar="MODEL_OR_SPEC_OR_FACTORY",
                   help="a zoo model name (see 'nnref models'), a layer such as "
                        "\"Conv2d(3, 64, 3, stride=2, padding=1)\", or a factory "
                        "'module:attr' such as mypkg.models:build: only this form imports "
                        "anything (module, from the current directory too; attr is called "
                        "with no arguments and returns a torch.nn.Module, converted with "
                        "nnref.from_torch, or an nnref model); needs --input")
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
    c.set_defaults(func=run)
