"""Report rendering: table, depth folding, units, kinds, JSON schema, CSV, plot.

Every report here is built by hand, and every expected number is hand arithmetic.
"""
import csv
import io
import json

import pytest

from nnref import OpCounts
from nnref.reports.render import (REPORT_SCHEMA, fmt_count, render, render_csv, render_json,
                                   render_table, report_to_dict)
from nnref.core.report import LayerRecord, Report, fold

LAYERS = (
    LayerRecord("features.0", "Conv2d", (1, 4, 8, 8), 112, OpCounts(mul=1000, add=900)),
    LayerRecord("features.1", "ReLU", (1, 4, 8, 8), 0, OpCounts(cmp=256)),
    LayerRecord("features.2", "MaxPool2d", (1, 4, 4, 4), 0, OpCounts(cmp=192)),
    LayerRecord("classifier.0", "Linear", (1, 10), 650, OpCounts(mul=640, add=640)),
    LayerRecord("act", "Sigmoid", (1, 10), 0, OpCounts(neg=10, exp=10, add=10, div=10)),
    LayerRecord("act", "Sigmoid", (1, 10), 0, OpCounts(neg=10, exp=10, add=10, div=10)),
)
REPORT = Report("tiny", (1, 4, 8, 8), "float32", 762, LAYERS)
# By hand: mul 1000+640, add 900+640+10+10, cmp 256+192, neg/exp/div 10+10.
TOTAL = {"add": 1560, "sub": 0, "mul": 1640, "div": 20, "neg": 20, "exp": 20, "sqrt": 0,
         "cmp": 448, "erf": 0, "log": 0, "flops": 3708}


def rows_of(table: str) -> dict:
    """The data rows of a rendered table by name (first column), as lists of cells."""
    lines = table.splitlines()
    start = next(i for i, ln in enumerate(lines) if set(ln.strip()) <= {"-", " "} and ln.strip()) + 1
    end = lines.index("", start)
    return {ln.split()[0]: ln for ln in lines[start:end]}


def header_of(table: str) -> list:
    lines = table.splitlines()
    sep = next(i for i, ln in enumerate(lines) if set(ln.strip()) <= {"-", " "} and ln.strip())
    return lines[sep - 1].split()


# -- table ----------------------------------------------------------------------------------
def test_table_has_every_layer_and_a_total_row():
    rows = rows_of(render_table(REPORT, units="raw"))
    assert list(rows) == ["features.0", "features.1", "features.2", "classifier.0", "act", "total"]
    assert "Conv2d" in rows["features.0"] and "1x4x8x8" in rows["features.0"]
    assert rows["total"].split()[1:3] == ["762", "1,640"]  # params, mul


def test_table_percent_column_sums_to_100():
    rows = rows_of(render_table(REPORT))
    pct = [float(r.split()[-1].rstrip("%")) for n, r in rows.items() if n != "total"]
    assert sum(pct) == pytest.approx(100, abs=0.05)
    assert pct[0] == pytest.approx(100 * 1900 / 3708, abs=0.005)


def test_table_repeated_layer_is_one_row_with_both_calls():
    row = rows_of(render_table(REPORT, units="raw"))["act"]
    assert "Sigmoid x2" in row
    assert row.split()[-2] == "80"  # 2 calls x 40 FLOPs


def test_table_main_kinds_lumps_other_kinds():
    table = render_table(REPORT, units="raw")
    assert header_of(table)[-4:] == ["add", "other", "FLOPs", "%"]
    assert rows_of(table)["features.1"].split()[-4:-2] == ["0", "256"]  # add, other
    assert rows_of(table)["total"].split()[-4:-2] == ["1,560", "508"]  # 448 cmp + 3 x 20


def test_table_all_kinds_has_a_column_per_kind():
    table = render_table(REPORT, units="raw", kinds="all")
    assert header_of(table)[-12:] == ["mul", "add", "sub", "div", "neg", "exp", "sqrt", "cmp",
                                      "erf", "log", "FLOPs", "%"]
    assert rows_of(table)["total"].split()[-12:-2] == ["1,640", "1,560", "0", "20", "20", "20",
                                                       "0", "448", "0", "0"]


def test_table_units_raw_vs_auto():
    raw = rows_of(render_table(REPORT, units="raw"))["total"]
    auto = rows_of(render_table(REPORT, units="auto"))["total"]
    assert raw.split()[-2] == "3,708"
    assert auto.split()[-3:-1] == ["3.71", "k"]
    assert fmt_count(61_100_840) == "61.1 M"
    assert fmt_count(61_100_840, "raw") == "61,100,840"
    assert fmt_count(999) == "999"


def test_table_footer_totals():
    footer = render_table(REPORT, units="raw").splitlines()[-3:]
    assert footer[0].split() == ["params:", "762"]
    assert "3,708" in footer[1] and "mul 1,640" in footer[1] and "cmp 448" in footer[1]
    assert footer[2].split()[-1] == "1,640"  # MACs (mul)


