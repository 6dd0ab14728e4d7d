"""Pictures of the step-through: one PNG per step, or an animated GIF (optional matplotlib).

Each frame (:mod:`.frame`, drawn by :mod:`.sheet`) shows every input channel of the
window's group with the window outlined and the padding hatched, each beside its kernel
slice, the output filling in, the whole equation and the counts so far, sized for a
slide: digits 16 pixels tall at the default ``dpi=100``, and no empty space.
Large inputs are cut to ``max_frames`` evenly spaced steps (first and last included);
the frame titles and the returned :class:`Saved` say so. Only the Agg canvas is used
(no pyplot, no global backend change) and GIFs are written with Pillow, not ffmpeg.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..core.validate import check_int
from .frame import frame
from .sheet import DPI, Sheet
from .steps import DEFAULT_MAX_STEPS, steps

MAX_FRAMES = 64


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


def _frames(layer, x, per_tap, max_steps, max_frames, dpi, emit):
    """Draw the chosen steps, all the same size, calling ``emit(fig, i)`` after each;
    return (frames, steps)."""
    Figure, FigureCanvasAgg = require_matplotlib()
    max_frames = check_int(max_frames, "max_frames", "plot")
    dpi = check_int(dpi, "dpi", "plot")
    x = np.asarray(x)
    chosen, known, total = [], {}, 0
    for step in steps(layer, x, per_tap=per_tap, max_steps=max_steps):
        if not total:
            total = step.total
            numbers = pick_frames(total, max_frames)
        if step.number in numbers:
            chosen.append(frame(step, layer, x, dict(known), per_tap))
            chosen[-1] = (chosen[-1], step)
        if step.done:
            known[step.index] = step.value
    sheet = Sheet(layer, [f for f, _ in chosen], [s for _, s in chosen], dpi)
    fig = Figure(figsize=sheet.size_inches, dpi=dpi)
    FigureCanvasAgg(fig)
    for i, (f, step) in enumerate(chosen, start=1):
        note = (f"   [frame {i} of {len(chosen)}: {total} steps, capped at "
                f"max_frames={max_frames}]" if len(chosen) < total else "")
        sheet.draw(fig, f, step, note)
        emit(fig, i)
    return len(chosen), total


def figure(layer, x, number: int = 1, per_tap: bool = False, dpi: int = DPI):
    """The matplotlib Figure of step ``number`` (1-based) alone, e.g. to show in Jupyter."""
    Figure, FigureCanvasAgg = require_matplotlib()
    number = check_int(number, "number", "figure")
    known, x = {}, np.asarray(x)
    for step in steps(layer, x, per_tap=per_tap):
        if step.number == number:
            f = frame(step, layer, x, known, per_tap)
            sheet = Sheet(layer, [f], [step], check_int(dpi, "dpi", "figure"))
            fig = Figure(figsize=sheet.size_inches, dpi=dpi)
            FigureCanvasAgg(fig)
            sheet.draw(fig, f, step)
            return fig
        if step.done:
            known[step.index] = step.value
    raise ValueError(f"figure: number={number} is invalid; expected 1 to {step.total}")


def save_pngs(layer, x, directory, per_tap=False, max_steps=DEFAULT_MAX_STEPS,
              max_frames=MAX_FRAMES, dpi=DPI) -> Saved:
    """Write ``step_0001.png``, ... into ``directory`` (created if needed), one per frame.

    Arguments and return value as :func:`save_gif`, with ``directory`` for ``path``.
    """
    os.makedirs(directory, exist_ok=True)
    paths = []

    def emit(fig, i):
        paths.append(os.path.join(directory, f"step_{i:04d}.png"))
        fig.savefig(paths[-1])

    frames, total = _frames(layer, x, per_tap, max_steps, max_frames, dpi, emit)
    return Saved(tuple(paths), frames, total)


def save_gif(layer, x, path, per_tap=False, max_steps=DEFAULT_MAX_STEPS,
             max_frames=MAX_FRAMES, fps=2, dpi=DPI) -> Saved:
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
    fps, dpi
        Frames per second, and pixels per inch: at the default 100 the digits in the cells
        are 16 pixels tall. Every frame has the same size, fitted to its content.

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

    frames, total = _frames(layer, x, per_tap, max_steps, max_frames, dpi, emit)
    writer.finish()
    return Saved((os.fspath(path),), frames, total)

