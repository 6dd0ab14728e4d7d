"""The interactive step-through: one self-contained HTML page (data, script and style inline).

    >>> save_html(Conv2d(2, 1, 3, stride=2, padding=1), x, "step.html")
    >>> steps(layer, x)          # in Jupyter: the same page, inline (_repr_html_)

The page needs no network: the steps of :func:`~nnref.trace.steps.steps` are embedded
as JSON (every number as Python wrote it, so the page shows the reference's values
and counts exactly), and ``step_page.js`` / ``step_page.css`` are inlined. It has
next, previous, play/pause, a slider and the arrow keys; the window outlined on every
input channel of its group, a tooltip with x·w on every tap, the output filling in,
the running counts per kind, the dense/skip switch for padded convolutions (the taps
on padding and what "skip" saves, live) and, if given, the formula being checked.
"""
from __future__ import annotations

import copy
import html as _html
import json
import math
import os
from importlib import resources

import numpy as np

from ..core.opcounts import KINDS
from .frame import PALETTE, legend, short_repr
from .render import _spatial
from .steps import DEFAULT_MAX_STEPS, steps


def _num(v):
    """A float for JSON: finite values as they are, NaN and infinities as strings."""
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else ("nan" if v != v else "inf" if v > 0 else "-inf")


def _encode(layer, x, per_tap, max_steps) -> dict:
    """The windows (one per output, row-major) and the steps (window, taps shown, counts)."""
    windows, records = [], []
    for s in steps(layer, x, per_tap=per_tap, max_steps=max_steps):
        if s.done:
            where = {site: i for i, site in enumerate(s.window)}
            windows.append({
                "o": list(s.index), "s": [list(i) for i in s.window],
                "wi": None if s.op != "sum" else [list(w) for w in s.weights],
                "t": [[where[t.input], _num(t.x), _num(t.w), _num(t.product), _num(t.partial)]
                      for t in s.taps],
                "v": _num(s.value), "b": _num(s.bias), "d": s.divisor})
        records.append([len(windows) - (1 if s.done else 0), len(s.taps), list(s.counts.as_tuple()),
                        int(s.done)])
    return {"windows": windows, "steps": records}


def _modes(layer) -> tuple:
    """``({mode: layer}, default mode)``: both padding modes for a padded convolution."""
    mode = getattr(layer, "padding_taps", None)
    pad = getattr(layer, "padding", 0)
    padded = any(p > 0 for p in (pad if isinstance(pad, tuple) else (pad,)))
    if mode is None or not padded:
        return {"dense": layer}, "dense"
    twin = copy.copy(layer)  # the plan reads padding_taps only; the kernel never runs here
    twin.padding_taps = "skip" if mode == "dense" else "dense"
    return {mode: layer, twin.padding_taps: twin}, mode


def page_data(layer, x, per_tap=False, max_steps=DEFAULT_MAX_STEPS, formula=None) -> dict:
    """Everything the page shows, as a JSON-ready dict (checked like :func:`steps`)."""
    x = np.asarray(x)
    layers, default = _modes(layer)
    modes = {m: _encode(one, x, per_tap, max_steps) for m, one in layers.items()}
    first = modes[default]["windows"][0]
    weight = None
    if first["wi"] is not None:
        w = np.asarray(layer.weight, dtype=float)
        weight = {"shape": list(w.shape), "data": [_num(v) for v in w.ravel()]}
    if formula is not None and not isinstance(formula, dict):
        raise TypeError(f"formula={formula!r} is invalid; expected a dict with text, value, "
                        "values and count (nnref.testing.formula.formula_for_page)")
    return {
        "title": short_repr(layer), "kind": layer.kind, "nd": _spatial(layer),
        "op": "sum" if first["wi"] is not None else "max" if layer.kind.startswith("Max") else "avg",
        "x": {"shape": list(x.shape), "data": [_num(v) for v in x.ravel()]}, "w": weight,
        "out_shape": list(layer.output_shape(x.shape)), "per_tap": bool(per_tap),
        "kinds": list(KINDS), "mode": default, "modes": modes,
        "count_include_pad": getattr(layer, "count_include_pad", None),
        "legend": [list(item) for item in legend(layer, per_tap)],
        "palette": PALETTE, "formula": formula,
    }


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def page(layer, x, per_tap=False, max_steps=DEFAULT_MAX_STEPS, formula=None) -> str:
    """The whole page as one string of HTML."""
    data = page_data(layer, x, per_tap, max_steps, formula)
    blob = json.dumps(data, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    blob = blob.replace("</", "<\\/")
    css = _asset("step_page.css")
    colours = "".join(f"--{k}:{v};" for k, v in PALETTE.items())
    title = _html.escape(f"nnref step: {data['title']}")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>:root{{{colours}}}\n{css}</style></head>"
            f'<body><div id="app"></div>'
            f'<script type="application/json" id="nnref-data">{blob}</script>'
            f"<script>\n{_asset('step_page.js')}</script></body></html>\n")


def notebook(page_html: str, height: int = 900) -> str:
    """``page_html`` in an ``<iframe srcdoc>``, for Jupyter: its own document, so the
    page's script and style run and stay apart from the notebook's."""
    return (f'<iframe srcdoc="{_html.escape(page_html, quote=True)}" '
            f'style="width:100%;height:{int(height)}px;border:1px solid #ddd" '
            'title="nnref step-through"></iframe>')


def save_html(layer, x, path, per_tap=False, max_steps=DEFAULT_MAX_STEPS, formula=None) -> str:
    """Write the page to ``path`` (its directory is created); return a one-line note.

    ``layer``, ``x``, ``per_tap`` and ``max_steps`` are as for
    :func:`nnref.trace.plot.save_gif`. ``formula``, optional, is a formula to show beside
    the counts, as :func:`nnref.testing.formula.formula_for_page` makes it.
    """
    text = page(layer, x, per_tap, max_steps, formula)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return f"wrote {os.fspath(path)}: an interactive page ({len(text.encode()) // 1024 + 1} KiB)"
