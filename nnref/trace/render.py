"""Text rendering of the step-through, for an 80-column terminal.

Each step shows the input with the window in brackets (padding as ``·``), the kernel,
the output filling in (``?`` not computed yet), the arithmetic written out, e.g.
``y[0, 0, 0, 0] = 0×1 + 1×2 + … + b`` then ``= 2 + 1 = 3``, and the counts so far.
Integer-valued numbers print without ".0"; long sums keep their ends around a ``…``.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.validate import check_int
from .steps import DEFAULT_MAX_STEPS, Step, spatial_axes, steps

WIDTH = 80
GAP = 4  # spaces between panels
MAX_TERMS = 12  # longer sums are elided in the middle
MAX_ROWS = 12  # grid rows shown around the window
MAX_CHANNELS = 3  # input channels shown per step
_SHOWN_KINDS = ("mul", "add", "cmp", "div")


def fmt(v, digits: int = 4) -> str:
    """A number for display: ``3`` not ``3.0``, else ``digits`` significant ones; ``−`` minus."""
    if v is None:
        return "?"
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        s = "inf" if v > 0 else "-inf"
    elif v.is_integer() and abs(v) < 1e15:
        s = str(int(v))
    else:
        s = f"{v:.{digits}g}"
    return s.replace("-", "−")


def _operand(v) -> str:
    s = fmt(v)
    return f"({s})" if s.startswith("−") else s


def _name(letter: str, index: tuple) -> str:
    return f"{letter}[{', '.join(str(i) for i in index)}]" if index else letter


def format_counts(counts) -> str:
    """``mul 9  add 9  cmp 0  div 0``, plus any other kind that is not zero."""
    d = counts.as_dict()
    kinds = list(_SHOWN_KINDS) + [k for k, v in d.items() if v and k not in _SHOWN_KINDS]
    return "  ".join(f"{k} {d[k]}" for k in kinds)


def _spatial(layer) -> int:
    """1 or 2: the axes of the input drawn as a grid (a dense layer's row is 1-D)."""
    return max(1, spatial_axes(layer))


# -- grids and panels -------------------------------------------------------------------


def _crop(n: int, lo: int, hi: int, limit: int) -> tuple:
    """Indices ``[a, b)`` of at most ``limit`` of ``n`` items, around ``[lo, hi]`` if it fits."""
    if n <= limit:
        return 0, n
    inner = max(1, limit - 2)  # room for a "…" marker on each side
    a = lo - (inner - (hi - lo + 1)) // 2
    a = min(max(a, 0), n - inner)
    return a, a + inner


def _grid(title, rows, cols, cell, focus, width) -> list:
    """A titled grid panel: ``cell(r, c) -> (text, mark)``, mark "[]", "{}" or None.

    ``rows``/``cols`` are the keys (``rows == [None]`` for a 1-D grid) and ``focus`` the
    ``(row_lo, row_hi, col_lo, col_hi)`` positions (list indices) to keep in view.
    """
    w, seen = 1, {}
    while True:  # the cell width decides how many columns fit, which may widen the cells
        ca, cb = _crop(len(cols), focus[2], focus[3], max(1, width // (w + 2)))
        ra, rb = _crop(len(rows), focus[0], focus[1], MAX_ROWS)
        cells = [[seen[r, c] if (r, c) in seen else seen.setdefault((r, c), cell(r, c))
                  for c in cols[ca:cb]] for r in rows[ra:rb]]
        w2 = max([1] + [len(t) for row in cells for t, _ in row])
        if w2 <= w:
            break
        w = w2
    more = " " + "…".rjust(w) + " "
    lines = []
    for row in cells:
        line = "".join((m or "  ")[0] + t.rjust(w) + (m or "  ")[1] for t, m in row)
        lines.append((more if ca > 0 else "") + line + (more if cb < len(cols) else ""))
    if ra > 0:
        lines.insert(0, more)
    if rb < len(rows):
        lines.append(more)
    return [title] + lines


def _axes(positions, size, pad):
    """Display keys of one axis: the padded input, widened to hold every window position."""
    lo = min([-pad] + positions)
    hi = max([size + pad] + [p + 1 for p in positions])
    return list(range(lo, hi))


def _focus(keys_r, keys_c, cells) -> tuple:
    rs = [keys_r.index(r) for r, _ in cells] or [0]
    cs = [keys_c.index(c) for _, c in cells] or [0]
    return min(rs), max(rs), min(cs), max(cs)


def _plane(shape, nd, positions, pads=None):
    """Row and column keys of a plane and the (row, col) pairs of ``positions`` in it."""
    pads = pads or (0,) * nd
    cols = _axes([p[-1] for p in positions], shape[-1], pads[-1])
    rows = [None] if nd == 1 else _axes([p[0] for p in positions], shape[0], pads[0])
    cells = [(None if nd == 1 else p[0], p[-1]) for p in positions]
    return rows, cols, cells


def _panels(step, layer, x, nd, out_shape, known, per_tap, width) -> tuple:
    window, cur = set(step.window), (step.taps[-1] if per_tap and step.taps else None)
    pad = getattr(layer, "padding", 0)
    pads = tuple(pad) if isinstance(pad, (tuple, list)) else (int(pad),) * nd
    prefixes = list(dict.fromkeys(i[:-nd] for i in step.window))
    panels = []
    for prefix in prefixes[:MAX_CHANNELS]:
        pos = [i[-nd:] for i in step.window if i[:-nd] == prefix]
        rows, cols, cells = _plane(x.shape[-nd:], nd, pos, pads)

        def xcell(r, c, prefix=prefix):
            idx = prefix + ((c,) if r is None else (r, c))
            inside = all(0 <= v < n for v, n in zip(idx[-nd:], x.shape[-nd:], strict=True))
            mark = "{}" if cur is not None and idx == cur.input else "[]" if idx in window else None
            return (fmt(x[idx], 3) if inside else "·"), mark

        focus = _focus(rows, cols, cells)
        panels.append(_grid(_name("x", prefix), rows, cols, xcell, focus, width))
        if step.op == "sum":
            wpre = next(wi for wi, i in zip(step.weights, step.window, strict=True)
                        if i[:-nd] == prefix)[:-nd]
            wt = np.asarray(layer.weight)[wpre]
            kpos = [k[-nd:] for k in np.ndindex(*wt.shape)]
            rows, cols, _ = _plane(wt.shape, nd, kpos)
            ktap = cur.kernel[-nd:] if cur is not None and cur.input[:-nd] == prefix else None
            tapcell = [] if ktap is None else _plane(wt.shape, nd, [ktap])[2]

            def wcell(r, c, wt=wt, ktap=ktap):
                k = (c,) if r is None else (r, c)
                return fmt(wt[k], 3), ("{}" if k == ktap else None)

            panels.append(_grid(_name("w", wpre), rows, cols, wcell, _focus(rows, cols, tapcell),
                                width))
    prefix = step.index[:-nd]
    rows, cols, cells = _plane(out_shape[-nd:], nd, [step.index[-nd:]])

    def ycell(r, c):
        idx = prefix + ((c,) if r is None else (r, c))
        if idx == step.index:
            return fmt(step.value, 3), "[]"
        return (fmt(known[idx], 3) if idx in known else "?"), None

    panels.append(_grid(_name("y", prefix), rows, cols, ycell, _focus(rows, cols, cells), width))
    hidden = len(prefixes) - MAX_CHANNELS
    return panels, (f"(+ {hidden} more input channels not shown)" if hidden > 0 else "")


def _flow(panels, width) -> list:
    """Panels side by side, wrapping to a new row (after a blank line) at ``width``."""
    rows, row, used = [], [], 0
    for p in panels:
        pw = max(len(s) for s in p)
        if row and used + GAP + pw > width:
            rows.append(row)
            row, used = [], 0
        used += (GAP if row else 0) + pw
        row.append((p, pw))
    rows.append(row)
    out = []
    for i, row in enumerate(rows):
        if i:
            out.append("")
        for k in range(max(len(p) for p, _ in row)):
            cells = [(p[k] if k < len(p) else "").ljust(pw) for p, pw in row]
            out.append((" " * GAP).join(cells).rstrip())
    return out


# -- arithmetic -------------------------------------------------------------------------


def _elide(items: list, limit: int | None = MAX_TERMS) -> list:
    """At most ``limit`` items, the middle ones replaced by "…" (``None``: all of them)."""
    if limit is None or len(items) <= limit:
        return items
    return items[:limit - 4] + ["…"] + items[-3:]


def _expression(step, limit: int | None = MAX_TERMS) -> tuple:
    """The parts of the right-hand side (joined by spaces) and the result line; sums of
    more than ``limit`` terms are elided in the middle (``None``: never)."""
    taps, done = step.taps, step.done
    partial = fmt(taps[-1].partial) if taps else ""
    if not taps:
        if step.op == "max":
            return ["max()"], f"{fmt(step.value)}  (the window holds no input)"
        first = "b" if step.bias is not None else "0"
        return [first], f"{fmt(step.value)}  (every tap is padding)"
    if step.op == "sum":
        items = _elide([f"{_operand(t.x)}×{_operand(t.w)}" for t in taps], limit)
        parts = items[:1] + ["+ " + s for s in items[1:]]
        if not done:
            return parts + ["+ …"], f"{partial} so far"
        if step.bias is None:
            return parts, fmt(step.value)
        return parts + ["+ b"], f"{partial} + {_operand(step.bias)} = {fmt(step.value)}"
    if step.op == "max":
        items = _elide([fmt(t.x) for t in taps], limit)
        parts = [s + "," for s in items[:-1]] + [items[-1] + (")" if done else ", …")]
        parts[0] = "max(" + parts[0]
        return parts, (fmt(step.value) if done else f"{partial} so far")
    items = _elide([_operand(t.x) for t in taps], limit)
    parts = ["(" + items[0]] + ["+ " + s for s in items[1:]]
    if not done:
        return parts + ["+ …"], f"{partial} so far"
    parts[-1] += ")"
    return parts + [f"/ {step.divisor}"], f"{partial} / {step.divisor} = {fmt(step.value)}"


def _arithmetic(step, width) -> list:
    lhs = _name("y", step.index)
    parts, result = _expression(step)
    lines = [f"{lhs} = {parts[0]}"]
    for part in parts[1:]:
        if len(lines[-1]) + 1 + len(part) <= width:
            lines[-1] += " " + part
        else:
            lines.append(" " * (len(lhs) + 3) + part)
    return lines + [" " * len(lhs) + " = " + result]


# -- public -----------------------------------------------------------------------------


def render_step(step, layer, x, known=None, per_tap=False, width=WIDTH) -> str:
    """One step as text: panels (input, kernel, output), the arithmetic, the counts so far.

    Parameters
    ----------
    step : Step
        From :func:`nnref.trace.steps.steps` on the same ``layer`` and ``x``.
    layer : Layer
    x : ndarray of shape (N, C, L), (N, C, H, W), ... as given to ``steps``
    known : dict, optional
        Output values computed so far, by output index (drawn in the output grid).
    per_tap : bool
        Mark the current tap with braces in the input and the kernel.
    width : int
        Line width to fit, 80 by default.
    """
    if not isinstance(step, Step):
        raise TypeError(f"render_step: step={step!r} is invalid; expected a Step from steps()")
    width = check_int(width, "width", "render_step")
    x = np.asarray(x)
    nd = _spatial(layer)
    out_shape = layer.output_shape(x.shape)
    panels, note = _panels(step, layer, x, nd, out_shape, known or {}, per_tap, width)
    lines = [f"step {step.number}/{step.total}: {_name('y', step.index)}"] + _flow(panels, width)
    if note:
        lines.append(note)
    lines += [""] + _arithmetic(step, width) + ["ops so far: " + format_counts(step.counts)]
    return "\n".join(lines)


def render_header(layer, x, total: int, per_tap: bool = False) -> str:
    """The title line and the legend of a step-through."""
    x = np.asarray(x)
    out_shape = layer.output_shape(x.shape)
    unit = " (one per tap)" if per_tap else ""
    legend = ["[ ] window"] + (["{ } this tap"] if per_tap else [])
    if hasattr(layer, "padding"):
        mode = getattr(layer, "padding_taps", None)
        how = "read as 0" if mode == "dense" else "skipped" if mode == "skip" else "never read"
        legend.append(f"· padding ({how})")
    legend.append("? not computed yet")
    return (f"{layer.kind}: x {tuple(x.shape)} → y {tuple(out_shape)} in {total} steps{unit}\n"
            + "   ".join(legend))


def render_summary(last, out_shape) -> str:
    """The closing lines: the output shape and the total counts."""
    return (f"done: y {tuple(out_shape)} in {last.total} steps\n"
            f"ops in total: {format_counts(last.counts)}")


def render_steps(layer, x, per_tap=False, max_steps=DEFAULT_MAX_STEPS, width=WIDTH):
    """The blocks of a whole step-through: the header, one per step, then the summary.

    Returns an iterator of strings (join with blank lines); checks run eagerly.
    """
    it = steps(layer, x, per_tap=per_tap, max_steps=max_steps)
    width = check_int(width, "width", "render_steps")
    return _blocks(it, layer, np.asarray(x), per_tap, width)


def _blocks(it, layer, x, per_tap, width):
    known, last = {}, None
    for step in it:
        if last is None:
            yield render_header(layer, x, step.total, per_tap)
        yield render_step(step, layer, x, known, per_tap, width)
        if step.done:
            known[step.index] = step.value
        last = step
    yield render_summary(last, layer.output_shape(x.shape))
