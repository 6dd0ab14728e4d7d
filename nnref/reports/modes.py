"""Dense against skip attention masks: the same run in both modes, record by record.

``nnref.count_mask_modes(model, input_shape)`` runs a model twice, every attention layer
first with ``mask_mode="dense"`` (every score computed, then masked) and then with
``"skip"`` (only the kept scores, as flash-style kernels do), and returns a
:class:`MaskModes`: both :class:`~nnref.core.report.Report`\\ s, aligned call by call, and
what skipping saves, per layer and in total. Both figures are executed counts.

    >>> modes = nnref.count_mask_modes(model, (1, 1024, 768))
    >>> print(modes)                      # one row per layer: dense, skip, saved
    >>> modes.saved, modes.dense.total, modes.skip.total
"""
from __future__ import annotations

from dataclasses import dataclass

from ..core.opcounts import format_si
from ..core.report import Report, check_report
from .render import report_to_dict


@dataclass(frozen=True)
class MaskModes:
    """A model's report with dense and with skip attention masks (same input, same calls)."""

    dense: Report
    skip: Report

    def __post_init__(self):
        check_report(self.dense, "MaskModes")
        check_report(self.skip, "MaskModes")
        if [(r.name, r.type) for r in self.dense.layers] != [(r.name, r.type) for r in self.skip.layers]:
            raise ValueError("MaskModes: dense and skip reports have different calls; expected two "
                             "runs of the same model on the same input shape")

    @property
    def saved(self) -> int:
        """Operations that skipping masked scores saves (dense FLOPs − skip FLOPs)."""
        return self.dense.total.flops - self.skip.total.flops

    def rows(self) -> list:
        """``(name, type, dense OpCounts, skip OpCounts)`` per call, in execution order."""
        return [(d.name, d.type, d.counts, s.counts)
                for d, s in zip(self.dense.layers, self.skip.layers, strict=True)]

    def as_dict(self) -> dict:
        """Both reports in the JSON layout of :func:`~nnref.reports.render.report_to_dict`."""
        return {"dense": report_to_dict(self.dense), "skip": report_to_dict(self.skip),
                "saved_flops": self.saved}

    def table(self, units: str = "auto", changed_only: bool = False) -> str:
        """One row per call (or per call whose counts differ), with a total row."""
        from tabulate import tabulate

        def n(v):
            return format_si(v) if units == "auto" else f"{v:,}"

        if units not in ("auto", "raw"):
            raise ValueError(f"units={units!r} is invalid; expected 'auto' or 'raw'")
        body = [[name, kind, n(d.flops), n(s.flops), n(d.flops - s.flops),
                 f"{100 * (d.flops - s.flops) / d.flops:.1f}%" if d.flops else "-"]
                for name, kind, d, s in self.rows() if not changed_only or d != s]
        dt, st = self.dense.total.flops, self.skip.total.flops
        body.append(["total", "", n(dt), n(st), n(dt - st),
                     f"{100 * (dt - st) / dt:.1f}%" if dt else "-"])
        return tabulate(body, headers=["layer", "type", "dense FLOPs", "skip FLOPs", "saved",
                                       "saved %"],
                        colalign=("left", "left", "right", "right", "right", "right"))

    def __str__(self):
        return self.table()
