"""The nnref command: layer specs, zoo models, error lines and exit codes.

Expected counts come from hand arithmetic or from the formula modules; AlexNet's
parameter count is torchvision's.
"""
import json
import subprocess
import sys

import pytest

from nnref.cli import main, parse_shape
from nnref.reports.render import LAYER_SCHEMA, REPORT_SCHEMA

ALEXNET_PARAMS = 61_100_840  # torchvision.models.alexnet()


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def error_line(err: str) -> str:
    """The stderr of a failed command: exactly one line, ``nnref: error: ...``."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nnref: error: ")
    return lines[0]


# -- one layer ---------------------------------------------------------------------------------
def test_count_layer_table_shows_kernel_beside_formula(capsys):
    status, out, err = run(capsys, "count", "LeakyReLU(0.2)", "--input", "2,3,4,5")
    assert status == 0, err
    assert out.splitlines()[0] == "LeakyReLU(negative_slope=0.2)"
    assert "2x3x4x5" in out
    rows = {ln.split()[0]: ln.split()[1:] for ln in out.splitlines()[4:] if ln.strip()}
    assert rows["mul"] == ["120", "120", "yes"]  # 2*3*4*5 elements, one mul and one cmp each
    assert rows["cmp"] == ["120", "120", "yes"]
    assert rows["flops"] == ["240", "240", "yes"]
    assert rows["add"] == ["0", "0", "yes"]


def test_count_layer_json(capsys, jsonschema):
    status, out, _ = run(capsys, "count", "Sigmoid", "--input", "3,7", "--format", "json",
                         "--dtype", "float64")
    assert status == 0
    doc = json.loads(out)
    jsonschema.validate(doc, LAYER_SCHEMA)
    assert doc["layer"] == "Sigmoid()" and doc["input_shape"] == doc["output_shape"] == [3, 7]
    assert doc["kernel"] == doc["formula"]
    # 21 elements: neg, exp, add, div once each
    assert doc["kernel"] == {"add": 21, "sub": 0, "mul": 0, "div": 21, "neg": 21, "exp": 21,
                             "sqrt": 0, "cmp": 0, "erf": 0, "log": 0, "flops": 84}


def test_count_layer_units_auto(capsys):
    status, out, _ = run(capsys, "count", "ReLU", "--input", "1000,3", "--units", "auto")
    assert status == 0
    assert "3 k" in out and "3,000" not in out


def test_count_layer_csv(capsys):
    status, out, _ = run(capsys, "count", "ReLU6", "--input", "4,2", "--format", "csv")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "kind,kernel,formula,match"
    assert "cmp,16,16,yes" in lines and lines[-1] == "flops,16,16,yes"  # 8 elements, 2 cmp each


def test_count_layer_flags_a_kernel_formula_mismatch(capsys, monkeypatch):
    from nnref import OpCounts
    from nnref import formulas

    monkeypatch.setattr(formulas, "for_layer", lambda layer, shape: OpCounts(cmp=5))
    status, out, err = run(capsys, "count", "ReLU", "--input", "6")
    assert status == 1
    assert ["cmp", "6", "5", "NO"] in [ln.split() for ln in out.splitlines()]
    assert "differ" in err


def test_count_conv_layer_kernel_equals_formula(capsys):
    status, out, _ = run(capsys, "count", "Conv2d(3, 8, 3, stride=2, padding=1)",
                         "--input", "1,3,9,9", "--format", "json")
    assert status == 0
    doc = json.loads(out)
    assert doc["output_shape"] == [1, 8, 5, 5]
    assert doc["kernel"] == doc["formula"]


# -- errors: one line, exit 2 ------------------------------------------------------------------
def test_unknown_layer_lists_known_layers(capsys):
    status, out, err = run(capsys, "count", "Relu()", "--input", "2,3")
    assert status == 2 and out == ""
    line = error_line(err)
    assert "'Relu'" in line and "ReLU" in line and "Sigmoid" in line


def test_layer_needs_input(capsys):
    status, _, err = run(capsys, "count", "ReLU")
    assert status == 2
    assert "--input" in error_line(err)


@pytest.mark.parametrize("bad", ["1,x,3", "2,x", "0,3", "1,-2", "1,,3", "1.5", "", "a"])
def test_bad_input_shape(capsys, bad):
    status, _, err = run(capsys, "count", "ReLU", f"--input={bad}")
    assert status == 2
    assert "--input" in error_line(err) and repr(bad) in err


@pytest.mark.parametrize("spec,word", [("LeakyReLU('a')", "negative_slope"),
                                       ("ReLU(3)", "ReLU"),
                                       ("ReLU(__import__('os'))", "literal"),
                                       ("ReLU(", "syntax")])
def test_bad_layer_spec(capsys, spec, word):
    status, _, err = run(capsys, "count", spec, "--input", "2,3")
    assert status == 2
    assert word in error_line(err)


def test_layer_bad_shape(capsys):
    status, _, err = run(capsys, "count", "Conv2d(3, 8, 3)", "--input", "1,4,8,8")
    assert status == 2
    assert "Conv2d" in error_line(err) and "(1, 4, 8, 8)" in err


def test_bad_depth(capsys):
    status, _, err = run(capsys, "count", "ReLU", "--input", "2", "--depth", "0")
    assert status == 2 and "--depth" in error_line(err)


def test_argparse_errors_exit_2(capsys):
    assert run(capsys, "count", "ReLU", "--format", "xml")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2


def test_step_is_wired(capsys):
    status, out, err = run(capsys, "step", "MaxPool1d(2)", "--input", "1,1,4")
    assert status == 0, err
    assert "MaxPool1d" in out
    assert run(capsys, "step", "Foo", "--input", "1,1,4")[0] == 2
    status, out, _ = run(capsys, "--help")
    assert status == 0 and all(c in out for c in ("count", "models", "step"))


def test_parse_shape():
    assert parse_shape("1,3,224,224") == (1, 3, 224, 224)
    assert parse_shape(" 2, 3 ") == (2, 3)
    with pytest.raises(ValueError, match="--input"):
        parse_shape("1,,3")


# -- models ------------------------------------------------------------------------------------
def test_unknown_model_lists_known_models(capsys):
    status, out, err = run(capsys, "count", "alexnot")
    assert status == 2 and out == ""
    line = error_line(err)
    assert "'alexnot'" in line and "alexnet" in line


def test_model_bad_input_names_the_layer(capsys):
    status, _, err = run(capsys, "count", "alexnet", "--input", "1,4,224,224")
    assert status == 2
    assert "features.0" in error_line(err)


@pytest.fixture
def tiny_zoo(monkeypatch):
    """A zoo with one small model, "tiny"; returns the kwargs each build got."""
    from nnref.layers import ReLU, Sigmoid, Tanh
    from nnref.models import zoo
    from nnref.models.graph import Model, Sequential

    calls = []

    def tiny(seed=0, padding_taps="dense", algorithm="im2col"):
        calls.append({"seed": seed, "padding_taps": padding_taps, "algorithm": algorithm})
        act = ReLU()
        return Model([("block", Sequential(ReLU(), Sigmoid())), ("act", act),
                      ("head", Sequential(Tanh())), ("act", act)], name="tiny")

    monkeypatch.setattr(zoo, "MODELS", {"tiny": (tiny, (1, 4), "a tiny test model")})
    monkeypatch.setattr(zoo, "build", lambda name, **kw: zoo.MODELS[name][0](**kw))
    monkeypatch.setattr(zoo, "names", lambda: ["tiny"])
    return calls


# On input (2, 5), 10 elements per layer call: ReLU cmp; Sigmoid neg, exp, add, div;
# Tanh mul, exp, add, div, sub; and the shared ReLU runs twice.
TINY_TOTAL = {"add": 20, "sub": 10, "mul": 10, "div": 20, "neg": 10, "exp": 20, "sqrt": 0,
              "cmp": 30, "erf": 0, "log": 0, "flops": 120}


def test_models_lists_the_zoo(capsys, tiny_zoo):
    status, out, _ = run(capsys, "models")
    assert status == 0
    assert out.splitlines()[0].split() == ["model", "default", "input", "params", "description"]
    assert out.splitlines()[2].split() == ["tiny", "1,4", "0", "a", "tiny", "test", "model"]


def test_count_model_table(capsys, tiny_zoo):
    status, out, err = run(capsys, "count", "tiny", "--input", "2,5", "--units", "raw")
    assert status == 0, err
    assert out.startswith("tiny: input 2x5 float32")
    names = [ln.split()[0] for ln in out.splitlines()[4:9]]
    assert names == ["block.0", "block.1", "act", "head.0", "total"]
    assert "ReLU x2" in out
    assert "FLOPs:        120 =" in out
    assert tiny_zoo == [{"seed": 0, "padding_taps": "dense", "algorithm": "im2col"}]


def test_count_model_depth_and_kinds(capsys, tiny_zoo):
    status, out, _ = run(capsys, "count", "tiny", "--input", "2,5", "--depth", "1",
                         "--kinds", "all", "--units", "raw")
    assert status == 0
    rows = {ln.split()[0]: ln for ln in out.splitlines()[4:8]}
    assert list(rows) == ["block", "act", "head", "total"]
    assert rows["block"].split()[-2] == "50" and rows["act"].split()[-2] == "20"
    assert rows["total"].split()[2:-2] == [str(TINY_TOTAL[k]) for k in
                                           ("mul", "add", "sub", "div", "neg", "exp", "sqrt", "cmp",
                                            "erf", "log")]


def test_count_model_default_input_csv_float64_and_options(capsys, tiny_zoo):
    status, out, _ = run(capsys, "count", "tiny", "--format", "csv", "--dtype", "float64",
                         "--padding", "skip", "--seed", "3")
    assert status == 0
    # default input (1, 4), 4 elements: the TINY_TOTAL rules at 4 instead of 10 per call,
    # columns add, sub, mul, div, neg, exp, sqrt, cmp, erf, log, flops, call, target
    assert out.splitlines()[-1] == "total,,,0,8,4,4,8,4,8,0,12,0,0,48,,"  # no call, no target
    assert tiny_zoo == [{"seed": 3, "padding_taps": "skip", "algorithm": "naive"}]


def test_count_model_json_and_plot(capsys, tiny_zoo, tmp_path, jsonschema, matplotlib):
    png = tmp_path / "flops.png"
    status, out, err = run(capsys, "count", "tiny", "--input", "2,5", "--format", "json",
                           "--dtype", "float64", "--plot", str(png))
    assert status == 0
    doc = json.loads(out)
    jsonschema.validate(doc, REPORT_SCHEMA)
    assert doc["total"] == TINY_TOTAL and doc["dtype"] == "float64"
    assert [r["name"] for r in doc["layers"]] == ["block.0", "block.1", "act", "head.0", "act"]
    assert png.read_bytes()[:4] == b"\x89PNG" and str(png) in err


def test_plot_needs_a_model(capsys, tmp_path):
    status, _, err = run(capsys, "count", "ReLU", "--input", "2", "--plot", str(tmp_path / "a.png"))
    assert status == 2 and "--plot" in error_line(err)


def test_plot_to_a_missing_directory(capsys, tiny_zoo, tmp_path, matplotlib):
    status, _, err = run(capsys, "count", "tiny", "--plot", str(tmp_path / "no" / "a.png"))
    assert status == 2 and "--plot" in error_line(err.splitlines()[-1])


@pytest.fixture(scope="module")
def alexnet_json():
    """``nnref count alexnet --format json``, run once (about 0.7 GFLOPs); (status, out, err)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["count", "alexnet", "--format", "json"])
    return status, out.getvalue(), err.getvalue()


