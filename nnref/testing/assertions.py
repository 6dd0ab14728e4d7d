"""``assert_counts``: check a count against nnref's exact one, or a tool's convention.

    from nnref.testing import assert_counts

    assert_counts(my_flops(conv, (1, 3, 32, 32)), conv, (1, 3, 32, 32))       # every op
    assert_counts(my_macs(model), model, (1, 3, 224, 224), convention="thop")

On a mismatch it raises :class:`CountMismatch` (an AssertionError, so pytest shows it as
a failed assertion) whose message is a table: per kind (or per layer) the expected value,
the actual one, the difference, and the likely cause, from the catalogue of
:mod:`nnref.conventions._causes` (bias not counted, 2·MAC against MAC, the first add
counted, padding taps skipped, module and functional both counted, a layer type left
out, per-example against per-batch, another tool's convention, ...).

Conventions: ``"exact"`` (nnref's executed operations; an int is compared with their
total, an OpCounts or a dict kind by kind), ``"macs"`` (nnref's multiplications, one per
multiply-accumulate), and the tools ``"thop"``, ``"ptflops"``, ``"fvcore"``, ``"torch"``
and ``"tf"``, as :mod:`nnref.conventions` reproduces them (without needing the tools).
"""
from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real

from ..conventions import run_tool
from ..conventions._causes import bias_adds, calls, deltas, groups, likely_causes
from ..conventions._compare import exact_counts
from ..core.opcounts import KINDS, OpCounts
from ._names import CONVENTIONS

TOOLS = CONVENTIONS[2:]


class CountMismatch(AssertionError):
    """A count that differs from nnref's; ``str()`` is the diff table.

    Attributes: ``convention``, ``rows`` (``(what, expected, actual, cause)`` tuples),
    ``expected`` (what nnref says).
    """

    def __init__(self, message, convention, rows, expected):
        super().__init__(message)
        self.convention, self.rows, self.expected = convention, rows, expected


def resolve_plan(layer_or_model, input_shape, owner="assert_counts"):
    """``(plan, title)`` of an nnref layer, an nnref model, a zoo name, a torch module or a plan.

    A torch module goes through ``nnref.from_torch`` (the torch bridge). Each step keeps
    its call kind (module, function, method or operator), which the tools' rules read.
    """
    from ..layers.base import Layer
    from ..models import zoo

    if isinstance(layer_or_model, str):
        name = layer_or_model
        from ..bridges import zoo as torch_zoo

        if name in torch_zoo.MODELS:
            shape = torch_zoo.input_shape(name) if input_shape is None else tuple(input_shape)
            return list(torch_zoo.build(name, input_shape=shape).plan(shape)), name
        shape = zoo.input_shape(name) if input_shape is None else input_shape
        return list(zoo.build(name).plan(shape)), name
    if input_shape is None:
        raise ValueError(f"{owner}: input_shape=None is invalid; expected the input shape, "
                         "e.g. (1, 3, 224, 224)")
    if isinstance(layer_or_model, Layer):
        layer = layer_or_model
        shape = layer.check_shape(input_shape)
        return [(layer.name or layer.kind.lower(), layer, shape, layer.output_shape(shape))], repr(layer)
    if hasattr(layer_or_model, "plan") and not _is_torch_module(layer_or_model):
        return list(layer_or_model.plan(input_shape)), getattr(layer_or_model, "title", "model")
    if _is_torch_module(layer_or_model):
        import torch

        from ..bridges.torch import from_torch

        model = from_torch(layer_or_model, torch.zeros(tuple(input_shape)))
        return list(model.plan(tuple(input_shape))), type(layer_or_model).__name__
    raise TypeError(f"{owner}: layer_or_model={layer_or_model!r} is invalid; expected an nnref "
                    "layer or model, a zoo model name or a torch.nn.Module")


def _is_torch_module(obj) -> bool:
    return any(c.__module__.startswith("torch.nn") and c.__name__ == "Module"
               for c in type(obj).__mro__)


def _number(value, owner):
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{owner}: actual={value!r} is invalid; expected an int (a count), an "
                        "OpCounts, or a dict of counts by kind or by layer name")
    return int(value) if isinstance(value, Integral) or float(value).is_integer() else value


def expected_counts(layer_or_model, input_shape, convention="exact"):
    """What ``convention`` says of ``layer_or_model`` on ``input_shape``: an OpCounts for
    ``"exact"``, an int otherwise (see :func:`assert_counts`)."""
    plan, _ = resolve_plan(layer_or_model, input_shape, "expected_counts")
    return _expected(plan, _check_convention(convention, "expected_counts"))[0]


def _check_convention(convention, owner):
    if convention not in CONVENTIONS:
        raise ValueError(f"{owner}: convention={convention!r} is invalid; expected one of "
                         f"{', '.join(CONVENTIONS)}")
    return convention


