"""Reports of a model run, for people and programs: a table, JSON (with a JSON Schema)
and CSV (:mod:`.render`), and a bar chart (:mod:`.plot`, needs the ``plot`` extra);
:mod:`.read` reads a JSON report back, old ones included (a missing kind reads as 0).

The records themselves, :class:`~nnref.core.report.Report` and
:class:`~nnref.core.report.LayerRecord`, are in the shared core.
"""
