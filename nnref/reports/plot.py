"""A bar chart of a report: FLOPs per layer, stacked by kind (needs the ``plot`` extra)."""
from __future__ import annotations

from ..core.opcounts import KINDS
from ..core.report import Report, check_report, fold


def _matplotlib():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plotting needs matplotlib; install it with: pip install 'nnref[plot]'") from None
    return Figure


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"plot_report: {name}={value!r} is invalid; expected True or False")
    return value


def plot_report(report: Report, path, depth: int | None = None, log: bool = False):
    """Save a bar chart of FLOPs per layer, one stacked segment per operation kind.

    Parameters
    ----------
    report : Report
    path : str or path-like
        Output image; the format follows the extension (``.png``, ``.svg``, ``.pdf``).
    depth : int >= 1 or None
        Fold layers deeper than ``depth`` into their ancestor, as in the table.
    log : bool
        Use a logarithmic y axis.

    Returns
    -------
    path : the ``path`` given.

    Notes
    -----
    Uses matplotlib's object API with the Agg canvas, so no pyplot state is touched.
    """
    check_report(report, "plot_report")
    log = _flag(log, "log")
    Figure = _matplotlib()
    rows = fold(report.layers, depth)
    used = [k for k in KINDS if any(getattr(r.counts, k) for r in rows)]
    width = min(max(6.0, 0.3 * len(rows) + 2.0), 40.0)
    fig = Figure(figsize=(width, 5.0), layout="constrained")
    ax = fig.add_subplot()
    x = range(len(rows))
    bottom = [0] * len(rows)
    for k in used:
        values = [getattr(r.counts, k) for r in rows]
        ax.bar(x, values, bottom=bottom, label=k, width=0.8)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_xticks(list(x), [r.name for r in rows], rotation=90, fontsize=7)
    ax.set_xlim(-0.6, max(len(rows), 1) - 0.4)
    ax.set_ylabel("operations (FLOPs)")
    if log:
        ax.set_yscale("log")
    ax.set_title(f"{report.model}: {'x'.join(map(str, report.input_shape))} {report.dtype}, "
                 f"{report.total.flops:,} FLOPs")
    if used:
        ax.legend(title="kind", fontsize=8)
    fig.savefig(path, dpi=100)
    return path