def _expected(plan, convention):
    """``(total, per-call values, exact per call)`` of ``convention`` on ``plan``."""
    exact = exact_counts(plan)
    if convention == "exact":
        return sum(exact, OpCounts()), exact, exact
    if convention == "macs":
        return sum(e.mul for e in exact), [e.mul for e in exact], exact
    counts = run_tool(convention, plan)
    return counts.total, [c.count for c in counts.layers], exact


def _rows_by_kind(expected: OpCounts, actual, owner) -> list:
    if isinstance(actual, OpCounts):
        actual = actual.as_dict(flops=True)
    unknown = [k for k in actual if k not in (*KINDS, "flops")]
    if unknown:
        raise ValueError(f"{owner}: actual has kind {unknown[0]!r}; expected kinds of "
                         f"{', '.join(KINDS)} or 'flops'")
    want = expected.as_dict(flops=True)
    return [(k, want[k], _number(actual[k], owner)) for k in (*KINDS, "flops")
            if k in actual and (want[k] or actual[k] or k == "flops")]


def _by_name(plan, values) -> dict:
    out: dict = {}
    for s, v in zip(plan, values, strict=True):
        out[str(s[0])] = out.get(str(s[0]), 0) + v
    return out


def assert_counts(actual, layer_or_model, input_shape=None, convention="exact"):
    """Assert that ``actual`` is what nnref (or a tool's convention) counts.

    Parameters
    ----------
    actual : int, OpCounts, mapping of kind to int, or mapping of layer name to int
        A whole count (the total; for ``"exact"`` the total of every operation), counts
        by kind (``"exact"`` only: ``{"mul": ..., "add": ...}``, the kinds given are
        checked), or counts per layer, by the dotted names of the plan (calls of one
        name add up; for ``"exact"`` an int is the layer's total, or an OpCounts; for
        ``"ptflops"`` a layer's count is before ptflops divides by the batch size).
    layer_or_model : nnref layer, nnref model, zoo model name or torch.nn.Module
        A torch module is converted by ``nnref.from_torch``.
    input_shape : tuple of int
        The full input shape, batch axis included (a zoo name defaults to its own).
    convention : {"exact", "macs", "thop", "ptflops", "fvcore", "torch", "tf"}

    Returns
    -------
    OpCounts or int
        What nnref expected, when ``actual`` matches it.

    Raises
    ------
    CountMismatch
        An AssertionError whose message is the diff table with the likely causes.
    TypeError, ValueError
        A bad argument, named.
    """
    owner = "assert_counts"
    convention = _check_convention(convention, owner)
    plan, title = resolve_plan(layer_or_model, input_shape, owner)
    total, per_call, exact = _expected(plan, convention)
    cs = calls(plan, exact)
    rows, by_layer = _rows(actual, convention, total, _by_name(plan, per_call), owner)
    if all(want == got for _, want, got in rows):
        return total
    batch = int(plan[0][2][0]) if plan and plan[0][2] else 1
    out = [(what, want, got, [] if want == got or not isinstance(got, int) else
            _causes(what, want, got, convention, cs, plan, per_call, by_layer, batch))
           for what, want, got in rows]
    raise CountMismatch(render_mismatch(out, convention, title, cs, per_call), convention, out,
                        total)


def _rows(actual, convention, total, names, owner) -> tuple:
    """``([(what, expected, actual)], by_layer)``: what to compare, from ``actual``'s form."""
    kinds = (*KINDS, "flops")
    if isinstance(actual, OpCounts) or (isinstance(actual, Mapping) and actual
                                        and all(k in kinds for k in actual)):
        if convention != "exact":
            raise TypeError(f"{owner}: actual={actual!r} has counts by kind; convention="
                            f"{convention!r} takes an int (or counts per layer); counts by kind "
                            "are for convention='exact'")
        return _rows_by_kind(total, actual, owner), False
    if isinstance(actual, Mapping):
        unknown = [k for k in actual if k not in names]
        if unknown or not actual:
            raise ValueError(f"{owner}: actual has key {unknown[0] if unknown else None!r}, which "
                             f"is no layer of the plan; expected kinds ({', '.join(kinds)}) or "
                             f"layer names ({', '.join(list(names)[:6])}, ...)")
        return [(name, _flops(names[name]), _flops(_number(v, owner) if not isinstance(
            v, OpCounts) else v)) for name, v in actual.items()], True
    what = "flops" if convention == "exact" else convention
    return [(what, _flops(total), _number(actual, owner))], False


def _flops(value):
    return value.flops if isinstance(value, OpCounts) else value


#: What each convention's numbers are, for the table's title.
UNITS = {"exact": "every operation nnref executes", "macs": "nnref's multiplications (MACs)",
         "thop": "THOP's MACs", "ptflops": "ptflops' MACs", "fvcore": "fvcore's flops (MACs)",
         "torch": "torch FlopCounterMode's FLOPs", "tf": "the TF profiler's FLOPs"}


