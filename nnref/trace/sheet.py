"""Draw :class:`~nnref.trace.frame.Frame` pictures with matplotlib, sized to their content.

Everything is placed in pixels on one axes that covers the figure, so sizes are exact:
at the default 100 dpi the cell digits are set in 16 pt (22 px type, digits 16 px
tall), cells are at least 46 px square, and the figure is exactly as large as
the panels, the equation and the counts need (no empty space). All frames of one
animation share the largest layout, so the GIF keeps a fixed size.

Panels are laid out as small multiples: one column per input channel of the window's
group (the input plane above its kernel slice), then the output; more than
:data:`MAX_COLUMNS` channels wrap onto further rows.
"""
from __future__ import annotations

from .frame import PALETTE, equation
from .render import _spatial

DPI = 100
CELL_PT, TITLE_PT, PANEL_PT, EQ_PT, SMALL_PT = 16, 15, 13, 13, 13
MAX_COLUMNS = 6
MIN_WIDTH = 760  # px at 100 dpi: room for the equation and the legend
FONT = "DejaVu Sans"
MONO = "DejaVu Sans Mono"


def _px(pt, dpi):
    return pt * dpi / 72


class Sheet:
    """The geometry shared by a set of frames, and the drawing of one of them."""

    def __init__(self, layer, frames, steps, dpi=DPI):
        self.dpi, u = dpi, dpi / 100
        self.u, self.nd = u, _spatial(layer)
        texts = [c.text for f in frames for p in _panels(f) for row in p.cells for c in row]
        widest = max([len(t) for t in texts] + [1])
        self.ch = 46 * u
        self.cw = max(self.ch, 0.62 * _px(CELL_PT, dpi) * widest + 14 * u)
        self.m, self.gap, self.th = 18 * u, 22 * u, 28 * u
        ncol = max(len(f.columns) for f in frames)
        self.colw = [max(self._w(f.columns[i][0], f.columns[i][1]) for f in frames
                         if i < len(f.columns)) for i in range(ncol)]
        self.xh = max(self._h(c[0]) for f in frames for c in f.columns)
        self.wh = max([self._h(c[1]) for f in frames for c in f.columns if c[1] is not None]
                      + [0])
        self.outw = max(self._w(f.output) for f in frames)
        self.outh = max(self._h(f.output) for f in frames)
        self.rows = [list(range(i, min(i + MAX_COLUMNS, ncol))) for i in range(0, ncol, MAX_COLUMNS)]
        widths = [sum(self.colw[i] for i in r) + self.gap * (len(r) - 1) for r in self.rows]
        # the output goes beside the last kernel when it fits there, else in its own column
        last_w = max([self._w(f.columns[-1][1]) for f in frames if f.columns[-1][1]] + [0])
        self.inline = (len(self.rows) == 1 and self.wh > 0
                       and self.outw <= self.colw[-1] - last_w - self.gap)
        if self.inline:
            self.wh = max(self.wh, self.outh)
        colh = self.xh + (self.gap / 2 + self.wh if self.wh else 0)
        self.panels_w = max(widths) + (0 if self.inline else self.gap + self.outw)
        self.title_w = max(0.68 * _px(TITLE_PT, dpi) * max(len(f.title) for f in frames),
                           0.6 * _px(PANEL_PT, dpi) * 64)
        self.width = max(self.panels_w + 2 * self.m, MIN_WIDTH * u, self.title_w + 2 * self.m)
        self.char = 0.602 * _px(EQ_PT, dpi)
        self.chars = int((self.width - 2 * self.m) / self.char)
        self.eq_lines = max(len(equation(s, self.nd, self.chars)) for s in steps)
        self.line = 1.4 * _px(EQ_PT, dpi)
        self.panels_h = max(len(self.rows) * colh + (len(self.rows) - 1) * self.gap, self.outh)
        self.top = self.m + 1.5 * _px(TITLE_PT, dpi) + 1.5 * _px(PANEL_PT, dpi)
        self.eq_top = self.top + self.panels_h + self.gap
        self.height = self.eq_top + (self.eq_lines + 2.4) * self.line + self.m

    def _w(self, xp, wp=None) -> float:
        cols = [len(p.cells[0]) for p in (xp, wp) if p is not None]
        return max(cols) * self.cw

    def _h(self, p) -> float:
        return 0 if p is None else self.th + len(p.cells) * self.ch

    @property
    def size_inches(self) -> tuple:
        return self.width / self.dpi, self.height / self.dpi

    def draw(self, fig, f, step, note: str = "") -> None:
        """Draw frame ``f`` of ``step`` on ``fig`` (cleared first)."""
        fig.clear()
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, self.width)
        ax.set_ylim(self.height, 0)
        ax.axis("off")
        ax.text(self.m, self.m, f.title, fontsize=TITLE_PT, family=FONT,
                fontweight="bold", va="top", color=PALETTE["text"], gid="title")
        ax.text(self.m, self.m + 1.5 * _px(TITLE_PT, self.dpi), f.subtitle + note,
                fontsize=PANEL_PT, family=FONT, va="top", color=PALETTE["muted"], gid="subtitle")
        x0 = self.m + (self.width - 2 * self.m - self.panels_w) / 2
        y = self.top
        for r in self.rows:
            x = x0
            for i in r:
                if i < len(f.columns):
                    xp, wp = f.columns[i]
                    self._panel(ax, xp, x, y)
                    if wp is not None:
                        self._panel(ax, wp, x, y + self.xh + self.gap / 2)
                x += self.colw[i] + self.gap
            y += self.xh + (self.gap / 2 + self.wh if self.wh else 0) + self.gap
        ox = x0 + self.panels_w - self.outw
        self._panel(ax, f.output, ox, self.top + (self.xh + self.gap / 2 if self.inline else 0))
        y = self.eq_top
        for line in equation(step, self.nd, self.chars):
            ax.text(self.m, y, line, fontsize=EQ_PT, family=MONO, va="top",
                    color=PALETTE["text"], gid="equation")
            y += self.line
        y += 0.3 * self.line
        ax.text(self.m, y, f.counts, fontsize=EQ_PT, family=MONO, va="top", fontweight="bold",
                color=PALETTE["text"], gid="counts")
        self._legend(ax, f.legend, y + 1.15 * self.line)

    def _legend(self, ax, items, y) -> None:
        from matplotlib.patches import Rectangle

        x, s = self.m, 0.8 * self.line
        for key, text in items:
            outline = key in ("window", "tap")
            ax.add_patch(Rectangle((x, y), s, s, facecolor="none" if outline else PALETTE[key],
                                   edgecolor=PALETTE[key] if outline else PALETTE["hatch"],
                                   linewidth=2.5 if outline else 0.8,
                                   hatch="///" if key == "padding" else None))
            ax.text(x + s + 6 * self.u, y + s / 2, text, fontsize=SMALL_PT, family=FONT,
                    va="center", color=PALETTE["muted"], gid="legend")
            x += s + 14 * self.u + 0.55 * _px(SMALL_PT, self.dpi) * len(text)

    def _panel(self, ax, p, x0, y0) -> None:
        from matplotlib.patches import Rectangle

        ax.text(x0, y0 + self.th / 2, p.title, fontsize=PANEL_PT, family=FONT, va="center",
                color=PALETTE["text"], gid=f"panel-title:{p.title}")
        gy = y0 + self.th
        rows, cols = len(p.cells), len(p.cells[0])
        ax.add_patch(Rectangle((x0, gy), cols * self.cw, rows * self.ch, fill=False,
                               edgecolor=PALETTE["hatch"], linewidth=1,
                               gid=f"panel:{p.role}:{p.title}"))
        lines = []
        for r, row in enumerate(p.cells):
            for c, cell in enumerate(row):
                X, Y = x0 + c * self.cw, gy + r * self.ch
                ax.add_patch(Rectangle((X, Y), self.cw, self.ch, facecolor=PALETTE[cell.fill],
                                       edgecolor="white", linewidth=1.5))
                if cell.hatched:
                    ax.add_patch(Rectangle((X, Y), self.cw, self.ch, fill=False, hatch="///",
                                           edgecolor=PALETTE["hatch"], linewidth=0))
                if cell.text:
                    ax.text(X + self.cw / 2, Y + self.ch / 2, cell.text, ha="center",
                            va="center_baseline", fontsize=CELL_PT, family=FONT,
                            color=PALETTE["text"], gid=f"cell:{p.role}")
                if cell.outline:
                    lines.append((X, Y, cell.outline))
        inset = 2 * self.u
        for X, Y, kind in lines:  # on top of every cell
            ax.add_patch(Rectangle((X + inset, Y + inset), self.cw - 2 * inset,
                                   self.ch - 2 * inset, fill=False, edgecolor=PALETTE[kind],
                                   linewidth=3.5 if kind == "tap" else 2.5))
        top, bottom, left, right = p.cropped
        mid_x, mid_y = x0 + cols * self.cw / 2, gy + rows * self.ch / 2
        for on, (tx, ty) in ((left, (x0 - 9 * self.u, mid_y)),
                             (right, (x0 + cols * self.cw + 9 * self.u, mid_y)),
                             (top, (mid_x, gy - 2 * self.u)),
                             (bottom, (mid_x, gy + rows * self.ch + 9 * self.u))):
            if on:
                ax.text(tx, ty, "…", ha="center", va="center", fontsize=PANEL_PT,
                        color=PALETTE["muted"])


def _panels(f):
    return [p for c in f.columns for p in c if p is not None] + [f.output]
