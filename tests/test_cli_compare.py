"""``nnref compare``: per layer the exact count, each tool's number and why it departs;
totals; the three biggest sources of disagreement; JSON with "conventions"; the target forms.

Expected tool totals are the ones the tools print on torchvision's models (see
tests/test_tools_live.py, which runs them); per-layer figures are hand arithmetic.
"""
import json

import pytest

from nnref.cli import main
from nnref.cli.compare import COMPARE_SCHEMA

ALEXNET = {"thop": 714_206_912, "ptflops": 716_441_128, "fvcore": 714_197_696,
           "torch": 1_428_376_960, "tf": 1_429_675_240}


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def error_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnref: error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def alexnet_json():
    import io
    from contextlib import redirect_stdout

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        assert main(["compare", "alexnet", "--format", "json"]) == 0
    return json.loads(buffer.getvalue())


def test_table_per_layer_totals_and_the_closing_paragraph(capsys):
    status, out, err = run(capsys, "compare", "alexnet")
    assert status == 0, err
    lines = out.splitlines()
    head = next(ln for ln in lines if ln.startswith("layer"))
    assert head.split() == ["layer", "type", "exact", "mul", "exact", "ops", "thop", "MACs",
                            "ptflops", "MACs", "fvcore", "MACs", "torch", "FLOPs", "tf", "FLOPs"]
    conv = next(ln for ln in lines if ln.startswith("features.0 "))
    # 64·55·55 outputs × 3·11·11 products; ptflops adds the 193,600 bias adds
    assert conv.split()[2:5] == ["70,276,800", "140,553,600", "70,276,800"] and "70,470,400" in conv
    total = next(ln for ln in lines if ln.startswith("total "))
    assert all(f"{v:,}" in total for v in ALEXNET.values())
    assert "714,188,480" in total and "1,429,585,920" in total
    why = out.split("Why each tool departs from nnref:")[1]
    assert "features.0 (Conv2d)" in why and "bias counted as a multiply-accumulate" in why
    assert "avgpool (AdaptiveAvgPool2d)" in why and "+18,432 MACs" in why  # THOP's (1 + 1) × 9,216
    assert "The three biggest sources of disagreement" in out
    assert "(1) ReLU" in out and "(2) MaxPool2d" in out and "(3) Conv2d" in out


def test_json_adds_conventions_per_layer_and_to_the_totals(alexnet_json, jsonschema):
    doc = alexnet_json
    jsonschema.validate(doc, COMPARE_SCHEMA)
    assert doc["totals"]["conventions"] == ALEXNET
    assert doc["totals"]["macs"] == 714_188_480 and doc["totals"]["exact"]["flops"] == 1_429_585_920
    for tool, total in ALEXNET.items():  # batch 1: the layers add up to each total
        assert sum(layer["conventions"][tool] for layer in doc["layers"]) == total
    conv = doc["layers"][0]
    assert conv["conventions"] == {"thop": 70_276_800, "ptflops": 70_470_400, "fvcore": 70_276_800,
                                   "torch": 140_553_600, "tf": 140_747_200}
    assert conv["why"]["thop"] == "" and conv["why"]["ptflops"].startswith("+193,600 MACs")
    assert [layer["call"] for layer in doc["layers"]].count("function") == 1  # torch.flatten
    assert [s["type"] for s in doc["sources"]] == ["ReLU", "MaxPool2d", "Conv2d"]


def test_some_tools_only(capsys):
    status, out, _ = run(capsys, "compare", "mobilenet_v2", "--tools", "thop,ptflops", "--format",
                         "json")
    doc = json.loads(out)
    assert status == 0 and doc["totals"]["conventions"] == {"thop": 327_486_720,
                                                           "ptflops": 320_300_008}
    avgpool = next(layer for layer in doc["layers"] if layer["name"] == "adaptive_avg_pool2d")
    assert avgpool["call"] == "function" and avgpool["conventions"]["thop"] == 0


def test_a_layer_spec(capsys):
    status, out, err = run(capsys, "compare", "Conv2d(3, 8, 3, padding=1, bias=False)", "--input",
                           "1,3,5,5")
    assert status == 0, err
    # 200 outputs × 27 taps, no bias: mul 5,400, add 5,200; torch and TF 2 × 5,400
    assert "first add counted" in out and "+200 FLOPs" in out
    assert "The one source of disagreement" in out


