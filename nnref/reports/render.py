"""Print a :class:`~nnref.counting.report.Report` as a table, JSON or CSV.

The table follows ptflops and torchinfo: one row per layer (or per container with
``depth``), the operation counts by kind, the FLOPs and their share of the total.
JSON and CSV always list every leaf call, in execution order, so they sum to the total.
FLOPs are counts of operations, not a rate.
"""
from __future__ import annotations

import csv
import io
import json

from ..core.opcounts import KINDS, OpCounts, format_si
from ..core.report import CALLS, Report, check_report, fold

FORMATS = ("table", "json", "csv")
UNITS = ("auto", "raw")
KIND_SETS = ("main", "all")

#: Counts by kind and their total. nnref writes every kind, but only "flops" is required:
#: a missing kind reads as 0, so JSON written before a kind existed (erf and log came in
#: later) stays valid. :func:`nnref.reports.read.report_from_dict` reads either.
_COUNTS_SCHEMA = {
    "type": "object",
    "properties": {k: {"type": "integer", "minimum": 0} for k in (*KINDS, "flops")},
    "required": ["flops"],
    "additionalProperties": False,
}
_SHAPE_SCHEMA = {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1}

#: JSON Schema of :func:`report_to_dict` (and of ``nnref count MODEL --format json``).
REPORT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "nnref model report",
    "type": "object",
    "properties": {
        "model": {"type": "string"},
        "input_shape": _SHAPE_SCHEMA,
        "dtype": {"enum": ["float32", "float64"]},
        "params": {"type": "integer", "minimum": 0},
        "total": _COUNTS_SCHEMA,
        "layers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "type": {"type": "string"},
                    "output_shape": _SHAPE_SCHEMA,
                    "params": {"type": "integer", "minimum": 0},
                    "counts": _COUNTS_SCHEMA,
                    # how the torch model makes the call; absent in older JSON: "module"
                    "call": {"enum": list(CALLS)},
                    "target": {"type": "string"},
                },
                "required": ["name", "type", "output_shape", "params", "counts"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["model", "input_shape", "dtype", "params", "total", "layers"],
    "additionalProperties": False,
}

#: JSON Schema of :func:`layer_to_dict` (``nnref count "Conv2d(...)" --format json``).
LAYER_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "nnref layer count",
    "type": "object",
    "properties": {
        "layer": {"type": "string"},
        # one shape, or one per operand for operands of their own shapes (MatMul)
        "input_shape": {"oneOf": [_SHAPE_SCHEMA, {"type": "array", "items": _SHAPE_SCHEMA,
                                                  "minItems": 2}]},
        "output_shape": {**_SHAPE_SCHEMA, "minItems": 0},  # a dot product is 0-d
        "kernel": _COUNTS_SCHEMA,
        "formula": _COUNTS_SCHEMA,
    },
    "required": ["layer", "input_shape", "output_shape", "kernel", "formula"],
    "additionalProperties": False,
}


def _check(value, name: str, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name}={value!r} is invalid; expected one of {', '.join(choices)}")
    return value


def _check_counts(**counts) -> None:
    for name, c in counts.items():
        if not isinstance(c, OpCounts):
            raise TypeError(f"{name}={c!r} is invalid; expected an OpCounts")


def _shape(shape) -> list:
    """A shape as a list of ints; a tuple of operand shapes (MatMul) as a list of them."""
    return [_shape(s) if isinstance(s, (tuple, list)) else int(s) for s in shape]


def _shape_text(shape) -> str:
    """``2x3x4``; operands of their own shapes as ``2x3x4 and 4x5``; 0-d as ``()``."""
    if shape and all(isinstance(s, (tuple, list)) for s in shape):
        return " and ".join(map(_shape_text, shape))
    return "x".join(str(int(s)) for s in shape) or "()"


def fmt_count(n: int, units: str = "auto") -> str:
    """``n`` with an SI prefix (``"1.43 G"``) or, with ``units="raw"``, exactly (``"1,430,000"``)."""
    _check(units, "units", UNITS)
    text = format_si(n)  # checks n
    return text if units == "auto" else f"{int(n):,}"


def _columns(kinds: str) -> tuple:
    """The count columns of the table: mul, add, other; or every kind."""
    _check(kinds, "kinds", KIND_SETS)
    if kinds == "all":
        return ("mul", "add") + tuple(k for k in KINDS if k not in ("mul", "add"))
    return ("mul", "add", "other")


def _count(ops: OpCounts, column: str) -> int:
    if column == "other":
        return ops.flops - ops.mul - ops.add
    return getattr(ops, column)


def _percent(n: int, total: int) -> str:
    return f"{100 * n / total:.2f}%" if total else "-"


