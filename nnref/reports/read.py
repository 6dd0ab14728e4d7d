"""Read a report back from its JSON (``nnref count MODEL --format json``), checking it.

    >>> report = read_json(open("alexnet.json").read())
    >>> report.total.mul
    714188480

The document must follow :data:`nnref.reports.render.REPORT_SCHEMA`; every key and type is
checked here (no jsonschema needed), with errors naming the path of the bad entry. A
count kind that is missing is read as 0 (:meth:`nnref.OpCounts.from_dict`), so JSON
written before a kind existed stays valid; each ``flops`` must equal the sum of its kinds.
"""
from __future__ import annotations

import json
from dataclasses import fields

from ..core.opcounts import OpCounts
from ..core.report import LayerRecord, Report
from .render import REPORT_SCHEMA

_LAYER_SCHEMA = REPORT_SCHEMA["properties"]["layers"]["items"]


def _keys(doc, schema, where: str) -> dict:
    """``doc`` as a dict with the schema's required keys and no key the schema lacks."""
    if not isinstance(doc, dict):
        raise TypeError(f"read_report: {where}={doc!r} is invalid; expected a JSON object")
    missing = [k for k in schema["required"] if k not in doc]
    if missing:
        raise ValueError(f"read_report: {where} has no {missing[0]!r}; expected the keys "
                         f"{', '.join(schema['required'])}")
    unknown = [k for k in doc if k not in schema["properties"]]
    if unknown:
        raise ValueError(f"read_report: {where} has unknown key {unknown[0]!r}; expected only "
                         f"{', '.join(schema['properties'])}")
    return doc


def _int(v, where: str, minimum: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise ValueError(f"read_report: {where}={v!r} is invalid; expected an int >= {minimum}")
    return v


def _str(v, where: str) -> str:
    if not isinstance(v, str):
        raise ValueError(f"read_report: {where}={v!r} is invalid; expected a string")
    return v


def _shape(v, where: str) -> tuple:
    if not isinstance(v, list) or not v:
        raise ValueError(f"read_report: {where}={v!r} is invalid; expected a list of ints >= 1")
    return tuple(_int(s, f"{where}[{i}]", 1) for i, s in enumerate(v))


def _record(doc, where: str) -> LayerRecord:
    doc = _keys(doc, _LAYER_SCHEMA, where)
    known = {f.name for f in fields(LayerRecord)}
    extra = {k: v for k, v in doc.items() if k in known and k not in
             ("name", "type", "output_shape", "params", "counts")}
    return LayerRecord(name=_str(doc["name"], f"{where}.name"),
                       type=_str(doc["type"], f"{where}.type"),
                       output_shape=_shape(doc["output_shape"], f"{where}.output_shape"),
                       params=_int(doc["params"], f"{where}.params", 0),
                       counts=OpCounts.from_dict(doc["counts"], f"read_report: {where}.counts"),
                       **extra)


def report_from_dict(doc) -> Report:
    """The :class:`~nnref.core.report.Report` of a JSON document (as parsed by ``json``).

    The document's ``total`` must equal the sum of its layers, kind by kind.
    """
    doc = _keys(doc, REPORT_SCHEMA, "report")
    dtype = doc["dtype"]
    if dtype not in REPORT_SCHEMA["properties"]["dtype"]["enum"]:
        raise ValueError(f"read_report: report.dtype={dtype!r} is invalid; expected float32 or "
                         "float64")
    if not isinstance(doc["layers"], list):
        raise ValueError(f"read_report: report.layers={doc['layers']!r} is invalid; expected a list")
    report = Report(model=_str(doc["model"], "report.model"),
                    input_shape=_shape(doc["input_shape"], "report.input_shape"), dtype=dtype,
                    params=_int(doc["params"], "report.params", 0),
                    layers=tuple(_record(r, f"report.layers[{i}]")
                                 for i, r in enumerate(doc["layers"])))
    total = OpCounts.from_dict(doc["total"], "read_report: report.total")
    if total != report.total:
        raise ValueError(f"read_report: report.total={doc['total']!r} is not the sum of the "
                         f"layers ({report.total.as_dict(flops=True)}); expected them to agree")
    return report


def read_json(text) -> Report:
    """The :class:`~nnref.core.report.Report` of the JSON text of a report."""
    if not isinstance(text, (str, bytes)):
        raise TypeError(f"read_json: text of type {type(text).__name__} is invalid; expected "
                        "the JSON text of a report")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"read_json: the text is not JSON ({e}); expected a report from "
                         "'nnref count MODEL --format json'") from None
    return report_from_dict(doc)
