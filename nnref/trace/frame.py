"""What one picture of a step shows, independent of how it is drawn.

A :class:`Frame` holds the panels (every input channel of the window's group with its
kernel slice, then the output), the equation lines and the counts of one step. The
PNG/GIF frames (:mod:`.plot`) draw it with matplotlib; the HTML page (:mod:`.html`)
builds the same panels in the browser with the same :data:`PALETTE`, so the three look
alike.

The equation is written in full. A window over several input channels is written one
line per channel, each ending with the running sum after that channel (the accumulator
runs on across channels, as in the reference), then the bias.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .render import _axes, _crop, _expression, _name, _operand, _spatial, fmt, format_counts

#: Colours shared by the pictures and the HTML page.
PALETTE = {
    "input": "#dbe9f6", "kernel": "#fdebd3", "output": "#dcefdc", "unknown": "#f3f3f3",
    "padding": "#e4e4e4", "hatch": "#a8a8a8", "window": "#d62728", "tap": "#ff7f0e",
    "current": "#d62728", "text": "#111111", "muted": "#666666", "skipped": "#bbbbbb",
    "background": "#ffffff",
}
MAX_ROWS, MAX_COLS = 12, 16  # grid cells shown per axis; larger views are cropped around the window


@dataclass(frozen=True)
class Cell:
    text: str
    fill: str  # a PALETTE key
    outline: str | None = None  # "window", "tap" or "current"
    hatched: bool = False


@dataclass(frozen=True)
class Panel:
    title: str
    role: str  # "input", "kernel" or "output"
    cells: tuple  # rows of Cell
    cropped: tuple = (False, False, False, False)  # top, bottom, left, right


@dataclass(frozen=True)
class Frame:
    title: str
    subtitle: str
    columns: tuple  # of (input panel, kernel panel or None); then the output panel
    output: Panel
    counts: str
    legend: tuple  # (PALETTE key, text)


def pads_of(layer, nd) -> tuple:
    pad = getattr(layer, "padding", 0)
    return tuple(pad) if isinstance(pad, (tuple, list)) else (int(pad),) * nd


def prefixes(step, nd) -> list:
    """The channel prefixes the window reads, in reading order."""
    return list(dict.fromkeys(i[:-nd] for i in step.window))


def _keys(shape, nd, positions, pads, focus):
    """Row and column keys of a plane (padding ring included), cropped around ``focus``."""
    cols = _axes([p[-1] for p in positions], shape[-1], pads[-1])
    rows = [None] if nd == 1 else _axes([p[0] for p in positions], shape[0], pads[0])
    f = [p for p in focus] or positions
    rs = [rows.index(None if nd == 1 else p[0]) for p in f]
    cs = [cols.index(p[-1]) for p in f]
    ra, rb = _crop(len(rows), min(rs), max(rs), MAX_ROWS)
    ca, cb = _crop(len(cols), min(cs), max(cs), MAX_COLS if nd == 1 else MAX_ROWS)
    cropped = (ra > 0, rb < len(rows), ca > 0, cb < len(cols))
    return rows[ra:rb], cols[ca:cb], cropped


def _key(r, c):
    return (c,) if r is None else (r, c)


def frame(step, layer, x, known, per_tap=False) -> Frame:
    """The :class:`Frame` of ``step`` (from :func:`~nnref.trace.steps.steps` on ``layer``, ``x``).

    ``known`` maps output indices computed before this step to their values.
    """
    x = np.asarray(x)
    nd = _spatial(layer)
    pads = pads_of(layer, nd)
    window = set(step.window)
    cur = step.taps[-1] if per_tap and step.taps else None
    read = {t.input for t in step.taps}
    columns = []
    for prefix in prefixes(step, nd):
        pos = [i[-nd:] for i in step.window if i[:-nd] == prefix]
        rows, cols, cropped = _keys(x.shape[-nd:], nd, pos, pads, pos)
        grid = []
        for r in rows:
            line = []
            for c in cols:
                idx = prefix + _key(r, c)
                inside = all(0 <= v < n for v, n in zip(idx[-nd:], x.shape[-nd:], strict=True))
                outline = ("tap" if cur is not None and idx == cur.input
                           else "window" if idx in window else None)
                text = fmt(x[idx], 3) if inside else ("0" if idx in read else "")
                line.append(Cell(text, "input" if inside else "padding", outline, not inside))
            grid.append(tuple(line))
        xp = Panel(_name("x", prefix), "input", tuple(grid), cropped)
        wp = None
        if step.op == "sum":
            wpre = next(wi for wi, i in zip(step.weights, step.window, strict=True)
                        if i[:-nd] == prefix)[:-nd]
            wt = np.asarray(layer.weight)[wpre]
            ktap = cur.kernel[-nd:] if cur is not None and cur.input[:-nd] == prefix else None
            wgrid = [tuple(Cell(fmt(wt[_key(r, c)], 3), "kernel",
                                "tap" if _key(r, c) == ktap else None)
                           for c in range(wt.shape[-1]))
                     for r in ([None] if nd == 1 else range(wt.shape[0]))]
            wp = Panel(_name("w", wpre), "kernel", tuple(wgrid))
        columns.append((xp, wp))
    out_shape = layer.output_shape(x.shape)
    oprefix = step.index[:-nd]
    here = step.index[-nd:]
    rows, cols, cropped = _keys(out_shape[-nd:], nd, [here], (0,) * nd, [here])
    ygrid = []
    for r in rows:
        line = []
        for c in cols:
            idx = oprefix + _key(r, c)
            if idx == step.index:
                line.append(Cell(fmt(step.value, 3) if step.done else "?", "output", "current"))
            elif idx in known:
                line.append(Cell(fmt(known[idx], 3), "output"))
            else:
                line.append(Cell("?", "unknown"))
        ygrid.append(tuple(line))
    out = Panel(_name("y", oprefix), "output", tuple(ygrid), cropped)
    return Frame(short_repr(layer), subtitle(step, layer, nd), tuple(columns), out, "ops so far: " +
                 format_counts(step.counts), legend(layer, per_tap))


def short_repr(layer) -> str:
    """``repr(layer)`` with equal per-axis values written once: ``stride=2``."""
    return re.sub(r"\((\d+)(?:,\)|(?:, \1)+\))", r"\1", repr(layer))


def subtitle(step, layer, nd) -> str:
    """``step 3 of 9: y[0, 0, 1, 0]``, and which group a grouped convolution reads."""
    text = f"step {step.number} of {step.total}: {_name('y', step.index)}"
    groups = getattr(layer, "groups", 1)
    if step.op == "sum" and groups > 1 and nd <= len(step.window[0]) - 2:
        chans = [p[-1] for p in prefixes(step, nd)]
        text += (f"   reads input channel{'s' if len(chans) > 1 else ''} "
                 f"{chans[0]}{f'–{chans[-1]}' if len(chans) > 1 else ''} "
                 f"(group {chans[0] // len(chans) + 1} of {groups})")
    return text


def legend(layer, per_tap) -> tuple:
    items = [("window", "the window")]
    if per_tap:
        items.append(("tap", "this tap"))
    if hasattr(layer, "padding"):
        mode = getattr(layer, "padding_taps", None)
        how = ("read as 0" if mode == "dense" else "skipped" if mode == "skip"
               else "never read")
        items.append(("padding", f"padding ({how})"))
    items.append(("unknown", "? not computed yet"))
    return tuple(items)


# -- the equation ----------------------------------------------------------------------------


def _wrap(head: str, items: list, tail: str, width: int, indent: int) -> list:
    """``head`` then the items separated by spaces, wrapped at ``width``, then ``tail``."""
    lines = [head]
    for part in items + ([tail] if tail else []):
        if len(lines[-1]) + 1 + len(part) <= width or lines[-1].strip() == "":
            lines[-1] += ("" if lines[-1].endswith(" ") or not lines[-1] else " ") + part
        else:
            lines.append(" " * indent + part)
    return lines


def equation(step, nd, width: int) -> list:
    """The arithmetic of ``step`` in full, wrapped at ``width`` characters."""
    return [piece for line in _equation(step, nd, width) for piece in _fold(line, width)]


def _fold(line: str, width: int) -> list:
    """``line`` cut at spaces into pieces of at most ``width`` (continuations indented)."""
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    out = []
    while len(line) > width:
        cut = line.rfind(" ", len(indent), width + 1)
        if cut <= len(indent):
            break
        out.append(line[:cut])
        line = indent + line[cut + 1:]
    return out + [line]


def _equation(step, nd, width: int) -> list:
    lhs = _name("y", step.index)
    pad = len(lhs) + 3
    taps, done = step.taps, step.done
    if step.op != "sum" or len({t.input[:-nd] for t in taps}) <= 1:
        return _single(step, lhs, width, pad)
    lines = [f"{lhs} = the sum over {len(prefixes(step, nd))} input channels"
             + (" + b" if step.bias is not None else "")]
    groups = {}
    for t in taps:
        groups.setdefault(t.input[:-nd], []).append(t)
    first = True
    for prefix, group in groups.items():
        terms = [f"{_operand(t.x)}×{_operand(t.w)}" for t in group]
        items = ([terms[0]] if first else ["+ " + terms[0]]) + ["+ " + s for s in terms[1:]]
        head = f"  {_name('x', prefix)}: "
        lines += _wrap(head, items, f"→ {fmt(group[-1].partial)}", width, len(head))
        first = False
    if not done:
        lines.append(f"  … {fmt(taps[-1].partial)} so far")
    elif step.bias is not None:
        lines.append(f"  + b = {fmt(taps[-1].partial)} + {_operand(step.bias)} = {fmt(step.value)}")
    else:
        lines.append(f"  = {fmt(step.value)}")
    return lines


def _single(step, lhs, width, pad) -> list:
    """One channel (or a pool, or dense): one wrapped sum, then its result."""
    parts, result = _expression(step, limit=None)
    lines = _wrap(f"{lhs} =", parts, "", width, pad)
    lines.append(" " * (len(lhs) + 1) + "= " + result)
    if step.op == "avg" and step.done:
        lines.append(" " * (len(lhs) + 1) + f"  divisor {step.divisor}: " + divisor_rule(step))
    return lines


def divisor_rule(step) -> str:
    """Why the divisor of an average-pooling step is what it is."""
    read = len(step.taps)
    if step.divisor == read:
        return "the taps inside the input"
    return (f"count_include_pad=True: the window clipped to the padded input ({read} taps "
            f"inside, {step.divisor - read} on padding)")