def test_alexnet_json_validates(alexnet_json, jsonschema):
    status, out, err = alexnet_json
    assert status == 0, err
    doc = json.loads(out)  # the progress bar went to stderr, not into the JSON
    jsonschema.validate(doc, REPORT_SCHEMA)
    assert doc["model"] == "alexnet" and doc["input_shape"] == [1, 3, 224, 224]
    assert doc["dtype"] == "float32"
    assert doc["params"] == ALEXNET_PARAMS


def test_alexnet_json_layers_sum_to_total(alexnet_json):
    doc = json.loads(alexnet_json[1])
    for k, v in doc["total"].items():
        assert sum(r["counts"][k] for r in doc["layers"]) == v
    assert sum(r["params"] for r in doc["layers"]) == ALEXNET_PARAMS  # no layer is reused
    first = doc["layers"][0]
    assert (first["name"], first["type"], first["output_shape"], first["params"]) == \
        ("features.0", "Conv2d", [1, 64, 55, 55], 3 * 64 * 11 * 11 + 64)
    # dense padding multiplies every tap: the MACs of the convolutions and linears, by hand
    macs = (64 * 55 * 55 * 3 * 11 * 11 + 192 * 27 * 27 * 64 * 5 * 5 + 384 * 13 * 13 * 192 * 3 * 3
            + 256 * 13 * 13 * 384 * 3 * 3 + 256 * 13 * 13 * 256 * 3 * 3
            + 9216 * 4096 + 4096 * 4096 + 4096 * 1000)
    assert macs == 714_188_480
    assert sum(r["counts"]["mul"] for r in doc["layers"] if r["type"] in ("Conv2d", "Linear")) == macs