# -- table ----------------------------------------------------------------------------
def render_table(report: Report, depth: int | None = None, units: str = "auto",
                 kinds: str = "main", tablefmt: str = "simple") -> str:
    """The per-layer table with a total row and the totals by kind below it.

    Parameters
    ----------
    report : Report
    depth : int >= 1 or None
        Fold layers deeper than ``depth`` into their ancestor (see :func:`.report.fold`).
    units : {"auto", "raw"}
        SI prefixes (``"1.43 G"``) or exact integers with thousands separators.
    kinds : {"main", "all"}
        Columns mul, add and "other" (every other kind), or one column per kind.
    tablefmt : str
        Any :mod:`tabulate` format.
    """
    from tabulate import tabulate, tabulate_formats

    check_report(report, "render_table")
    if tablefmt not in tabulate_formats:
        raise ValueError(f"render_table: tablefmt={tablefmt!r} is invalid; expected one of "
                         f"{', '.join(tabulate_formats)}")
    columns = _columns(kinds)
    fmt = lambda n: fmt_count(n, units)  # noqa: E731
    total = report.total
    rows = [[r.name, r.type, _shape_text(r.output_shape), fmt(r.params),
             *(fmt(_count(r.counts, c)) for c in columns), fmt(r.counts.flops),
             _percent(r.counts.flops, total.flops)]
            for r in fold(report.layers, depth)]
    rows.append(["total", "", "", fmt(report.params), *(fmt(_count(total, c)) for c in columns),
                 fmt(total.flops), _percent(total.flops, total.flops)])
    headers = ["name", "type", "output shape", "params", *columns, "FLOPs", "%"]
    table = tabulate(rows, headers=headers, tablefmt=tablefmt, disable_numparse=True,
                     colalign=("left", "left", "left") + ("right",) * (len(headers) - 3))
    title = f"{report.model}: input {_shape_text(report.input_shape)} {report.dtype}"
    return "\n".join([title, "", table, "", *_totals(report, units)])


def _totals(report: Report, units: str) -> list:
    """Footer lines: params, FLOPs by kind, multiplications (the MACs of other tools)."""
    def both(n):
        return f"{format_si(n)} ({n:,})" if units == "auto" and n >= 1000 else f"{n:,}"

    total = report.total
    by_kind = ", ".join(f"{k} {fmt_count(v, units)}" for k, v in total.as_dict().items() if v)
    return [f"params:       {both(report.params)}",
            f"FLOPs:        {both(total.flops)}" + (f" = {by_kind}" if by_kind else ""),
            f"MACs (mul):   {both(total.mul)}"]


# -- JSON and CSV -----------------------------------------------------------------------
def report_to_dict(report: Report) -> dict:
    """The JSON layout of a report (see :data:`REPORT_SCHEMA`); leaf calls only, in order."""
    check_report(report, "report_to_dict")
    return {
        "model": report.model,
        "input_shape": _shape(report.input_shape),
        "dtype": str(report.dtype),
        "params": int(report.params),
        "total": report.total.as_dict(flops=True),
        "layers": [{"name": r.name, "type": r.type, "output_shape": _shape(r.output_shape),
                    "params": int(r.params), "counts": r.counts.as_dict(flops=True),
                    "call": r.call, "target": r.target}
                   for r in report.layers],
    }


def render_json(report: Report, indent: int | None = 2) -> str:
    """The report as JSON text (see :data:`REPORT_SCHEMA`)."""
    return json.dumps(report_to_dict(report), indent=indent)


def render_csv(report: Report) -> str:
    """One row per leaf call (name, type, output_shape, params, each kind, flops, call,
    target), then a total row."""
    check_report(report, "render_csv")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["name", "type", "output_shape", "params", *KINDS, "flops", "call", "target"])
    for r in report.layers:
        w.writerow([r.name, r.type, _shape_text(r.output_shape), r.params, *r.counts.as_tuple(),
                    r.counts.flops, r.call, r.target])
    total = report.total
    w.writerow(["total", "", "", report.params, *total.as_tuple(), total.flops, "", ""])
    return out.getvalue()


def render(report: Report, fmt: str = "table", depth: int | None = None, units: str = "auto",
           kinds: str = "main") -> str:
    """The report as ``fmt`` ("table", "json" or "csv"); depth, units and kinds shape the table only."""
    check_report(report, "render")
    _check(fmt, "format", FORMATS)
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    return render_table(report, depth=depth, units=units, kinds=kinds)


# -- one layer: kernel counts beside the closed form -------------------------------------------
def layer_to_dict(layer, input_shape, output_shape, kernel: OpCounts, formula: OpCounts) -> dict:
    """The JSON layout of one layer's count (see :data:`LAYER_SCHEMA`)."""
    _check_counts(kernel=kernel, formula=formula)
    return {"layer": repr(layer), "input_shape": _shape(input_shape),
            "output_shape": _shape(output_shape), "kernel": kernel.as_dict(flops=True),
            "formula": formula.as_dict(flops=True)}


def render_layer(layer, input_shape, output_shape, kernel: OpCounts, formula: OpCounts,
                 fmt: str = "table", units: str = "raw", dtype: str = "float32") -> str:
    """Counts of one layer by kind, from the kernels and from the closed form, side by side."""
    _check(fmt, "format", FORMATS)
    _check(units, "units", UNITS)
    _check(dtype, "dtype", ("float32", "float64"))
    _check_counts(kernel=kernel, formula=formula)
    if fmt == "json":
        return json.dumps(layer_to_dict(layer, input_shape, output_shape, kernel, formula), indent=2)
    rows = [[k, a, b, "yes" if a == b else "NO"]
            for k, a, b in zip((*KINDS, "flops"), (*kernel.as_tuple(), kernel.flops),
                               (*formula.as_tuple(), formula.flops), strict=True)]
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([["kind", "kernel", "formula", "match"], *rows])
        return out.getvalue()
    from tabulate import tabulate

    rows = [[k, fmt_count(a, units), fmt_count(b, units), m] for k, a, b, m in rows]
    table = tabulate(rows, headers=["kind", "kernel", "formula", "match"], disable_numparse=True,
                     colalign=("left", "right", "right", "left"))
    return "\n".join([repr(layer), f"input {_shape_text(input_shape)} {dtype} -> "
                      f"output {_shape_text(output_shape)}", "", table])
