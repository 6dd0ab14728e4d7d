"""Pictures of the step-through: one PNG per step, or an animated GIF (optional matplotlib).

Each frame shows the input with the window outlined and the padding hatched, the
kernel, the output filling in, the arithmetic of the step and the counts so far.
Large inputs are cut to ``max_frames`` evenly spaced steps (first and last included);
the frame titles and the returned :class:`Saved` say so. Only the Agg canvas is used
(no pyplot, no global backend change) and GIFs are written with Pillow, not ffmpeg.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..core.validate import check_int
from .render import _arithmetic, _name, _plane, _spatial, fmt, format_counts
from .steps import DEFAULT_MAX_STEPS, steps

MAX_FRAMES = 64
ANNOTATE = 144  # write the values in grids of at most this many cells


@dataclass(frozen=True)
class Saved:
    """What was written: the files, the frames drawn and the steps there were."""

    paths: tuple
    frames: int
    steps: int

    @property
    def capped(self) -> bool:
        return self.frames < self.steps

    @property
    def note(self) -> str:
        where = self.paths[0] if len(self.paths) == 1 else os.path.dirname(self.paths[0])
        text = f"wrote {where}: {self.frames} frames"
        if self.capped:
            text += (f" of {self.steps} steps (evenly spaced; raise max_frames / --max-frames "
                     "to draw more)")
        return text


def require_matplotlib():
    """matplotlib's Figure and Agg canvas; an ImportError that says how to install it."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("nnref: pictures of the step-through need matplotlib; "
                          "install it with pip install 'nnref[plot]'") from None
    return Figure, FigureCanvasAgg


def pick_frames(total: int, max_frames: int) -> set:
    """Step numbers (1-based) to draw: all, or ``max_frames`` evenly spaced incl. both ends."""
    if total <= max_frames:
        return set(range(1, total + 1))
    if max_frames == 1:
        return {total}
    return {round(i * (total - 1) / (max_frames - 1)) + 1 for i in range(max_frames)}