def test_a_factory(capsys, tmp_path, monkeypatch):
    (tmp_path / "mymodels.py").write_text(
        "import nnref\n"
        "def build():\n"
        "    return nnref.models.Sequential(nnref.Conv2d(3, 4, 3), nnref.ReLU())\n"
        "LAYER = nnref.Linear(10, 2)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    status, out, err = run(capsys, "compare", "mymodels:build", "--input", "1,3,6,6", "--format",
                           "json")
    assert status == 0, err
    assert json.loads(out)["totals"]["conventions"]["thop"] == 4 * 4 * 4 * 27
    status, out, _ = run(capsys, "compare", "mymodels:LAYER", "--input", "2,10", "--tools", "torch")
    assert status == 0 and "80" in out  # 2 × 2 rows × 10 × 2


def test_a_factory_returning_a_torch_module(capsys, tmp_path, monkeypatch):
    (tmp_path / "torchmodels.py").write_text(
        "import torch\n"
        "def build():\n"
        "    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU())\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    status, out, err = run(capsys, "compare", "torchmodels:build", "--input", "1,3,6,6")
    assert status == 0 and "Conv2d" in out, err


@pytest.mark.parametrize("argv,message", [
    (["compare", "nosuchpkg.models:build", "--input", "1,3,8,8"],
     "cannot import module 'nosuchpkg.models'"),
    (["compare", "json:nosuch", "--input", "1,3,8,8"], "module 'json' has no attribute 'nosuch'"),
    (["compare", "json:dumps", "--input", "1,3,8,8"], "factory 'json:dumps' raised TypeError"),
    (["compare", "json:JSONDecoder", "--input", "1,3"], "returned JSONDecoder; expected a torch.nn.Module, an nnref"),
    (["compare", "json:dumps"], "--input is required for a factory"),
    (["compare", "Conv2d(3, 8, 3)"], "--input is required for a layer spec"),
    (["compare", "alexnet", "--tools", "thop,flopco"], "unknown tool 'flopco'"),
    (["compare", "alexnt"], "unknown model or layer 'alexnt'"),
    (["compare", "alexnet", "--input", "1,3,10,10"], "input"),
    (["compare", "__import__('os').system('true')"], "is invalid; expected NAME(args)"),
])
def test_errors_are_one_line(capsys, argv, message):
    status, _, err = run(capsys, *argv)
    assert status == 2 and message in error_line(err)


def test_the_help_says_when_a_module_is_imported(capsys):
    assert main(["compare", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "only this form imports anything" in out and "MODEL_OR_SPEC_OR_FACTORY" in out


def test_count_compare_stays_a_shortcut(capsys):
    status, out, _ = run(capsys, "count", "alexnet", "--compare", "thop")
    assert status == 0 and "714,206,912" in out


# -- --live: the real tools beside the reproduction ---------------------------------------------
def test_live_on_a_layer_runs_the_real_tools(capsys, jsonschema):
    pytest.importorskip("thop"), pytest.importorskip("ptflops"), pytest.importorskip("fvcore")
    status, out, err = run(capsys, "compare", "Conv2d(3, 8, 3, padding=1)", "--input", "2,3,5,5",
                           "--live")
    assert status == 0, err
    live = out.split("Live check")[1]
    assert live.count("= nnref's reproduction, total and every module") == 4
    assert "5,600" in live  # ptflops: (5,400 + 200) × 2 images ÷ batch 2
    status, out, _ = run(capsys, "compare", "GRU(5, 7)", "--input", "4,3,5", "--live",
                         "--format", "json")
    doc = json.loads(out)
    jsonschema.validate(doc, COMPARE_SCHEMA)
    assert doc["live"]["thop"] == {"total": 4116, "nnref": 4116, "reproduced": True,
                                   "modules_differ": []}
    assert doc["live"]["tf"]["total"] is None


def test_live_reports_a_tool_that_differs_with_status_1(capsys, monkeypatch):
    from nnref.testing import tools

    def wrong(module, inputs, names):
        out = {t: tools.RUNNERS[t](module, inputs) for t in names if t == "torch"}
        bad = out["torch"]
        out["torch"] = tools.LiveCount("torch", bad.total + 1, {"": bad.total + 1}, "FLOPs")
        return out

    monkeypatch.setattr(tools, "run_tools", wrong)
    status, out, _ = run(capsys, "compare", "Linear(4, 3)", "--input", "2,4", "--tools",
                         "torch", "--live")
    assert status == 1 and "!= nnref's 48" in out and "please report it" in out
