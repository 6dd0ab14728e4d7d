"""Every tool's count of every layer beside nnref's exact count, each departure explained.

    rec = compare_layers(plan)              # plan = model.plan(input_shape)
    rec.layers[0].tools["ptflops"]          # what ptflops counts for the first call
    rec.layers[0].why["ptflops"]            # one line: why it departs from nnref, or ""
    rec.sources                             # the biggest sources of disagreement

THOP, ptflops and fvcore count multiply-accumulates, compared with nnref's ``mul`` (one
product per multiply-accumulate); torch and TF count FLOPs, compared with every
operation nnref executes. A tool "departs" from nnref on a layer when its number
differs from nnref's in its unit; the line says what the tool counts (its rule, from
its source) and, where one fits exactly, the likely cause (:mod:`._causes`).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from ..core.opcounts import OpCounts
from ._causes import calls, deltas, likely_causes
from ._common import ToolCount, check_names
from ._compare import TOOLS, exact_counts, run_tool


@dataclass(frozen=True)
class LayerComparison:
    """One call of the plan: nnref's exact counts, each tool's number and why it differs."""

    name: str
    type: str
    call: str  # how the torch model makes the call: "module", "function", ...
    input_shape: tuple
    output_shape: tuple
    exact: OpCounts
    tools: MappingProxyType  # tool -> its count of this call (ptflops: before ÷ batch)
    why: MappingProxyType  # tool -> "" if it equals nnref's figure in its unit, else one line


@dataclass(frozen=True)
class Source:
    """A layer type's share of the disagreement: per tool, the difference on it."""

    type: str
    calls: int
    differences: MappingProxyType  # tool -> tool − nnref on this type, in the tool's unit
    share: float  # the largest |difference| / nnref's whole figure, over the tools
    text: str


@dataclass(frozen=True)
class Reconciliation:
    """A whole comparison: per layer, totals and the biggest sources of disagreement."""

    title: str
    input_shape: tuple
    counts: MappingProxyType  # tool -> ToolCount (its rules per call, its printed total)
    layers: tuple  # of LayerComparison, in execution order
    exact: OpCounts  # nnref's total
    sources: tuple  # of Source, biggest first (at most three)

    @property
    def totals(self) -> dict:
        """What each tool reports for the whole model."""
        return {tool: c.total for tool, c in self.counts.items()}

    def nnref(self, tool: str) -> int:
        """nnref's whole figure in ``tool``'s unit: mul for MACs, every operation for FLOPs."""
        return in_unit(self.exact, self.counts[tool].unit)


def in_unit(counts: OpCounts, unit: str) -> int:
    return counts.mul if unit == "MACs" else counts.flops


def brief(counts: OpCounts) -> str:
    """``"mul 5,400, add 5,400"``: the kinds nnref executes."""
    return ", ".join(f"{k} {v:,}" for k, v in counts.as_dict().items() if v) or "no arithmetic"


def why(call, tool_count: int, rule: str, unit: str, candidates=None) -> str:
    """One line: how ``tool_count`` departs from nnref's count of ``call`` (or "").

    The likely cause when one fits exactly, then the tool's rule in brackets; otherwise
    the rule and what nnref executes.
    """
    exact = in_unit(call.exact, unit)
    if tool_count == exact:
        return ""
    measure = "macs" if unit == "MACs" else "flops"
    found = likely_causes(measure, exact, tool_count,
                          deltas([call]) if candidates is None else candidates)
    found = [f for f in found if f != "nothing counted"]
    head = f"{tool_count - exact:+,} {unit}: "
    if found:
        return f"{head}{found[0]} [{rule}]"
    executed = brief(call.exact) + (" (no mul)" if unit == "MACs" and not call.exact.mul else "")
    return f"{head}{rule}; nnref executes {executed}"


def _call_kind(step) -> str:
    return step[4] if len(step) > 4 else getattr(step, "call", "module")


def compare_layers(plan, tools=None, functional=(), title="model") -> Reconciliation:
    """Every tool's count of every call of ``plan`` beside nnref's, explained.

    Parameters
    ----------
    plan : list of steps
        ``model.plan(input_shape)``: ``(name, layer, input_shape, output_shape)`` steps,
        or Steps that carry ``call``, how the torch model makes each call.
    tools : sequence of str or None
        Keys of :data:`~nnref.conventions.TOOLS` (all by default).
    functional : collection of str
        Names of calls the torch model makes as functions (for 4-tuple plans).
    title : str
        The model's name, for reports.

    Returns
    -------
    Reconciliation
    """
    names = list(TOOLS) if tools is None else list(tools)
    unknown = [t for t in names if not isinstance(t, str) or t not in TOOLS]
    if isinstance(tools, str) or unknown:
        raise ValueError(f"compare_layers: tools={tools!r} is invalid; expected a list of "
                         f"tool names from {list(TOOLS)}")
    functional = set(check_names(functional, "compare_layers"))  # steps carry the rest
    steps = list(plan)  # the call kinds and targets stay: the tools' rules read them
    exact = exact_counts(steps)
    cs = calls(steps, exact)
    counts = {t: run_tool(t, steps, tuple(functional)) for t in names}
    rows = []
    for i, (c, step) in enumerate(zip(cs, plan, strict=True)):
        tool_counts = {t: counts[t].layers[i].count for t in names}
        candidates = deltas([c])
        lines = {t: why(c, tool_counts[t], counts[t].layers[i].rule, counts[t].unit, candidates)
                 for t in names}
        rows.append(LayerComparison(c.name, c.type, "function" if c.name in functional
                                    else _call_kind(step),
                                    c.input_shape, c.output_shape, c.exact,
                                    MappingProxyType(tool_counts), MappingProxyType(lines)))
    total = sum(exact, OpCounts())
    shape = tuple(steps[0][2]) if steps else ()
    return Reconciliation(title, shape, MappingProxyType(counts), tuple(rows), total,
                          sources(rows, counts, total))


def sources(rows, counts: dict, total: OpCounts, top: int = 3) -> tuple:
    """The ``top`` layer types whose counts disagree most, relative to the whole model."""
    by_type: dict = {}
    for r in rows:
        by_type.setdefault(r.type, []).append(r)
    found = []
    for kind, group in by_type.items():
        diffs, parts, share = {}, [], 0.0
        for tool, c in counts.items():
            d = sum(r.tools[tool] - in_unit(r.exact, c.unit) for r in group)
            if not d:
                continue
            whole = in_unit(total, c.unit) or 1
            diffs[tool], share = d, max(share, abs(d) / whole)
            rules = dict.fromkeys(layer.rule for layer in c.layers if layer.type == kind)
            parts.append(f"{_short(c)} {d:+,} {c.unit} ({100 * d / whole:+.2f}% of the total; "
                         f"{' | '.join(list(rules)[:2])})")
        if diffs:
            executed = brief(sum((r.exact for r in group), OpCounts()))
            text = (f"{kind}, {len(group)} call{'s' * (len(group) > 1)} where nnref executes "
                    f"{executed}: " + "; ".join(parts))
            found.append(Source(kind, len(group), MappingProxyType(diffs), share, text))
    found.sort(key=lambda s: -s.share)
    return tuple(found[:top])


def _short(c: ToolCount) -> str:
    return c.tool.split(" (")[0]
