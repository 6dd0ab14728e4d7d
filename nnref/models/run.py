"""The two executors a container's dataflow runs on: shapes only, or arrays with counts.

A container writes its dataflow once, as ``flow(x, ex)``, calling ``ex.call(module, *xs)``
for each child and ``ex.concat(owner, xs, dim)`` to join branches. :class:`Planner` passes
shapes through ``output_shape`` (no arithmetic); :class:`Runner` calls the layers and
keeps one :class:`~nnref.counting.report.LayerRecord` per leaf call.
"""
from __future__ import annotations

import numpy as np

from ..core.report import LayerRecord


class _Executor:
    def __init__(self, names: dict):
        self.names = names  # id(leaf) -> dotted name

    def call(self, module, *xs):
        if hasattr(module, "flow"):  # a container
            return module.flow(*xs, self)
        return self.leaf(self.names[id(module)], module, *xs)


class Planner(_Executor):
    """Propagate shapes; ``steps`` collects ``(name, layer, input_shape, output_shape)``."""

    def __init__(self, names: dict, model: str):
        super().__init__(names)
        self.model, self.steps = model, []

    def leaf(self, name, layer, *shapes):
        """A leaf's output shape; the operands of a layer of several inputs share one shape
        (Add) or make its input shape together (MatMul: :meth:`Layer.input_shape_of`)."""
        where = f"{self.model}: layer {name!r} ({layer.kind})"
        if len(shapes) > 1 and not layer.shaped_operands and any(s != shapes[0] for s in shapes):
            raise ValueError(f"{where} cannot take inputs of shapes {list(shapes)}; "
                             "expected equal shapes")
        shown = shapes[0] if len(shapes) == 1 else list(shapes)
        try:
            shape = layer.input_shape_of(shapes) if len(shapes) > 1 else shapes[0]
            out = tuple(layer.output_shape(shape))
        except ValueError as e:
            raise ValueError(f"{where} cannot take input shape {shown}: {e}") from None
        self.steps.append((name, layer, shape, out))
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
    """Call the layers on arrays; ``records`` collects one LayerRecord per leaf call."""

    def __init__(self, names: dict, progress=None):
        super().__init__(names)
        self.progress, self.records = progress, []

    def leaf(self, name, layer, *xs):
        y, ops = layer(*xs)
        record = LayerRecord(name=name, type=layer.kind, output_shape=tuple(y.shape),
                             params=layer.num_params, counts=ops)
        self.records.append(record)
        if self.progress is not None:
            self.progress(record)
        return y

    def concat(self, owner, xs, dim):
        return np.concatenate(xs, axis=dim)
