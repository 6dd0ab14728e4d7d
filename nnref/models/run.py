"""The two executors a container's dataflow runs on: shapes only, or arrays with counts.

A container writes its dataflow once, as ``flow(x, ex)``, calling ``ex.call(module, *xs)``
for each child (with ``call=`` and ``target=`` saying how a torch model makes that call,
see :data:`~nnref.core.report.CALLS`) and ``ex.concat(owner, xs, dim)`` to join branches.
:class:`Planner` passes shapes through ``output_shape`` (no arithmetic) and collects one
:class:`Step` per leaf call; :class:`Runner` calls the layers and keeps one
:class:`~nnref.core.report.LayerRecord` per leaf call.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..core.report import LayerRecord, check_call
from ..layers.base import Layer
from .memory import keep_freed_memory


class Step(NamedTuple):
    """One leaf call of a plan.

    ``input_shape`` is the input's shape, or for a layer of several operands whose shapes
    differ (a broadcast ``Mul``, a ``Cat``) the tuple of their shapes; for a layer of no
    operand (a ``Parameter``, a tensor the model holds) it is ``()``, the empty tuple of
    operand shapes, which the layer's ``output_shape`` takes. ``call`` and
    ``target`` say how the torch model makes the call (see :class:`LayerRecord`).
    """

    name: str
    layer: Layer
    input_shape: tuple
    output_shape: tuple
    call: str = "module"
    target: str = ""


class _Executor:
    def __init__(self, names: dict):
        self.names = names  # id(leaf) -> dotted name

    def call(self, module, *xs, call="module", target=""):
        if hasattr(module, "flow"):  # a container
            return module.flow(*xs, self)
        return self.leaf(self.names[id(module)], module, *xs, call=check_call(call, "call"),
                         target=target)


class Planner(_Executor):
    """Propagate shapes; ``steps`` collects one :class:`Step` per leaf call."""

    def __init__(self, names: dict, model: str):
        super().__init__(names)
        self.model, self.steps = model, []

    def leaf(self, name, layer, *shapes, call="module", target=""):
        """A leaf's output shape; a layer of several operands gets all their shapes."""
        where = f"{self.model}: layer {name!r} ({layer.kind})"
        if len(shapes) not in layer.operand_counts:
            raise ValueError(f"{where} takes {layer.operands} input(s); it was given "
                             f"{len(shapes)} of shapes {list(shapes)}")
        # a layer of no operand (Parameter) has input_shape (), the empty tuple of shapes
        shape = shapes[0] if shapes and all(s == shapes[0] for s in shapes) else tuple(shapes)
        try:
            out = tuple(layer.output_shape(shape))
        except (ValueError, TypeError) as e:
            what = "input shape" if shape is shapes[0] else "inputs of shapes"
            raise ValueError(f"{where} cannot take {what} {shape}: {e}") from None
        self.steps.append(Step(name, layer, shape, out, call, target))
        return out

    def concat(self, owner, shapes, dim):
        first = shapes[0]
        where = f"{self.model}: {owner.name or 'the top level'!r} (Concat)"
        if not -len(first) <= dim < len(first):
            raise ValueError(f"{where}: dim={dim} is out of range for branch outputs of shape {first}")
        d = dim % len(first)
        for s in shapes[1:]:
            if len(s) != len(first) or s[:d] + s[d + 1:] != first[:d] + first[d + 1:]:
                raise ValueError(f"{where}: branch outputs of shapes {list(shapes)} cannot be "
                                 f"joined along dim={dim}; expected equal sizes on other axes")
        return first[:d] + (sum(s[d] for s in shapes),) + first[d + 1:]


class Runner(_Executor):
    """Call the layers on arrays, after a :class:`Planner` has checked every call on
    shapes; ``records`` collects one LayerRecord per leaf call."""

    def __init__(self, names: dict, progress=None):
        super().__init__(names)
        self.progress, self.records = progress, []
        keep_freed_memory()  # the next forward reuses this one's memory (no page faults)

    def leaf(self, name, layer, *xs, call="module", target=""):
        # The model checked its input and planned every call on shapes first, so a layer
        # that validates nothing beyond that (the base __call__) goes straight to forward.
        y, ops = layer.forward(*xs) if type(layer).__call__ is Layer.__call__ else layer(*xs)
        record = LayerRecord(name=name, type=layer.kind, output_shape=tuple(y.shape),
                             params=layer.num_params, counts=ops, call=call, target=target)
        self.records.append(record)
        if self.progress is not None:
            self.progress(record)
        return y

    def concat(self, owner, xs, dim):
        return np.concatenate(xs, axis=dim)
