"""The per-layer record of one model run; :mod:`nnref.counting.render` prints it."""
from __future__ import annotations

from dataclasses import dataclass

from .opcounts import OpCounts


@dataclass(frozen=True)
class LayerRecord:
    """One call of one leaf layer."""

    name: str  # dotted, as in PyTorch: "features.0", "layer1.0.conv1"
    type: str  # class name: "Conv2d"
    output_shape: tuple
    params: int  # parameters of this layer (0 for parameter-free layers)
    counts: OpCounts


@dataclass(frozen=True)
class Report:
    """Leaf-layer records in execution order; they sum to :attr:`total`."""

    model: str
    input_shape: tuple
    dtype: str
    params: int  # parameters of the model, each counted once
    layers: tuple  # of LayerRecord

    @property
    def total(self) -> OpCounts:
        return sum((r.counts for r in self.layers), OpCounts())
