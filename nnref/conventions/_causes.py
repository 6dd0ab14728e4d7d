"""Why a count departs from nnref's: the catalogue of likely causes, tried one by one.

Given a plan, nnref's exact counts and some other number for it (a user's counter, a
tool), :func:`likely_causes` names the conventions that turn the one into the other:
the bias not counted, 2 per multiply-accumulate against 1, the first add of each dot
product counted, padding taps skipped, a module and its functional call both counted,
a layer type left out, the batch divided out, another tool's convention, ...

Each cause is a function registered with ``@cause(label)`` that returns the signed
change it makes, per kind of operation (``{"add": -200}``), or None where it does not
apply to the plan. ``"flops"`` is the sum of the kinds; ``"macs"`` (multiply-accumulates,
compared with nnref's ``mul``) defaults to the ``mul`` change. Causes are also tried two
at a time, and after the scalings (× 2, ÷ 2, ÷ batch, × batch).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from itertools import combinations

from ..core.opcounts import KINDS, OpCounts
from ._common import has_bias, numel, steps_times_batch

CONV = ("Conv1d", "Conv2d", "Conv3d", "DepthwiseConv2d", "PointwiseConv2d")
DENSE = ("Dense", "Linear")
RECURRENT = ("RNN", "GRU", "LSTM")
ACTIVATIONS = ("ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "SiLU", "Softmax")
#: Layers whose torch module calls a torch.nn.functional function that ptflops patches.
PATCHED = ("ReLU", "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
           "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "AdaptiveAvgPool3d")
MEASURES = (*KINDS, "flops", "macs")


@dataclass(frozen=True)
class Call:
    """One call of a plan with nnref's exact counts: what the causes look at."""

    name: str
    layer: object
    input_shape: tuple
    output_shape: tuple
    exact: OpCounts

    @property
    def type(self) -> str:
        return self.layer.kind


def calls(plan, exact) -> tuple:
    """The :class:`Call` of each step of ``plan`` (4- or 5-tuples) with its exact counts."""
    return tuple(Call(str(s[0]), s[1], tuple(s[2]), tuple(s[3]), e)
                 for s, e in zip(plan, exact, strict=True))


def _signed(counts: OpCounts, sign: int = 1) -> dict:
    return {k: sign * v for k, v in counts.as_dict().items() if v}


def _total(calls_, pick) -> dict:
    """The sum of the signed deltas ``pick(call)`` (dicts or None) over ``calls_``."""
    out: dict = {}
    for c in calls_:
        for k, v in (pick(c) or {}).items():
            out[k] = out.get(k, 0) + v
    return {k: v for k, v in out.items() if v} or None


def _variant(c: Call, **attrs) -> OpCounts:
    """nnref's exact counts of ``c``'s layer with some attributes changed."""
    from ..formulas import for_layer  # noqa: PLC0415  (formulas import all families)

    layer = copy.copy(c.layer)
    for k, v in attrs.items():
        setattr(layer, k, v)
    return for_layer(layer, c.input_shape)


def _minus(a: OpCounts, b: OpCounts) -> dict:
    return {k: x - y for k, x, y in zip(KINDS, a.as_tuple(), b.as_tuple(), strict=True) if x != y}


def bias_adds(c: Call) -> int:
    """The bias adds nnref executes in call ``c`` (0 without a bias)."""
    if c.type not in CONV + DENSE + RECURRENT or not has_bias(c.layer):
        return 0
    return c.exact.add - _variant(c, bias=False if c.type in RECURRENT else None).add


def dot_products(c: Call) -> int:
    """The dot products (sums of products) of call ``c``: one first add each."""
    if c.type in RECURRENT:
        return 2 * c.layer.gates * c.layer.hidden_size * steps_times_batch(c.layer, c.input_shape)
    if c.type in CONV + DENSE:
        return c.exact.mul - (c.exact.add - bias_adds(c))
    return 0


#: label -> f(calls) -> signed per-kind change or None; filled by @cause, in order.
CAUSES: dict = {}


def cause(label: str):
    def register(f):
        if label in CAUSES:
            raise ValueError(f"cause {label!r} is registered twice")
        CAUSES[label] = f
        return f

    return register


@cause("bias not counted (nnref adds the bias once per output)")
def _no_bias(cs):
    return _total(cs, lambda c: {"add": -bias_adds(c)} if bias_adds(c) else None)


@cause("bias counted as a multiply-accumulate (1 per output)")
def _bias_as_mac(cs):
    total = sum(bias_adds(c) for c in cs)
    return {"macs": total} if total else None


@cause("first add counted: k adds per dot product of k products (nnref executes k − 1: "
       "the first product initialises the sum)")
def _first_add(cs):
    return _total(cs, lambda c: {"add": dot_products(c)} if dot_products(c) else None)


@cause("padding taps skipped (nnref's padding_taps='dense' multiplies the zeros of the "
       "padding, as im2col does)")
def _skip(cs):
    return _total(cs, lambda c: _minus(_variant(c, padding_taps="skip"), c.exact)
                  if c.type in CONV and getattr(c.layer, "padding_taps", "") == "dense"
                  and any(getattr(c.layer, "padding", ())) else None)


@cause("padding taps counted (this layer has padding_taps='skip': nnref executes only the "
       "taps inside the input)")
