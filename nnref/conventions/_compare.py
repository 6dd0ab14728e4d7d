"""Every tool's number beside nnref's exact counts, each difference explained by layer type."""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from ..core.opcounts import OpCounts, format_si
from ._common import ToolCount, check_plan
from ._tools import fvcore, ptflops, tf_profiler, thop, torch_flop_counter

#: name -> function(plan) -> ToolCount, in the order of the comparison table.
TOOLS = MappingProxyType({
    "thop": thop,
    "ptflops": ptflops,
    "fvcore": fvcore,
    "torch": torch_flop_counter,
    "tf": tf_profiler,
})


@dataclass(frozen=True)
class TypeDifference:
    """One layer type's share of a tool's total, beside nnref's, in the tool's unit."""

    type: str
    calls: int
    tool: int  # the tool's count for these calls
    nnref: int  # nnref's exact mul (unit MACs) or operations (unit FLOPs)
    explanation: str

    @property
    def difference(self) -> int:
        return self.tool - self.nnref


@dataclass(frozen=True)
class Comparison:
    """One tool against nnref: totals in the tool's unit and the differences by layer type."""

    tool: str
    claims: str  # the word the tool prints
    unit: str  # "MACs" (compared with nnref's mul) or "FLOPs" (with nnref's total)
    total: int  # what the tool reports
    nnref: int
    by_type: tuple  # of TypeDifference, in order of first call
    note: str
    counts: ToolCount

    @property
    def difference(self) -> int:
        return self.total - self.nnref


def exact_counts(plan) -> list:
    """nnref's exact :class:`OpCounts` of every call of ``plan``, from the closed forms."""
    from ..formulas import for_layer  # noqa: PLC0415  (formulas import all families)

    return [for_layer(s.layer, s.input_shape) for s in check_plan(plan, "compare")]


def _in_unit(counts: OpCounts, unit: str) -> int:
    return counts.mul if unit == "MACs" else counts.flops


def _executed(counts: OpCounts) -> str:
    parts = [f"{k} {v:,}" for k, v in counts.as_dict().items() if v]
    return ", ".join(parts) if parts else "no arithmetic"


def _explain(rules: list, tool: int, exact: OpCounts, unit: str) -> str:
    rule = " | ".join(dict.fromkeys(rules))
    if tool == _in_unit(exact, unit):
        return f"agrees ({rule})"
    return f"tool: {rule}. nnref executes: {_executed(exact)}"


def reconcile(counts: ToolCount, plan, exact=None) -> Comparison:
    """Compare one tool's :class:`ToolCount` with nnref's exact counts of the same ``plan``.

    ``exact`` (one :class:`OpCounts` per call of ``plan``) defaults to :func:`exact_counts`.
    """
    if not isinstance(counts, ToolCount):
        raise TypeError(f"reconcile: counts={counts!r} is invalid; expected a ToolCount "
                        "(from thop(plan), ptflops(plan), ...)")
    exact = exact_counts(plan) if exact is None else list(exact)
    if len(exact) != len(counts.layers) or not all(isinstance(e, OpCounts) for e in exact):
        raise ValueError(f"reconcile: exact has {len(exact)} entries for {len(counts.layers)} "
                         "calls; expected one OpCounts per call of the plan")
    groups: dict = {}
    for call, ops in zip(counts.layers, exact, strict=True):
        g = groups.setdefault(call.type, {"calls": 0, "tool": 0, "exact": OpCounts(), "rules": []})
        g["calls"] += 1
        g["tool"] += call.count
        g["exact"] += ops
        g["rules"].append(call.rule)
    by_type = tuple(
        TypeDifference(kind, g["calls"], g["tool"], _in_unit(g["exact"], counts.unit),
                       _explain(g["rules"], g["tool"], g["exact"], counts.unit))
        for kind, g in groups.items())
    total_exact = sum(exact, OpCounts())
    return Comparison(counts.tool, counts.claims, counts.unit, counts.total,
                      _in_unit(total_exact, counts.unit), by_type, counts.note, counts)


def _plan_of(model_or_plan, input_shape):
    """The plan of a model (anything with ``plan(input_shape)``) or a checked plan."""
    if hasattr(model_or_plan, "plan"):
        if input_shape is None:
            raise ValueError("compare: input_shape=None is invalid for a model; expected the "
                             "input shape, e.g. (1, 3, 224, 224)")
        return model_or_plan.plan(input_shape)
    plan = check_plan(model_or_plan, "compare")
    if input_shape is not None and plan and tuple(input_shape) != plan[0][2]:
        raise ValueError(f"compare: input_shape={tuple(input_shape)} does not match the plan's "
                         f"first input shape {plan[0][2]}; expected equal or None")
    return plan