def test_alexnet_json_counts_match_formulas(alexnet_json):
    from nnref import formulas
    from nnref.models import zoo

    doc = json.loads(alexnet_json[1])
    plan = zoo.build("alexnet").plan((1, 3, 224, 224))
    assert [s[0] for s in plan] == [r["name"] for r in doc["layers"]]
    for (name, layer, shape, out, *_), rec in zip(plan, doc["layers"]):
        assert rec["output_shape"] == list(out)
        assert rec["counts"] == formulas.for_layer(layer, shape).as_dict(flops=True), name


# -- the installed command ----------------------------------------------------------------------
def test_python_m_nnref_exit_codes_and_no_traceback():
    cmd = [sys.executable, "-m", "nnref", "count", "ReLU"]
    ok = subprocess.run(cmd + ["--input", "2,3"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "cmp" in ok.stdout
    bad = subprocess.run(cmd + ["--input", "2,x"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stdout == ""
    assert "Traceback" not in bad.stderr
    assert bad.stderr.startswith("nnref: error: ") and bad.stderr.count("\n") == 1


def test_import_cli_is_light():
    code = ("import sys, nnref.cli; "
            "print(sorted(m for m in ('numba', 'tabulate', 'tqdm', 'matplotlib', 'torch') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr


# -- --compare -----------------------------------------------------------------------------------
def test_compare_reconciles_alexnet_with_published_tool_totals(capsys):
    # THOP reports 714,206,912 MACs and fvcore 714,197,696 for AlexNet; conv + linear MACs are
    # 714,188,480 by hand (tests/test_conventions.py), so the tools are +18,432 and +9,216 off.
    status, out, err = run(capsys, "count", "alexnet", "--compare", "thop,fvcore")
    assert status == 0, err
    assert "+18,432" in out and "+9,216" in out
    assert "AdaptiveAvgPool2d" in out.split("THOP")[-1]


def test_compare_needs_table_format_and_a_model(capsys):
    status, _, err = run(capsys, "count", "alexnet", "--compare", "--format", "json")
    assert status == 2 and "--compare" in error_line(err)
    status, _, err = run(capsys, "count", "ReLU", "--input", "2,3", "--compare")
    assert status == 2 and "--compare" in error_line(err)
    status, _, err = run(capsys, "count", "alexnet", "--compare", "thpo")
    assert status == 2 and "'thpo'" in error_line(err)


def test_broken_pipe_is_not_a_traceback():
    code = ("import sys; from nnref.cli import main; "
            "sys.exit(main(['step', 'Conv2d(1, 1, 3)', '--input', '1,1,12,12']))")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()  # the reader leaves, like `| head -1`
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 0 and "Traceback" not in err


def test_count_add_layer_draws_two_operands(capsys):  # 6 elements, add 1 each
    status, out, err = run(capsys, "count", "Add()", "--input", "2,3")
    assert status == 0, err
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    assert rows["add"] == ["6", "6", "yes"] and rows["flops"] == ["6", "6", "yes"]


def test_an_input_too_large_for_memory_is_one_line(capsys):  # 6 TB of float32
    status, _, err = run(capsys, "count", "Conv2d(3, 64, 3)", "--input", "100000,3,2240,2240")
    assert status == 2 and "input_shape" in error_line(err)
