"""The per-layer record of one model run; :mod:`nnref.reports.render` prints it."""
from __future__ import annotations

from dataclasses import dataclass

from .opcounts import OpCounts

#: How a torch model makes a call: a module (``self.relu(x)``), a function (``F.relu(x)``,
#: ``torch.flatten(x, 1)``), a tensor method (``x.view(...)``), an operator (``x + y``) or
#: an attribute read (``self.class_token``, fx's get_attr: a Parameter).
#: Hook-based tools (THOP, ptflops) see only module calls.
CALLS = ("module", "function", "method", "operator", "attribute")


def check_call(call, owner: str) -> str:
    """``call`` if it is one of :data:`CALLS`; a TypeError or ValueError naming it otherwise."""
    if not isinstance(call, str) or call not in CALLS:
        error = ValueError if isinstance(call, str) else TypeError
        raise error(f"{owner}: call={call!r} is invalid; expected one of {', '.join(CALLS)}")
    return call


@dataclass(frozen=True)
class LayerRecord:
    """One call of one leaf layer.

    ``call`` says how the torch model makes the call (one of :data:`CALLS`); ``target``
    names the torch callable when it is known (``"nn.Conv2d"``, ``"F.relu"``,
    ``"torch.add"``, ``"Tensor.view"``, ``"operator.add"``), else "".
    """

    name: str  # dotted, as in PyTorch: "features.0", "layer1.0.conv1"
    type: str  # class name: "Conv2d"
    output_shape: tuple
    params: int  # parameters of this layer (0 for parameter-free layers)
    counts: OpCounts
    call: str = "module"
    target: str = ""

    def __post_init__(self):
        check_call(self.call, "LayerRecord")
        if not isinstance(self.target, str):
            raise TypeError(f"LayerRecord: target={self.target!r} is invalid; expected a str")


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


def check_report(report, owner: str) -> Report:
    """``report`` if it is a :class:`Report`; a TypeError naming ``owner`` otherwise."""
    if not isinstance(report, Report):
        raise TypeError(f"{owner}: report={report!r} is invalid; expected an nnref Report "
                        "(from model(x) or nnref.count_report)")
    return report


def _key(name: str, depth: int | None) -> str:
    """The row a layer named ``name`` belongs to when folding below ``depth``."""
    if depth is None:
        return name
    return ".".join(name.split(".")[:depth])


def _types(records) -> str:
    """The type column of a folded row: one type (``"ReLU x2"`` when repeated) or the child types."""
    kinds = list(dict.fromkeys(r.type for r in records))
    if len(kinds) == 1:
        calls = len(records)
        return kinds[0] if calls == 1 else f"{kinds[0]} x{calls}"
    return ", ".join(kinds[:3]) + (", ..." if len(kinds) > 3 else "")


def fold(layers, depth: int | None = None) -> tuple:
    """Fold leaf records into their ancestor at ``depth`` (by dotted-name prefix).

    Every call of a layer goes into one row, so a layer called several times is one row
    with the sum of its calls. Rows are in order of first call; each sums the counts of
    its records and the params of each distinct layer once, and takes the output shape
    of its last call. ``depth=None`` folds only repeated calls.

    Parameters
    ----------
    layers : sequence of LayerRecord
        Leaf records in execution order, as in :attr:`Report.layers`.
    depth : int >= 1 or None
        Depth 1 folds ``"features.0"`` and ``"features.1"`` into ``"features"``.

    Returns
    -------
    rows : tuple of LayerRecord
        The folded rows; their counts sum to those of ``layers``.
    """
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 1):
        raise ValueError(f"depth={depth!r} is invalid; expected an int >= 1 or None")
    if isinstance(layers, (str, bytes)) or not all(isinstance(r, LayerRecord) for r in layers):
        raise TypeError(f"layers={layers!r} is invalid; expected a sequence of LayerRecord")
    groups: dict = {}
    for r in layers:
        groups.setdefault(_key(r.name, depth), []).append(r)
    rows = []
    for key, records in groups.items():
        params = {r.name: r.params for r in records}  # each distinct layer once
        calls = {(r.call, r.target) for r in records}  # a folded container is a module
        call, target = calls.pop() if len(calls) == 1 else ("module", "")
        rows.append(LayerRecord(name=key, type=_types(records), output_shape=records[-1].output_shape,
                                params=sum(params.values()),
                                counts=sum((r.counts for r in records), OpCounts()),
                                call=call, target=target))
    return tuple(rows)