def _image(ax, data, title, outline=(), thick=(), hatched=(), annotate=None):
    """Draw ``data`` (rows, cols; NaN blank) with outlined and hatched cells, on a wiped ``ax``."""
    from matplotlib.patches import Rectangle

    for artist in [*ax.images, *ax.patches, *ax.texts]:
        artist.remove()
    ax.imshow(np.ma.masked_invalid(data), cmap="Blues", aspect="equal", interpolation="nearest")
    ax.set_xlim(-0.5, data.shape[1] - 0.5)
    ax.set_ylim(data.shape[0] - 0.5, -0.5)
    ax.set_title(title, fontsize=9)
    for r, c in hatched:
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, hatch="///",
                               edgecolor="0.6", linewidth=0))
    for cells, lw, color in ((outline, 1.5, "tab:red"), (thick, 3, "tab:orange")):
        for r, c in cells:
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor=color,
                                   linewidth=lw))
    if annotate is not None and data.size <= ANNOTATE:
        finite = data[np.isfinite(data)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
        for (r, c), text in np.ndenumerate(annotate):
            if text:  # white on the dark end of the colour map
                dark = hi > lo and (data[r, c] - lo) / (hi - lo) > 0.6
                ax.text(c, r, text, ha="center", va="center", fontsize=7,
                        color="white" if dark else "black")


def _layout(fig, op):
    """The axes of a frame: input, kernel (sums only), output, and the text below."""
    ncols = 3 if op == "sum" else 2
    grid = fig.add_gridspec(2, ncols, height_ratios=(3, 1.4))
    axes = {"x": fig.add_subplot(grid[0, 0]), "y": fig.add_subplot(grid[0, ncols - 1]),
            "text": fig.add_subplot(grid[1, :])}
    if op == "sum":
        axes["w"] = fig.add_subplot(grid[0, 1])
    for ax in axes.values():
        ax.set_xticks([])
        ax.set_yticks([])
    axes["text"].axis("off")
    return axes


def _draw(fig, axes, step, layer, x, known, per_tap, title):
    """Draw one frame of ``step`` on the axes of :func:`_layout`."""
    nd = _spatial(layer)
    pad = getattr(layer, "padding", 0)
    pads = tuple(pad) if isinstance(pad, (tuple, list)) else (int(pad),) * nd
    cur = step.taps[-1] if per_tap and step.taps else None
    prefix = cur.input[:-nd] if cur is not None else step.window[0][:-nd]
    fig.suptitle(title, fontsize=10)

    def key(r, c):
        return (c,) if r is None else (r, c)

    # the input plane with the window
    pos = [i[-nd:] for i in step.window if i[:-nd] == prefix]
    rows, cols, _ = _plane(x.shape[-nd:], nd, pos, pads)
    data = np.full((len(rows), len(cols)), np.nan)
    labels = np.full(data.shape, "", dtype=object)
    hatched = []
    for a, r in enumerate(rows):
        for b, c in enumerate(cols):
            k = key(r, c)
            if all(0 <= v < n for v, n in zip(k, x.shape[-nd:], strict=True)):
                data[a, b] = x[prefix + k]
                labels[a, b] = fmt(data[a, b], 2)
            else:
                hatched.append((a, b))
    where = {key(r, c): (a, b) for a, r in enumerate(rows) for b, c in enumerate(cols)}
    outline = [where[p] for p in pos]
    thick = [where[cur.input[-nd:]]] if cur is not None else []
    nch = len(dict.fromkeys(i[:-nd] for i in step.window))
    more = f" (1 of {nch} channels)" if nch > 1 else ""
    _image(axes["x"], data, _name("x", prefix) + more, outline, thick, hatched, labels)

    if step.op == "sum":  # the kernel slice this channel is multiplied by
        wpre = next(wi for wi, i in zip(step.weights, step.window, strict=True)
                    if i[:-nd] == prefix)[:-nd]
        wt = np.asarray(layer.weight, dtype=float)[wpre]  # (k,) or (kh, kw); (I,) for dense
        wt = wt.reshape(1, -1) if nd == 1 else wt
        kcur = [] if cur is None else [(0, cur.kernel[-1]) if nd == 1 else tuple(cur.kernel[-2:])]
        _image(axes["w"], wt, _name("w", wpre), (), kcur, (),
               np.vectorize(lambda v: fmt(v, 2), otypes=[object])(wt))

    # the output plane, filling in
    oprefix = step.index[:-nd]
    out_shape = layer.output_shape(x.shape)[-nd:]
    orows = [None] if nd == 1 else list(range(out_shape[0]))
    ocols = list(range(out_shape[-1]))
    ydata = np.full((len(orows), len(ocols)), np.nan)
    ylabels = np.full(ydata.shape, "", dtype=object)
    for a, r in enumerate(orows):
        for b, c in enumerate(ocols):
            idx = oprefix + key(r, c)
            v = step.value if idx == step.index else known.get(idx)
            if v is not None:
                ydata[a, b], ylabels[a, b] = v, fmt(v, 2)
    here = (0 if nd == 1 else step.index[-2], step.index[-1])
    _image(axes["y"], ydata, _name("y", oprefix), [here], (), (), ylabels)

    text = axes["text"]
    for artist in list(text.texts):
        artist.remove()
    lines = _arithmetic(step, 100)
    lines = lines if len(lines) <= 4 else lines[:3] + lines[-1:]  # keep the result line
    lines.append("ops so far: " + format_counts(step.counts))
    text.text(0, 1, "\n".join(lines), family="monospace", fontsize=8, va="top", ha="left",
              transform=text.transAxes)


def _frames(layer, x, per_tap, max_steps, max_frames, figsize, dpi, emit):
    """Draw the chosen steps, calling ``emit(fig, i)`` after each; return (frames, steps)."""
    Figure, FigureCanvasAgg = require_matplotlib()
    max_frames = check_int(max_frames, "max_frames", "plot")
    x = np.asarray(x)
    it = steps(layer, x, per_tap=per_tap, max_steps=max_steps)
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    known, chosen, drawn, total = {}, None, 0, 0
    for step in it:
        if chosen is None:
            total = step.total
            chosen = pick_frames(total, max_frames)
            axes = _layout(fig, step.op)
        if step.number in chosen:
            drawn += 1
            cap = (f"  [frame {drawn}/{len(chosen)}: {total} steps, capped at "
                   f"max_frames={max_frames}]" if len(chosen) < total else "")
            _draw(fig, axes, step, layer, x, known, per_tap,
                  f"{layer.kind}: step {step.number}/{total}{cap}")
            emit(fig, drawn)
        if step.done:
            known[step.index] = step.value
    return drawn, total


def save_pngs(layer, x, directory, per_tap=False, max_steps=DEFAULT_MAX_STEPS,
              max_frames=MAX_FRAMES, figsize=(8, 4.5), dpi=80) -> Saved:
    """Write ``step_0001.png``, ... into ``directory`` (created if needed), one per frame.

    Arguments and return value as :func:`save_gif`, with ``directory`` for ``path``.
    """
    os.makedirs(directory, exist_ok=True)
    paths = []

    def emit(fig, i):
        paths.append(os.path.join(directory, f"step_{i:04d}.png"))
        fig.savefig(paths[-1])

    frames, total = _frames(layer, x, per_tap, max_steps, max_frames, figsize, dpi, emit)
    return Saved(tuple(paths), frames, total)


def save_gif(layer, x, path, per_tap=False, max_steps=DEFAULT_MAX_STEPS,
             max_frames=MAX_FRAMES, fps=2, figsize=(8, 4.5), dpi=80) -> Saved:
    """Write an animated GIF of the step-through to ``path`` with matplotlib's PillowWriter.

    Parameters
    ----------
    layer : Layer
        One of :data:`nnref.trace.steps.STEP_KINDS`.
    x : ndarray of shape (N, C, L), (N, C, H, W), (C, ...) for pools or (*, I) for dense
    path : str or PathLike
        The GIF to write; its directory is created if needed.
    per_tap : bool
        One frame per tap rather than per output element.
    max_steps : int
        Passed to :func:`~nnref.trace.steps.steps`.
    max_frames : int
        Draw at most this many steps, evenly spaced, first and last included.
    fps, figsize, dpi
        Frames per second and the size of each frame.

    Returns
    -------
    Saved
        The path, frames drawn and steps in total; ``.note`` says if frames were capped.
    """
    require_matplotlib()
    from matplotlib.animation import PillowWriter

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    writer = PillowWriter(fps=fps)

    def emit(fig, i):
        if i == 1:
            writer.setup(fig, path, dpi)
        writer.grab_frame()

    frames, total = _frames(layer, x, per_tap, max_steps, max_frames, figsize, dpi, emit)
    writer.finish()
    return Saved((os.fspath(path),), frames, total)

