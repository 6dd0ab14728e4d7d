"""``nnref verify``: check a cost formula of your own against the executed counts.

    nnref verify "Conv2d" --formula "(2*Cin*K**2 - 1)*Ho*Wo*Co" --sweep 200
    nnref verify "Conv2d" --formula "2*Cin*K**2*Ho*Wo*Co" --fix bias=1
    nnref verify "Linear" --formula "I*O" --kind mul
    nnref verify "Conv2d(3, 8, 3, padding=1)" --formula "(2*Cin*K**2 - 1 + bias)*N*Co*Ho*Wo"

Exit status 0 when the formula is exact on every configuration, 1 when it is not, 2 for
bad arguments (a bad formula is one line, ``nnref: error: ...``).
"""
from __future__ import annotations

from ._common import CliError, emit


def _fixes(items) -> dict:
    out = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        try:
            out[name.strip()] = int(value)
        except ValueError:
            sep = ""
        if not sep:
            raise CliError(f"--fix {item!r} is invalid; expected NAME=INT, e.g. --fix bias=0")
    return out


def run(args) -> int:
    from ..testing.formula import check_formula, formula_names
    from ..testing._sweep import MEANINGS

    if args.names:
        names = formula_names(args.layer)
        emit("\n".join(f"{n:<18} {MEANINGS[n]}" for n in names))
        return 0
    if args.formula is None:
        raise CliError("--formula is required, e.g. --formula '(2*Cin*K**2 - 1)*Ho*Wo*Co' "
                       "(--names lists the quantities)")
    result = check_formula(args.layer, args.formula, sweep=args.sweep, kind=args.kind,
                           seed=args.seed, fix=_fixes(args.fix), padding_taps=args.padding)
    rows = result.rows if args.show == "all" else result.failures[:args.show_max]
    parts = [result.header]
    if args.show != "none" and rows:
        parts.append(result.table(rows))
        if args.show == "failing" and len(result.failures) > len(rows):
            parts[-1] += f"\n… {len(result.failures) - len(rows)} more failing (--show all)"
    parts.append(result.summary)
    emit("\n\n".join(parts))
    return 0 if result.exact else 1


def add_parser(subparsers) -> None:
    """Add the ``verify`` subcommand."""
    from ..core.opcounts import KINDS

    v = subparsers.add_parser(
        "verify", help="check a cost formula against the executed counts",
        description="Draw valid configurations of a layer, run its kernel on each, and compare "
                    "the executed count with a formula over named quantities (Cin, Co, K, Kh, "
                    "Kw, H, W, Ho, Wo, N, groups, stride, padding, dilation, bias; I, O for "
                    "Linear). The formula is parsed with a whitelist, never evaluated.")
    v.add_argument("layer", help='a layer class ("Conv2d", "Linear", ...) or a spec with '
                                 'arguments ("Conv2d(3, 8, 3)": only the input varies)')
    v.add_argument("--formula", metavar="EXPR",
                   help='e.g. "(2*Cin*K**2 - 1)*Ho*Wo*Co" (· × − ² ^ are accepted too)')
    v.add_argument("--sweep", type=int, default=200, metavar="N",
                   help="configurations to draw (default 200)")
    v.add_argument("--kind", choices=("total",) + KINDS, default="total",
                   help="compare with the total of every kind (default) or with one kind")
    v.add_argument("--fix", action="append", metavar="NAME=INT",
                   help="hold a quantity, e.g. --fix bias=0 (repeatable)")
    v.add_argument("--padding", choices=("dense", "skip"), default="dense",
                   help="taps on padding: computed (dense, default) or skipped")
    v.add_argument("--seed", type=int, default=0, help="seed of the configurations")
    v.add_argument("--show", choices=("failing", "all", "none"), default="all",
                   help="rows of the table: all (default), failing only, or none")
    v.add_argument("--show-max", type=int, default=20, metavar="N",
                   help="with --show failing: at most N rows (default 20)")
    v.add_argument("--names", action="store_true",
                   help="list the quantities a formula for this layer may use, and exit")
    v.set_defaults(func=run)
