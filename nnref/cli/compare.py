"""``nnref compare``: nnref's exact count beside THOP, ptflops, fvcore, torch and TF, per layer.

    nnref compare alexnet                                # table, every tool
    nnref compare resnet50 --tools thop,ptflops --format json
    nnref compare "Conv2d(3, 8, 3, padding=1)" --input 1,3,32,32
    nnref compare mypkg.models:build --input 1,3,224,224  # imports mypkg.models

Per layer: the exact count (nnref's ``mul``, the unit of the MAC tools, and every
executed operation, the unit of the FLOP tools), each tool's number, and one line per
tool that departs from nnref saying why; a totals row; and a closing paragraph naming
the three biggest sources of disagreement. ``--format json`` gives the same, with
``"conventions": {tool: int}`` per layer and in the totals (schema: COMPARE_SCHEMA).
"""
from __future__ import annotations

import json
import textwrap

from ._common import CliError, emit

_COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
_INTS = {"type": "object", "additionalProperties": {"type": "integer"}}
_WHY = {"type": "object", "additionalProperties": {"type": "string"}}
_SHAPE = {"type": "array", "items": {"type": "integer", "minimum": 0}}

#: JSON Schema of ``nnref compare --format json``.
COMPARE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "nnref compare",
    "type": "object",
    "required": ["model", "input_shape", "tools", "layers", "totals", "sources"],
    "additionalProperties": False,
    "properties": {
        "model": {"type": "string"},
        "input_shape": _SHAPE,
        "tools": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["name", "unit", "claims", "note"],
            "properties": {"name": {"type": "string"}, "unit": {"enum": ["MACs", "FLOPs"]},
                           "claims": {"type": "string"}, "note": {"type": "string"}}}},
        "layers": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["name", "type", "call", "input_shape", "output_shape", "exact", "macs",
                         "conventions", "why"],
            "properties": {"name": {"type": "string"}, "type": {"type": "string"},
                           "call": {"enum": ["module", "function", "method", "operator", "attribute"]},
                           "input_shape": _SHAPE, "output_shape": _SHAPE, "exact": _COUNTS,
                           "macs": {"type": "integer", "minimum": 0},
                           "conventions": _INTS, "why": _WHY}}},
        "totals": {"type": "object", "additionalProperties": False,
                   "required": ["exact", "macs", "conventions", "why"],
                   "properties": {"exact": _COUNTS, "macs": {"type": "integer", "minimum": 0},
                                  "conventions": _INTS, "why": _WHY}},
        "live": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["total", "nnref", "modules_differ"],
            "properties": {"total": {"type": ["integer", "null"]}, "nnref": {"type": "integer"},
                           "reproduced": {"type": "boolean"},
                           "modules_differ": {"type": "array", "items": {"type": "string"}},
                           "note": {"type": "string"}}}},
        "sources": {"type": "array", "maxItems": 3, "items": {
            "type": "object", "required": ["type", "calls", "differences", "share", "text"],
            "properties": {"type": {"type": "string"}, "calls": {"type": "integer"},
                           "differences": _INTS, "share": {"type": "number"},
                           "text": {"type": "string"}}}},
    },
}


def total_why(rec, tool: str) -> str:
    """One line for a tool's total: its difference from nnref, and any step of its own."""
    c = rec.counts[tool]
    d, whole = c.total - rec.nnref(tool), rec.nnref(tool)
    if not d:
        return ""
    text = f"{d:+,} {c.unit} ({100 * d / whole:+.3f}%)" if whole else f"{d:+,} {c.unit}"
    by_type: dict = {}
    for r in rec.layers:
        exact = r.exact.mul if c.unit == "MACs" else r.exact.flops
        by_type[r.type] = by_type.get(r.type, 0) + r.tools[tool] - exact
    parts = sorted(((v, k) for k, v in by_type.items() if v), key=lambda p: -abs(p[0]))
    text += "; by type " + ", ".join(f"{k} {v:+,}" for v, k in parts[:4])
    text += ", ..." if len(parts) > 4 else ""
    return text + (f"; {c.note}" if c.note else "")


