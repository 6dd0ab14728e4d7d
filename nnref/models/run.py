"""The two executors a container's dataflow runs on: shapes only, or arrays with counts.

A container writes its dataflow once, as ``flow(x, ex)``, calling ``ex.call(module, *xs)``
for each child (with ``call=`` and ``target=`` saying how a torch model makes that call,
see :data:`~nnref.core.report.CALLS`) and ``ex.concat(owner, xs, dim)`` to join branches.
:class:`Planner` passes shapes through ``output_shape`` (no arithmetic) and collects one
:class:`Step` per leaf call; :class:`Runner` calls the layers and keeps one
:class:`~nnref.core.report.LayerRecord` per leaf call.

Two leaves where the second alone reads the first's output and :func:`fusable` says
yes (a BatchNorm, then a ReLU, ReLU6 or Hardtanh) go through ``ex.pair``: the Planner
plans them as two calls, and the Runner runs them in one kernel pass, which counts each
layer's operations in a table of its own, so the records are those of two calls.
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


def _own(layer, method: str, kept: str) -> bool:
    """Whether ``layer``'s ``method`` is the one written beside (or above) its ``kept``: a
    subclass that overrides ``forward`` below its ``clamp`` or ``forward_clamped`` does
    something of its own, which a fused pass would skip."""
    mro = type(layer).__mro__
    where = next((c for c in mro if kept in vars(c)), None)
    return where is not None and next(c for c in mro if method in vars(c)) in where.__mro__


def fusable(first, second) -> bool:
    """Whether ``second(first(x))`` can run in one pass of ``first``'s kernel when nothing
    else reads ``first``'s output: a BatchNorm (``forward_clamped``), then a clamping
    activation (``clamp()`` not None: ReLU, ReLU6, Hardtanh), both leaves validated by the
    base ``__call__`` alone (so that skipping it skips nothing), neither with a forward
    of its own."""
    return (isinstance(first, Layer) and isinstance(second, Layer)
            and _own(first, "forward", "forward_clamped") and _own(second, "forward", "clamp")
            and second.clamp() is not None
            and type(first).__call__ is Layer.__call__ is type(second).__call__)


def chains(modules) -> tuple:
    """``modules``, called one after the other, as runs: ``(m,)`` for a call alone,
    ``(first, second)`` for a :func:`fusable` pair."""
    runs, i = [], 0
    while i < len(modules):
        n = 2 if i + 1 < len(modules) and fusable(modules[i], modules[i + 1]) else 1
        runs.append(tuple(modules[i:i + n]))
        i += n
    return tuple(runs)


def two_calls(ex, first, second, xs, how=(("module", ""), ("module", ""))):
    """``second(first(*xs))`` on the executor ``ex`` as two calls, ``how`` the ``(call,
    target)`` of each: ``pair`` of every executor that runs no pair in one pass."""
    (c1, t1), (c2, t2) = how
    return ex.call(second, ex.call(first, *xs, call=c1, target=t1), call=c2, target=t2)


class _Executor:
    def __init__(self, names: dict):
        self.names = names  # id(leaf) -> dotted name

    def call(self, module, *xs, call="module", target=""):
        if hasattr(module, "flow"):  # a container
            return module.flow(*xs, self)
        return self.leaf(self.names[id(module)], module, *xs, call=check_call(call, "call"),
                         target=target)

    pair = two_calls  # two leaves that fusable pairs (the Runner runs them in one pass)


class Planner(_Executor):
    """Propagate shapes; ``steps`` collects one :class:`Step` per leaf call."""

    def __init__(self, names: dict, model: str):
        super().__init__(names)
        self.model, self.steps = model, []

    def leaf(self, name, layer, *shapes, call="module", target=""):
        """A leaf's output shape; a layer of several operands gets all their shapes."""
        if len(shapes) not in layer.operand_counts:
            raise ValueError(f"{self.model}: layer {name!r} ({layer.kind}) takes "
                             f"{layer.operands} input(s); it was given {len(shapes)} of shapes "
                             f"{list(shapes)}")
        # a layer of no operand (Parameter) has input_shape (), the empty tuple of shapes
        shape = (shapes[0] if len(shapes) == 1 or shapes and all(s == shapes[0] for s in shapes)
                 else tuple(shapes))
        try:
            out = tuple(layer.output_shape(shape))
        except (ValueError, TypeError) as e:
            what = "input shape" if shape is shapes[0] else "inputs of shapes"
            raise ValueError(f"{self.model}: layer {name!r} ({layer.kind}) cannot take {what} "
                             f"{shape}: {e}") from None
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
        return self._record(name, layer, y, ops, call, target)

    def pair(self, first, second, xs, how=(("module", ""), ("module", ""))):
        """Both layers in one pass of ``first``'s kernel: a record for each, as two calls
        make them (a subclass with a ``leaf`` of its own gets two calls)."""
        if type(self).leaf is not Runner.leaf:
            return two_calls(self, first, second, xs, how)
        (c1, t1), (c2, t2) = how
        y, ops, clamped = first.forward_clamped(*xs, second.clamp())
        self._record(self.names[id(first)], first, y, ops, c1, t1)
        return self._record(self.names[id(second)], second, y, clamped, c2, t2)

    def _record(self, name, layer, y, ops, call, target):
        record = LayerRecord(name=name, type=layer.kind, output_shape=tuple(y.shape),
                             params=layer.num_params, counts=ops, call=call, target=target)
        self.records.append(record)
        if self.progress is not None:
            self.progress(record)
        return y

    def concat(self, owner, xs, dim):
        return np.concatenate(xs, axis=dim)