def test_table_depth_1_folds_into_containers():
    rows = rows_of(render_table(REPORT, units="raw", depth=1))
    assert list(rows) == ["features", "classifier", "act", "total"]
    features = rows["features"]
    assert "Conv2d, ReLU, MaxPool2d" in features
    assert "1x4x4x4" in features  # output of the last folded call
    assert features.split()[-2] == "2,348"  # 1000 + 900 + 256 + 192


def test_table_of_a_report_without_operations():
    report = Report("empty", (1,), "float64", 0, (LayerRecord("id", "Identity", (1,), 0, OpCounts()),))
    assert rows_of(render_table(report))["id"].split()[-1] == "-"


# -- fold ---------------------------------------------------------------------------------------
def test_fold_depth_1_sums_counts_and_params():
    features, classifier, act = fold(LAYERS, 1)
    assert (features.name, features.params, features.output_shape) == ("features", 112, (1, 4, 4, 4))
    assert features.counts == OpCounts(mul=1000, add=900, cmp=448)
    assert (classifier.name, classifier.type, classifier.params) == ("classifier", "Linear", 650)
    assert act.counts == OpCounts(neg=20, exp=20, add=20, div=20)
    assert sum((r.counts for r in (features, classifier, act)), OpCounts()).as_dict(True) == TOTAL


def test_fold_counts_params_of_a_shared_layer_once():
    shared = LayerRecord("block.conv", "Conv2d", (1, 2), 30, OpCounts(mul=5))
    other = LayerRecord("block.bn", "BatchNorm2d", (1, 2), 4, OpCounts(add=2))
    (row,) = fold([shared, other, shared], 1)
    assert row.params == 34 and row.counts == OpCounts(mul=10, add=2)
    assert row.type == "Conv2d, BatchNorm2d"


def test_fold_without_depth_merges_only_repeated_calls():
    rows = fold(LAYERS)
    assert [r.name for r in rows] == ["features.0", "features.1", "features.2", "classifier.0", "act"]
    assert rows[-1].type == "Sigmoid x2"
    assert fold(LAYERS, 5) == rows


def test_fold_many_child_types_are_shortened():
    recs = [LayerRecord(f"m.{i}", t, (1,), 0, OpCounts()) for i, t in enumerate("ABCD")]
    assert fold(recs, 1)[0].type == "A, B, C, ..."


@pytest.mark.parametrize("depth", [0, -1, 1.5, True, "1"])
def test_fold_rejects_bad_depth(depth):
    with pytest.raises(ValueError, match="depth"):
        fold(LAYERS, depth)


@pytest.mark.parametrize("kw", [{"units": "si"}, {"kinds": "some"}, {"fmt": "xml"}])
def test_render_rejects_bad_options(kw):
    with pytest.raises(ValueError, match=next(iter(kw)).replace("fmt", "format")):
        render(REPORT, **kw)


# -- JSON -------------------------------------------------------------------------------------
def test_json_validates_and_has_exactly_the_layout(jsonschema):
    doc = json.loads(render_json(REPORT))
    jsonschema.validate(doc, REPORT_SCHEMA)
    assert list(doc) == ["model", "input_shape", "dtype", "params", "total", "layers"]
    assert doc["total"] == TOTAL
    assert (doc["model"], doc["input_shape"], doc["dtype"], doc["params"]) == \
        ("tiny", [1, 4, 8, 8], "float32", 762)
    first = doc["layers"][0]
    assert first == {"name": "features.0", "type": "Conv2d", "output_shape": [1, 4, 8, 8],
                     "params": 112, "counts": {"add": 900, "sub": 0, "mul": 1000, "div": 0, "neg": 0,
                                               "exp": 0, "sqrt": 0, "cmp": 0, "erf": 0, "log": 0,
                                               "flops": 1900},
                     "call": "module", "target": ""}


def test_json_lists_each_call_and_ignores_depth():
    doc = json.loads(render(REPORT, "json", depth=1))
    assert [r["name"] for r in doc["layers"]] == [r.name for r in LAYERS]  # "act" twice
    for k in TOTAL:
        assert sum(r["counts"][k] for r in doc["layers"]) == TOTAL[k]


@pytest.mark.parametrize("breaks", ["drop_total", "extra_key", "negative", "float_count"])
def test_json_schema_rejects_broken_documents(breaks, jsonschema):
    doc = report_to_dict(REPORT)
    if breaks == "drop_total":
        del doc["total"]
    elif breaks == "extra_key":
        doc["layers"][0]["macs"] = 1
    elif breaks == "negative":
        doc["layers"][0]["counts"]["mul"] = -1
    else:
        doc["total"]["flops"] = 3708.5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, REPORT_SCHEMA)