def to_dict(rec) -> dict:
    """The reconciliation as plain JSON types (see :data:`COMPARE_SCHEMA`)."""
    tools = list(rec.counts)
    return {
        "model": rec.title,
        "input_shape": list(rec.input_shape),
        "tools": {t: {"name": c.tool, "unit": c.unit, "claims": c.claims, "note": c.note}
                  for t, c in rec.counts.items()},
        "layers": [{"name": r.name, "type": r.type, "call": r.call,
                    "input_shape": list(r.input_shape), "output_shape": list(r.output_shape),
                    "exact": r.exact.as_dict(flops=True), "macs": r.exact.mul,
                    "conventions": dict(r.tools), "why": dict(r.why)} for r in rec.layers],
        "totals": {"exact": rec.exact.as_dict(flops=True), "macs": rec.exact.mul,
                   "conventions": rec.totals, "why": {t: total_why(rec, t) for t in tools}},
        "sources": [{"type": s.type, "calls": s.calls, "differences": dict(s.differences),
                     "share": s.share, "text": s.text} for s in rec.sources],
    }


def closing(rec) -> str:
    """The closing paragraph: the three biggest sources of disagreement, in words."""
    if not rec.sources:
        return "Every tool agrees with nnref on every layer."
    n = len(rec.sources)
    head = {1: "The one source", 2: "The two biggest sources", 3: "The three biggest sources"}[n]
    text = (f"{head} of disagreement (ranked by the largest share of nnref's figure in any "
            "tool's unit): " + " ".join(f"({i}) {s.text}." for i, s in enumerate(rec.sources, 1)))
    return textwrap.fill(text, 100, break_on_hyphens=False)


def render_table(rec) -> str:
    from tabulate import tabulate

    tools = list(rec.counts)
    heads = ["layer", "type", "exact mul", "exact ops",
             *(f"{t} {rec.counts[t].unit}" for t in tools)]
    rows = [[r.name, r.type + ("" if r.call == "module" else f" ({r.call})"), f"{r.exact.mul:,}",
             f"{r.exact.flops:,}", *(f"{r.tools[t]:,}" for t in tools)] for r in rec.layers]
    rows.append(["total", "", f"{rec.exact.mul:,}", f"{rec.exact.flops:,}",
                 *(f"{rec.totals[t]:,}" for t in tools)])
    shape = "x".join(map(str, rec.input_shape))
    text = [f"{rec.title}, input {shape}: nnref's exact count beside what each tool reports.",
            "MAC tools are compared with nnref's mul (one product per multiply-accumulate), "
            "FLOP tools with every operation nnref executes.", "",
            tabulate(rows, headers=heads, colalign=("left", "left", *["right"] * (len(heads) - 2))),
            "", "Why each tool departs from nnref:"]
    width = max(map(len, tools))
    for r in rec.layers:
        lines = [f"  {t:<{width}}  {r.why[t]}" for t in tools if r.why[t]]
        if lines:
            text += [f"{r.name} ({r.type})", *lines]
    lines = [f"  {t:<{width}}  {total_why(rec, t)}" for t in tools if total_why(rec, t)]
    if lines:
        text += ["total", *lines]
    if len(text) and text[-1] == "Why each tool departs from nnref:":
        text.append("  none: every tool agrees on every layer")
    return "\n".join(text + ["", closing(rec)])


def run(args) -> int:
    from ..conventions import TOOLS
    from ..conventions import compare_layers
    from ._targets import resolve_target

    tools = None
    if args.tools is not None:
        tools = [t.strip() for t in args.tools.split(",") if t.strip()]
        unknown = [t for t in tools if t not in TOOLS]
        if unknown or not tools:
            raise CliError(f"--tools={args.tools!r} names unknown tool "
                           f"{(unknown or [''])[0]!r}; expected a comma-separated subset of "
                           f"{','.join(TOOLS)}")
    target = resolve_target(args.target, args.input)
    obj = target.obj
    if hasattr(obj, "plan"):
        plan = obj.plan(target.input_shape)
    else:
        shape = obj.check_shape(target.input_shape)
        plan = [(obj.name or obj.kind.lower(), obj, shape, obj.output_shape(shape))]
    module = _torch_module(target) if args.live else None  # before any work
    rec = compare_layers(plan, tools, target.functional, target.title)
    live = run_live(module, target, rec) if args.live else None
    if args.format == "json":
        doc = to_dict(rec)
        if live is not None:
            doc["live"] = live
        emit(json.dumps(doc, indent=1))
    else:
        emit(render_table(rec) + ("" if live is None else "\n\n" + render_live(live)))
    return 1 if live and not all(v.get("reproduced", True) for v in live.values()) else 0