def render_mismatch(rows, convention, title, cs, per_call) -> str:
    """The failure message: the diff table, then what nnref counts by layer type."""
    from tabulate import tabulate

    head = "kind" if rows and rows[0][0] in (*KINDS, "flops") else "count"
    if any(r[0] in {c.name for c in cs} and r[0] not in (*KINDS, "flops") for r in rows):
        head = "layer"
    unknown = {"kind": "no known cause fits exactly",
               "count": "no known cause fits exactly: pass counts per layer, {name: count}, "
                        "to find the layer",
               "layer": "no known cause fits exactly: compare kind by kind (an OpCounts)"}[head]
    table = [[what, f"{want:,}", f"{got:,}" if isinstance(got, int) else repr(got),
              f"{got - want:+,}" if got != want else "0",
              "\n".join(causes) if causes else ("" if got == want else unknown)]
             for what, want, got, causes in rows]
    text = [f"counts differ from nnref ({UNITS[convention]}, convention={convention!r}) "
            f"for {title}:", "",
            tabulate(table, headers=[head, "expected", "actual", "difference", "likely cause"],
                     colalign=("left", "right", "right", "right", "left"),
                     maxcolwidths=[None, None, None, None, 64])]
    by_type: dict = {}
    for c, v in zip(cs, per_call, strict=True):
        n, total = by_type.get(c.type, (0, 0 if not isinstance(v, OpCounts) else OpCounts()))
        by_type[c.type] = (n + 1, total + v)
    shown = [f"{kind} x{n}: {f'{v:,}' if isinstance(v, int) else _brief(v)}"
             for kind, (n, v) in list(by_type.items())[:10]]
    text += ["", f"expected, by layer type: {'; '.join(shown)}"
             + ("; ..." if len(by_type) > 10 else "")]
    return "\n".join(text)


def _brief(counts: OpCounts) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in counts.as_dict().items() if v) or "0"


def _causes(what, want, got, convention, cs, plan, per_call, layer, batch):
    """The likely causes of one row (a kind, a whole count, or a layer)."""
    if layer:
        cs = [c for c in cs if c.name == what]
        measure = "flops" if convention == "exact" else "macs"
        per_call = [v for s, v in zip(plan, per_call, strict=True) if str(s[0]) == what]
    else:
        measure = what if what in (*KINDS, "flops", "macs") else "macs"
    if convention in ("exact", "macs"):
        others = [] if layer else [(_tool_label(t), _tool_total(t, plan)) for t in TOOLS]
        if convention == "exact" and not layer:
            others.insert(0, ("nnref's multiplications only (MACs, 1 per multiply-accumulate) "
                              "against every executed operation", sum(c.exact.mul for c in cs)))
        return likely_causes(measure, want, got, deltas(cs), batch, others)
    # a tool's convention: its own per-call counts; the other tools; nnref's exact count
    tool_cs = [c.__class__(c.name, c.layer, c.input_shape, c.output_shape, OpCounts(mul=v))
               for c, v in zip(cs, per_call, strict=True)]
    bias = sum(bias_adds(c) for c in cs)
    candidates = groups(tool_cs, lambda c: {"macs": c.exact.mul})
    if bias:
        candidates += [("bias counted (1 per output)", {"macs": bias}),
                       ("bias not counted", {"macs": -bias})]
    others = [] if layer else [(_tool_label(t), _tool_total(t, plan))
                               for t in TOOLS if t != convention]
    if not layer:
        others += [("nnref's exact MACs (mul)", sum(c.exact.mul for c in cs)),
                   ("nnref's exact operations (FLOPs)", sum(c.exact.flops for c in cs))]
        if convention == "ptflops":
            others += [("ptflops without its functional patching (count_functional=False, "
                        "as 0.6.9/0.7.0)", _ptflops(plan, count_functional=False)),
                       ("ptflops' aten backend", _ptflops(plan, backend="aten")),
                       ("ptflops' module hooks not divided by the batch size",
                        sum(per_call))]
    return likely_causes("macs", want, got, candidates, batch, others)


def _tool_total(tool, plan):
    """The tool's total, or None where the tool cannot count the plan (a rule says so)."""
    try:
        return run_tool(tool, plan).total
    except ValueError:
        return None


def _tool_label(tool) -> str:
    what = {"thop": "THOP's convention (bias ignored; ReLU and max pools 0)",
            "ptflops": "ptflops' convention (bias counted; ReLU and pools twice; module hooks "
                       "per example)",
            "fvcore": "fvcore's convention (one flop per multiply-accumulate; unsupported ops 0)",
            "torch": "torch FlopCounterMode's convention (2 per multiply-accumulate, "
                     "convolutions and matrix products only)",
            "tf": "the TF profiler's convention (2 per multiply-accumulate, BiasAdd counted, "
                  "most activations 0)"}[tool]
    return f"matches {what}"


def _ptflops(plan, **options) -> int:
    from ..conventions import ptflops

    return ptflops(plan, **options).total