# -- CSV --------------------------------------------------------------------------------------
def test_csv_rows_sum_to_the_total_row():
    rows = list(csv.DictReader(io.StringIO(render_csv(REPORT))))
    assert list(rows[0]) == ["name", "type", "output_shape", "params", *TOTAL, "call", "target"]
    *layers, total = rows
    assert [r["name"] for r in layers] == [r.name for r in LAYERS]
    assert total["name"] == "total" and int(total["params"]) == 762
    for k in TOTAL:
        assert int(total[k]) == TOTAL[k] == sum(int(r[k]) for r in layers)
    assert layers[2]["output_shape"] == "1x4x4x4"


# -- plot -------------------------------------------------------------------------------------
def test_plot_writes_a_png(tmp_path, matplotlib):
    from nnref.reports.plot import plot_report

    for depth in (None, 1):
        path = tmp_path / f"flops{depth}.png"
        assert plot_report(REPORT, path, depth=depth) == path
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000


def test_plot_without_matplotlib_says_how_to_install(monkeypatch, tmp_path):
    import sys

    from nnref.reports.plot import plot_report

    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"nnref\[plot\]"):
        plot_report(REPORT, tmp_path / "x.png")


# -- the kinds erf and log in every report; old JSON without them --------------------------------
SPECIAL = Report("special", (2, 6), "float64", 0, (
    LayerRecord("gelu", "GELU", (2, 6), 0, OpCounts(mul=36, add=12, erf=12)),
    LayerRecord("logsm", "LogSoftmax", (2, 6), 0, OpCounts(cmp=10, sub=24, exp=12, add=10, log=2)),
))


def test_erf_and_log_in_the_table_csv_json_and_footer():
    table = render_table(SPECIAL, units="raw", kinds="all")
    assert header_of(table)[-4:-2] == ["erf", "log"]
    assert rows_of(table)["gelu"].split()[-4:-2] == ["12", "0"]
    assert rows_of(table)["total"].split()[-4:-2] == ["12", "2"]
    # other = erf 12 + cmp 10 + sub 24 + exp 12 + log 2
    assert rows_of(render_table(SPECIAL, units="raw"))["total"].split()[-3] == "60"
    assert "erf 12" in table and "log 2" in table  # the footer's FLOPs by kind
    rows = list(csv.DictReader(io.StringIO(render_csv(SPECIAL))))
    assert (rows[-1]["erf"], rows[-1]["log"], rows[-1]["flops"]) == ("12", "2", "118")
    doc = json.loads(render_json(SPECIAL))
    assert doc["total"]["erf"] == 12 and doc["layers"][1]["counts"]["log"] == 2


def _without_new_kinds(doc):
    """``doc`` as nnref wrote it before erf and log were kinds."""
    for counts in [doc["total"]] + [r["counts"] for r in doc["layers"]]:
        del counts["erf"], counts["log"]
    return doc


def test_old_json_without_erf_and_log_is_valid_and_reads_them_as_zero(jsonschema):
    from nnref.reports.read import read_json, report_from_dict

    old = _without_new_kinds(report_to_dict(REPORT))
    jsonschema.validate(old, REPORT_SCHEMA)
    assert report_from_dict(old) == REPORT
    assert read_json(render_json(REPORT)) == REPORT
    assert read_json(render_json(SPECIAL)).total == OpCounts(mul=36, add=22, erf=12, cmp=10,
                                                               sub=24, exp=12, log=2)


@pytest.mark.parametrize("breaks,match", [
    ("total_is_not_the_sum", "report.total"), ("layer_flops_wrong", r"layers\[0\].counts"),
    ("unknown_kind", "'tanh'"), ("missing_key", "'params'"), ("extra_key", "'macs'"),
    ("bad_shape", r"output_shape\[1\]"), ("bad_dtype", "dtype"),
])
def test_reader_names_what_is_wrong(breaks, match):
    from nnref.reports.read import report_from_dict

    doc = report_to_dict(REPORT)
    first = doc["layers"][0]
    if breaks == "total_is_not_the_sum":
        doc["total"]["mul"] += 1
        doc["total"]["flops"] += 1
    elif breaks == "layer_flops_wrong":
        first["counts"]["flops"] += 1
    elif breaks == "unknown_kind":
        first["counts"]["tanh"] = 0
    elif breaks == "missing_key":
        del first["params"]
    elif breaks == "extra_key":
        first["macs"] = 1
    elif breaks == "bad_shape":
        first["output_shape"][1] = 0
    else:
        doc["dtype"] = "float16"
    with pytest.raises((TypeError, ValueError), match=match):
        report_from_dict(doc)


def test_read_json_rejects_what_is_not_json():
    from nnref.reports.read import read_json

    with pytest.raises(ValueError, match="not JSON"):
        read_json("{model")
    with pytest.raises(TypeError, match="text"):
        read_json(None)