def run_tool(name: str, plan, functional=()) -> ToolCount:
    """Tool ``name`` of :data:`TOOLS` on ``plan``; ``functional`` goes to the hook-based ones."""
    if not isinstance(name, str) or name not in TOOLS:
        raise ValueError(f"tool {name!r} is unknown; expected one of {list(TOOLS)}")
    if name in ("thop", "ptflops"):
        return TOOLS[name](plan, functional=functional)
    return TOOLS[name](plan)


def compare(model_or_plan, input_shape=None, tools=None, functional=()) -> list:
    """Every tool's count of a model beside nnref's exact count, with the differences explained.

    Parameters
    ----------
    model_or_plan : model, or list of Step (or of (name, layer, input_shape, output_shape))
        A model is planned on ``input_shape`` (a zoo model by name: :func:`nnref.api.compare`).
    input_shape : tuple of int or None
    tools : sequence of str or None
        Keys of :data:`TOOLS` (all by default).
    functional : collection of str
        Names of steps to read as function calls whatever the plan says (for plans without
        call kinds; see :func:`thop`). A model's plan carries its call kinds.

    Returns
    -------
    rows : list of Comparison
        One per tool: its total and unit, nnref's exact figure in that unit (``mul`` for
        MACs, every operation for FLOPs), the difference, and the per-type reconciliation.
    """
    if isinstance(tools, str) or not (tools is None or isinstance(tools, (list, tuple))):
        raise TypeError(f"compare: tools={tools!r} is invalid; expected a list of tool names "
                        f"from {list(TOOLS)}, or None for all")
    names = list(TOOLS) if tools is None else list(tools)
    for name in names:
        if not isinstance(name, str) or name not in TOOLS:
            raise ValueError(f"compare: tool {name!r} is unknown; expected one of {list(TOOLS)}")
    plan = _plan_of(model_or_plan, input_shape)
    exact = exact_counts(plan)
    return [reconcile(run_tool(name, plan, functional), plan, exact) for name in names]


def _signed(n: int) -> str:
    return f"{n:+,}" if n else "0"


def render_compare(rows, detail: bool = True) -> str:
    """The comparison as text: a summary table, then each tool's differing layer types.

    Parameters
    ----------
    rows : list of Comparison
        From :func:`compare`.
    detail : bool
        Add, per tool, one row per layer type whose count differs from nnref's.
    """
    from tabulate import tabulate

    if not isinstance(rows, (list, tuple)) or not all(isinstance(r, Comparison) for r in rows):
        raise TypeError(f"render_compare: rows={rows!r} is invalid; expected the list of "
                        "Comparison returned by compare()")
    summary = [[r.tool, r.claims, f"{r.total:,}", r.unit, f"{r.nnref:,}", _signed(r.difference),
                f"{100 * r.difference / r.nnref:+.3f}%" if r.nnref else "n/a"] for r in rows]
    text = [tabulate(summary, headers=["tool", "tool says", "count", "unit", "nnref exact",
                                       "difference", "diff %"],
                     colalign=("left", "left", "right", "left", "right", "right", "right"))]
    text.append("nnref exact: mul for MACs (one product per multiply-accumulate), every "
                "executed operation for FLOPs.")
    if not detail:
        return "\n".join(text)
    for r in rows:
        diffs = [d for d in r.by_type if d.difference]
        text.append(f"\n{r.tool} ({format_si(r.total, r.unit)}) vs nnref "
                    f"({format_si(r.nnref, r.unit)}): {_signed(r.difference)}")
        if r.note:
            text.append(f"  note: {r.note}")
        if not diffs:
            text.append("  every layer type agrees")
            continue
        table = [[f"{d.type} x{d.calls}", f"{d.tool:,}", f"{d.nnref:,}", _signed(d.difference),
                  d.explanation] for d in diffs]
        text.append(tabulate(table, headers=["layer type", "tool", "nnref", "difference", "why"],
                             colalign=("left", "right", "right", "right", "left"),
                             maxcolwidths=[None, None, None, None, 70]))
    return "\n".join(text)
