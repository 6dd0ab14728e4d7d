"""The ``nnref step`` subcommand: step through one layer on a small random input.

    nnref step "Conv2d(1, 1, 3, stride=2, padding=1)" --input 1,1,5,5 --gif out.gif
    nnref step "Conv2d(2, 1, 3, stride=2, padding=1)" --input 1,2,5,5 --html step.html

``--html`` writes one self-contained interactive page (open it from disk in any browser);
it shows the seed formula of the layer beside the counts, or your own with ``--formula``.

``--values int`` (the default) draws small integers, weights and bias in −2..3 and inputs
in 0..5, so the arithmetic is easy to follow; ``--values float`` draws standard normals.
``--seed`` fixes both the input and the weights.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from ..trace.steps import DEFAULT_MAX_STEPS
from ._common import parse_shape

WEIGHT_INTS = (-2, 3)  # inclusive ranges of --values int
INPUT_INTS = (0, 5)


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``step`` subcommand to ``subparsers`` (from ``parser.add_subparsers()``)."""
    p = subparsers.add_parser(
        "step", help="step through a layer one output element at a time",
        description="Print every step of a layer (input window, kernel, output so far, "
                    "arithmetic, running counts); optionally draw a GIF or PNGs.")
    p.add_argument("layer", help='layer spec, e.g. "Conv2d(1, 1, 3, stride=2, padding=1)"')
    p.add_argument("--input", required=True, metavar="SHAPE",
                   help="input shape as comma-separated ints, e.g. 1,1,5,5")
    p.add_argument("--gif", metavar="PATH", help="also write an animated GIF (needs matplotlib)")
    p.add_argument("--png-dir", metavar="DIR",
                   help="also write one PNG per step (needs matplotlib)")
    p.add_argument("--html", metavar="PATH",
                   help="also write an interactive, self-contained HTML page")
    p.add_argument("--formula", metavar="EXPR",
                   help="with --html: the formula the page checks (default: the layer's seed "
                        "form, e.g. (2*Cin/groups*Kh*Kw - 1 + bias)*N*Co*Ho*Wo)")
    p.add_argument("--quiet", action="store_true", help="do not print the text steps")
    p.add_argument("--seed", type=int, default=0, help="seed of the input and weights (default 0)")
    p.add_argument("--values", choices=("int", "float"), default="int",
                   help="small integers (default) or standard normal floats")
    p.add_argument("--max-steps", type=int, default=DEFAULT_MAX_STEPS, metavar="N",
                   help=f"refuse inputs needing more steps (default {DEFAULT_MAX_STEPS})")
    p.add_argument("--max-frames", type=int, default=64, metavar="N",
                   help="at most N pictures, evenly spaced (default 64)")
    p.add_argument("--per-tap", action="store_true", help="one step per tap instead of per output")
    p.set_defaults(func=run)
    return p


def make_data(layer, shape: tuple, values: str, seed: int) -> np.ndarray:
    """Draw the input and overwrite the layer's parameters from one seeded generator."""
    rng = np.random.default_rng(seed)

    def draw(size, ints):
        if values == "int":
            return rng.integers(ints[0], ints[1] + 1, size).astype(np.float64)
        return rng.standard_normal(size)

    x = draw(shape, INPUT_INTS)
    for name, p in layer.parameters().items():
        setattr(layer, name, draw(np.shape(p), WEIGHT_INTS).astype(np.asarray(p).dtype))
    return x


def run(args) -> int:
    """Run ``nnref step``; bad input is one line on stderr and exit code 2."""
    try:
        return _run(args)
    except (ValueError, TypeError, ImportError) as e:
        print(f"nnref step: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2


def _run(args) -> int:
    from ..layers.spec import parse_layer
    from ..trace.render import format_counts, render_header, render_step, render_summary
    from ..trace.steps import steps

    layer = parse_layer(args.layer)
    x = make_data(layer, parse_shape(args.input), args.values, args.seed)
    it = steps(layer, x, per_tap=args.per_tap, max_steps=args.max_steps)
    if args.formula is not None and not args.html:
        raise ValueError("--formula is shown on the page: it needs --html PATH "
                         "(nnref verify checks a formula on many configurations)")
    formula = None
    if args.html:
        from ..testing.formula import formula_for_page

        formula = formula_for_page(layer, x.shape, args.formula)  # bad formulas fail here
    pictures = args.gif or args.png_dir
    if pictures:
        from ..trace.plot import require_matplotlib, save_gif, save_pngs

        require_matplotlib()  # fail before printing anything if matplotlib is missing
    known, last = {}, None
    for step in it:
        if last is None and not args.quiet:
            print(render_header(layer, x, step.total, args.per_tap) + "\n")
        if not args.quiet:
            print(render_step(step, layer, x, known, args.per_tap) + "\n")
        if step.done:
            known[step.index] = step.value
        last = step
    print(render_summary(last, layer.output_shape(x.shape)))
    _, ops = layer(x)
    same = "the same" if ops == last.counts else "DIFFERENT from the trace"
    print(f"kernel count, layer(x): {format_counts(ops)} ({same})")
    kw = dict(per_tap=args.per_tap, max_steps=args.max_steps, max_frames=args.max_frames)
    if args.gif:
        print(save_gif(layer, x, args.gif, **kw).note)
    if args.png_dir:
        print(save_pngs(layer, x, args.png_dir, **kw).note)
    if args.html:
        from ..trace.html import save_html

        print(save_html(layer, x, args.html, per_tap=args.per_tap, max_steps=args.max_steps,
                        formula=formula))
    return 0 if ops == last.counts else 1