def _dense(cs):
    return _total(cs, lambda c: _minus(_variant(c, padding_taps="dense"), c.exact)
                  if getattr(c.layer, "padding_taps", "") == "skip" else None)


@cause("module and functional both counted: ReLU and the pools twice (their module's "
       "forward calls a hooked torch.nn.functional function, as in ptflops 0.7.2–0.7.5)")
def _twice(cs):
    return _total(cs, lambda c: _signed(c.exact) if c.type in PATCHED else None)


def _left_out(types, what):
    @cause(f"{what} not counted")
    def left_out(cs):
        return _total(cs, lambda c: _signed(c.exact, -1) if c.type in types else None)

    return left_out


_left_out(ACTIVATIONS, "activations (ReLU, sigmoid, softmax, ...)")
_left_out(tuple(n for n in PATCHED if n != "ReLU"), "pooling")
_left_out(("BatchNorm1d", "BatchNorm2d", "BatchNorm3d"), "batch norm")
_left_out(("Add",), "elementwise adds (residual joins)")
_left_out(RECURRENT, "recurrent layers")


@cause("max pooling: k comparisons per window of k (nnref: k − 1)")
def _max_k(cs):
    return _total(cs, lambda c: {"cmp": numel(c.output_shape)}
                  if "MaxPool" in c.type and c.exact.cmp else None)


@cause("recurrent layers: one time step counted (TF's profiler counts a while-loop body once)")
def _one_step(cs):
    def one(c):
        t = int(c.input_shape[1] if c.layer.batch_first and len(c.input_shape) == 3
                else c.input_shape[0])
        return {k: v // t - v for k, v in c.exact.as_dict().items() if v} if t > 1 else None

    return _total(cs, lambda c: one(c) if c.type in RECURRENT else None)


def measure(delta: dict, what: str) -> int:
    """A delta's change of ``what``: a kind, ``"flops"`` (all kinds) or ``"macs"``."""
    if what == "flops":
        return sum(v for k, v in delta.items() if k in KINDS)
    if what == "macs":
        return delta.get("macs", delta.get("mul", 0))
    return delta.get(what, 0)


def deltas(cs) -> list:
    """``(label, delta)`` of every cause that applies to the calls ``cs``: the catalogue,
    then each layer type and each layer (all calls of a name) counted twice or not at all."""
    found = [(label, f(cs)) for label, f in CAUSES.items()]
    return [(label, d) for label, d in found + groups(cs, lambda c: _signed(c.exact)) if d]


def groups(cs, value) -> list:
    """``(label, delta)``: each layer type and each layer name (all its calls) counted
    twice or left out, ``value(call)`` being a call's signed delta; groups that hold every
    call are left to the scalings (× 2) and to "nothing counted"."""
    members: dict = {}
    for c in cs:
        members.setdefault(f"every {c.type}", []).append(c)
    for c in cs:
        if len(members[f"every {c.type}"]) > 1 and c.name:
            members.setdefault(f"{c.name} ({c.type})", []).append(c)
    out = []
    for what, group in members.items():
        if len(group) == len(cs):
            continue
        total: dict = {}
        for c in group:
            for k, v in value(c).items():
                total[k] = total.get(k, 0) + v
        out += [(f"{what} counted twice", total),
                (f"{what} not counted", {k: -v for k, v in total.items()})]
    return out


def likely_causes(what: str, expected: int, actual: int, candidates, batch: int = 1,
                  alternatives=()) -> list:
    """The causes that turn ``expected`` (nnref's value of ``what``) into ``actual``.

    Parameters
    ----------
    what : str
        The measure compared: a kind of :data:`~nnref.core.opcounts.KINDS`, ``"flops"``
        (every operation) or ``"macs"`` (nnref's ``mul``; or a tool's MACs).
    expected, actual : int
    candidates : sequence of (label, delta)
        The causes to try, from :func:`deltas` (or a tool's own list).
    batch : int
        The batch size, for the ÷ batch and × batch scalings.
    alternatives : sequence of (label, int)
        Whole other values of ``what`` to try first (another tool's total, ...).

    Returns
    -------
    list of str
        The explanations that match exactly, simplest first (one cause before two, no
        scaling before a scaling); empty if none does.
    """
    if actual == expected:
        return []
    if actual == 0:
        return ["nothing counted"]
    others = [label for label, value in alternatives if value == actual]
    found: list = []
    singles: dict = {}
    for label, d in candidates:
        if measure(d, what):
            singles.setdefault(measure(d, what), []).append(label)
    scalings = [("", 1, 1), ("2 per multiply-accumulate: twice nnref's count", 2, 1),
                ("half of nnref's count (MACs against FLOPs)", 1, 2)]
    if batch > 1:
        scalings += [(f"divided by the batch size {batch} (per example)", 1, batch),
                     (f"{batch} times nnref's count (the batch counted twice?)", batch, 1)]
    for scale, num, den in scalings:
        if (actual * den) % num:
            continue
        target = actual * den // num - expected  # the change the causes must add up to
        tail = [scale] if scale else []
        if scale and not target:
            found.append(scale)
        found += ["; and ".join([label] + tail) for label in singles.get(target, ())]
        if not found:
            found += [f"{a}; and {b}" + (f"; and {scale}" if scale else "")
                      for v in sorted(singles) if v <= target - v and target - v in singles
                      for a in singles[v] for b in singles[target - v] if a != b][:3]
        if found:
            break
    return list(dict.fromkeys(found + others))
