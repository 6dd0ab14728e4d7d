"""What every tool convention shares: the result records, plan checking, shape helpers."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from math import prod

from ..core.validate import check_shape

@dataclass(frozen=True)
class LayerCount:
    """One leaf call as a tool counts it."""

    name: str  # dotted name, as in the plan
    type: str  # nnref layer type, e.g. "Conv2d"
    count: int  # the tool's number for this call, before any whole-model normalisation
    rule: str  # what the tool counts for this layer type


@dataclass(frozen=True)
class ToolCount:
    """What one tool would report for a plan: per-call counts and the printed total.

    ``unit`` is what the number measures ("MACs": multiply-accumulates, compared with
    nnref's ``mul``; "FLOPs": operations, compared with nnref's total), ``claims`` the
    word the tool prints. ``note`` explains any step between the per-call counts and
    ``total`` (ptflops divides its module hooks by the batch size).
    """

    tool: str
    unit: str
    claims: str
    layers: tuple
    total: int
    note: str = ""


def check_plan(plan, tool: str) -> list:
    """The plan as a list of ``(name, layer, input_shape, output_shape)``.

    A layer whose operands have shapes of their own (MatMul) has the tuple of their shapes
    as its input shape. Each step must hold an nnref layer and shapes the layer agrees with (its
    ``output_shape(input_shape)``); a TypeError or ValueError names the step otherwise.
    """
    if not isinstance(plan, (list, tuple)):
        raise TypeError(f"{tool}: plan={plan!r} is invalid; expected a list of (name, layer, "
                        "input_shape, output_shape) from model.plan(input_shape)")
    steps = []
    for i, step in enumerate(plan):
        if not isinstance(step, (list, tuple)) or len(step) != 4:
            raise TypeError(f"{tool}: plan[{i}]={step!r} is invalid; expected a 4-tuple "
                            "(name, layer, input_shape, output_shape)")
        name, layer, shape_in, shape_out = step
        if not callable(getattr(layer, "output_shape", None)) or not hasattr(layer, "kind"):
            raise TypeError(f"{tool}: plan[{i}] layer {name!r} has type {type(layer).__name__!r}; "
                            "expected an nnref layer")
        where = f"{tool}: plan[{i}] ({name!r})"
        shape_in = (layer.check_shape(shape_in) if getattr(layer, "shaped_operands", False)
                    else check_shape(shape_in, where, "input_shape"))
        shape_out = check_shape(shape_out, where, "output_shape")
        if tuple(layer.output_shape(shape_in)) != shape_out:
            raise ValueError(f"{where}: output_shape={shape_out} is invalid; {layer!r} gives "
                             f"{tuple(layer.output_shape(shape_in))} for input_shape={shape_in}")
        steps.append((str(name), layer, shape_in, shape_out))
    return steps


def count_plan(plan, rules, tool: str) -> list:
    """Apply ``rules`` (a Registry of ``f(layer, input_shape, output_shape) -> (count, why)``)
    to every call of ``plan``."""
    out = []
    for name, layer, shape_in, shape_out in check_plan(plan, tool):
        count, why = rules.resolve(layer, f"{tool}: layer {name!r}")(layer, shape_in, shape_out)
        out.append(LayerCount(name, layer.kind, int(count), why))
    return out


def check_names(names, tool: str) -> frozenset:
    """A collection of layer names (``functional=``) as a frozenset of str."""
    if (isinstance(names, str) or not isinstance(names, Collection)
            or not all(isinstance(n, str) for n in names)):
        raise TypeError(f"{tool}: functional={names!r} is invalid; expected a collection of "
                        "layer names, e.g. ('avgpool',)")
    return frozenset(names)


def numel(shape) -> int:
    return prod(int(s) for s in shape)


def has_bias(layer) -> bool:
    """Whether a layer adds a bias (an array, or True for the recurrent layers)."""
    b = getattr(layer, "bias", None)
    return b is not None and b is not False


def conv_macs(layer, shape_out) -> int:
    """Products of a dense convolution: out numel × (Cin / groups) × ∏k."""
    taps = (int(layer.in_channels) // int(layer.groups)) * numel(layer.kernel_size)
    return numel(shape_out) * taps


def steps_times_batch(layer, shape_in) -> int:
    """T·B of a recurrent layer's input, (T, B, I), (B, T, I) or unbatched (T, I) -> T."""
    return int(shape_in[0]) * (int(shape_in[1]) if len(shape_in) == 3 else 1)


def gates(layer) -> int:
    """Gate rows per hidden unit: 1 (RNN), 3 (GRU), 4 (LSTM)."""
    return layer.gates


def summed(tool: str, unit: str, claims: str, layers, note: str = "") -> ToolCount:
    """A :class:`ToolCount` whose total is the sum of its per-call ``layers``."""
    layers = tuple(layers)
    return ToolCount(tool, unit, claims, layers, sum(c.count for c in layers), note)
