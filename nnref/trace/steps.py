"""Step through a layer one output element (or one tap) at a time.

    >>> from nnref.layers.conv import Conv2d
    >>> layer = Conv2d(1, 1, 3, padding=1, rng=0)
    >>> last = list(steps(layer, np.ones((1, 1, 4, 4))))[-1]
    >>> last.counts == layer(np.ones((1, 1, 4, 4)))[1]
    True

The steps walk the windows of :mod:`nnref.reference._windows` with the same traced
arithmetic, so the cumulative counts of the last step are the layer's counts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import check_bool, check_int
from ..reference import PLANS
from ..reference._scalar import Tally
from ..reference._windows import evaluate, plan

#: Layers the step-through supports: those with a window plan in the traced reference
#: (:mod:`nnref.reference._windows`), with at most 2 spatial axes (3-D has no readable
#: picture).
STEP_KINDS = tuple(n for n in PLANS.names() if not n.endswith("3d"))
DEFAULT_MAX_STEPS = 10_000


@dataclass(frozen=True)
class Tap:
    """One tap read: kernel position, input index, and the arithmetic it did."""

    kernel: tuple
    input: tuple
    in_padding: bool
    x: float
    w: float | None  # None for pools
    product: float | None  # None for pools
    partial: float  # running sum (or max) after this tap


@dataclass(frozen=True)
class Step:
    """One output element (or, per tap, one tap of it) and the counts so far.

    ``value`` is None until the output is complete (per-tap steps before the last);
    ``window`` lists the input indices of every kernel position, padding included, and
    ``weights`` the weight index each of them is multiplied by.
    """

    number: int  # 1-based
    total: int
    op: str  # "sum", "max" or "avg"
    index: tuple  # into y
    window: tuple
    weights: tuple  # weight index of each window position (None entries for pools)
    taps: tuple  # of Tap, in reading order
    bias: float | None
    divisor: int | None  # average pooling
    value: float | None
    counts: OpCounts  # cumulative, after this step

    @property
    def done(self) -> bool:
        return self.value is not None


def spatial_axes(layer) -> int:
    """The number of spatial axes the step-through draws: 1 or 2 (0 for Dense)."""
    return len(getattr(layer, "kernel_size", ()))


def _check_layer(layer) -> None:
    if PLANS.find(layer) is None or spatial_axes(layer) > 2:
        raise TypeError(f"layer={layer!r} is invalid for the step-through; expected one of "
                        f"{', '.join(STEP_KINDS)}")


def steps(layer, x, per_tap: bool = False, max_steps: int = DEFAULT_MAX_STEPS):
    """The :class:`Step` records of ``layer`` on ``x``, one per output element (or tap).

    Parameters
    ----------
    layer : Layer
        One of :data:`STEP_KINDS`.
    x : ndarray of shape (N, C, L), (N, C, H, W), (C, ...) for pools or (*, I) for dense
        float32 or float64 input.
    per_tap : bool
        One step per tap (at least one per output) instead of one per output.
    max_steps : int
        Refuse inputs that need more steps than this (a ValueError says so).

    Returns
    -------
    Steps
        An iterator of Step, checked eagerly: bad layers, inputs and sizes raise here,
        not on iteration. In Jupyter it shows as the interactive page.

    Notes
    -----
    The counts of step ``n`` are those of steps ``1 … n``; the last equals
    ``layer(x)[1]``, and every final ``value`` the layer output at ``index``.
    """
    _check_layer(layer)
    per_tap = check_bool(per_tap, "per_tap", "steps")
    max_steps = check_int(max_steps, "max_steps", "steps")
    p = plan(layer, x)
    total = p.count_steps(False)
    at_least = per_tap and total > max_steps  # the tap count can only be larger
    if per_tap and not at_least:
        total = p.count_steps(True)
    if total > max_steps:
        unit = "taps" if per_tap else "outputs"
        need = f"{'at least ' if at_least else ''}{total} steps ({unit})"
        raise ValueError(f"steps: {layer.kind} on input shape {tuple(np.shape(x))} needs {need}, "
                         f"more than max_steps={max_steps}; expected a smaller input, or raise "
                         "the limit with max_steps=N (nnref step --max-steps N)")
    return Steps(layer, np.asarray(x), per_tap, max_steps, _walk(p, np.asarray(x), per_tap, total))


class Steps:
    """The steps of a layer on an input: an iterator of :class:`Step`, which Jupyter
    shows as the interactive page (:mod:`nnref.trace.html`).

    ``len()`` is the number of steps; :meth:`html` returns the page, which
    ``IPython.display.HTML`` also shows.
    """

    def __init__(self, layer, x, per_tap, max_steps, it):
        self.layer, self.x, self.per_tap, self.max_steps = layer, x, per_tap, max_steps
        self._it = it
        self._total = None

    def __iter__(self):
        return self

    def __next__(self) -> Step:
        return next(self._it)

    def __len__(self) -> int:
        if self._total is None:
            self._total = plan(self.layer, self.x).count_steps(self.per_tap)
        return self._total

    def html(self, formula=None) -> str:
        """The self-contained interactive page of these steps (walked afresh)."""
        from .html import page

        return page(self.layer, self.x, self.per_tap, self.max_steps, formula)

    def _repr_html_(self) -> str:
        from .html import notebook

        return notebook(self.html())

    def __repr__(self):
        return f"<steps of {self.layer.kind} on {tuple(self.x.shape)}: {len(self)} steps>"


def _walk(p, x, per_tap, total):
    tally = Tally()
    number = 0
    for win in p.windows():
        taps, snaps = [], []

        def on_tap(site, xv, wv, prod, partial, taps=taps, snaps=snaps):
            taps.append(Tap(site.kernel, site.input, site.in_padding, xv, wv, prod, partial))
            if per_tap:
                snaps.append(tally.counts())

        value = evaluate(p, win, x, tally, on_tap)
        common = dict(total=total, op=p.op, index=win.index,
                      window=tuple(s.input for s in win.sites),
                      weights=tuple(s.weight for s in win.sites), bias=win.bias,
                      divisor=win.divisor)
        for i in range(len(snaps) - 1):  # per tap: every tap but the last
            number += 1
            yield Step(number=number, taps=tuple(taps[:i + 1]), value=None, counts=snaps[i],
                       **common)
        number += 1
        yield Step(number=number, taps=tuple(taps), value=value, counts=tally.counts(), **common)