def _torch_module(target):
    """The torch module the real tools run on: the factory's own, a layer's torch twin, or
    ``nnref.to_torch`` of an nnref model."""
    try:
        import torch  # noqa: F401
    except ImportError:
        raise CliError("--live needs torch and the real tools: pip install "
                       "'nnref[test,compare]'") from None
    if target.torch_module is not None:
        return target.torch_module.eval()
    from ..testing.twins import torch_twin  # a layer's torch module, or to_torch of a model

    return torch_twin(target.obj, target.input_shape)


def run_live(module, target, rec) -> dict:
    """Run the real tools of ``rec`` on the torch ``module``: per tool its total, whether it
    is nnref's reproduction, and the modules where they differ."""
    import torch

    from ..testing.tools import RUNNERS, leaf_names, per_module, run_tools

    tools = [t for t in rec.counts if t in RUNNERS]
    operands = getattr(target.obj, "operands", 1)
    try:
        got = run_tools(module, tuple(torch.zeros(target.input_shape) for _ in range(operands)),
                        tools)
    except ImportError as e:
        raise CliError(f"--live needs the real tools ({e}); pip install 'nnref[compare]'") from None
    leaves, out = leaf_names(module), {}
    for tool in tools:
        mine = per_module(rec.counts[tool], leaves)
        differ = sorted(n for n in set(mine) | set(got[tool].modules)
                        if mine.get(n, 0) != got[tool].modules.get(n, 0))
        out[tool] = {"total": got[tool].total, "nnref": rec.totals[tool],
                     "reproduced": got[tool].total == rec.totals[tool] and not differ,
                     "modules_differ": differ}
    if "tf" in rec.counts:
        out["tf"] = {"total": None, "nnref": rec.totals["tf"], "modules_differ": [],
                     "note": "not run: TensorFlow is too heavy; nnref's tf rules are checked "
                             "against TF 2.21's profiler in its tests"}
    return out


def render_live(live: dict) -> str:
    lines = ["Live check: the real tools on the torch module, beside nnref's reproduction:"]
    width = max(map(len, live))
    for tool, v in live.items():
        if v["total"] is None:
            lines.append(f"  {tool:<{width}}  {v['note']}")
        elif v["reproduced"]:
            lines.append(f"  {tool:<{width}}  {v['total']:>16,}  = nnref's reproduction, total "
                         "and every module")
        else:
            where = ", ".join(repr(n) for n in v["modules_differ"][:5]) or "the total only"
            lines.append(f"  {tool:<{width}}  {v['total']:>16,}  != nnref's {v['nnref']:,} "
                         f"(differs on {where}): please report it")
    return "\n".join(lines)


def add_parser(subparsers) -> None:
    """Add the ``compare`` subcommand."""
    c = subparsers.add_parser(
        "compare", help="nnref's exact count beside THOP, ptflops, fvcore, torch and TF, "
                        "per layer, each difference explained",
        description="Per layer: nnref's exact count, what each tool counts, and why each "
                    "departs; a totals row; the three biggest sources of disagreement. The "
                    "tools need not be installed: their rules are nnref.conventions.")
    c.add_argument("target", metavar="MODEL_OR_SPEC_OR_FACTORY",
                   help="a zoo model (see 'nnref models'), a layer such as "
                        "\"Conv2d(3, 64, 3, stride=2)\", or a factory module:attr such as "
                        "mypkg.models:build (only this form imports anything: the module "
                        "named, then calls attr() if it is callable)")
    c.add_argument("--input", metavar="SHAPE",
                   help="input shape, e.g. 1,3,224,224 (default: a zoo model's; required "
                        "for a layer or a factory)")
    c.add_argument("--tools", metavar="TOOLS", default=None,
                   help="comma-separated subset of thop,ptflops,fvcore,torch,tf (default all)")
    c.add_argument("--format", choices=("table", "json"), default="table")
    c.add_argument("--live", action="store_true",
                   help="also run the real THOP, ptflops, fvcore and FlopCounterMode (pip "
                        "install 'nnref[compare]') on the torch module and check nnref's "
                        "reproduction against them, in total and per module; exit 1 if any "
                        "differs")
    c.set_defaults(func=run)
