"""``nnref count module:attr``: a torch model a factory builds, counted through from_torch;
only the module:attr form imports anything, and every bad path is one error line naming
the module or the attribute."""
import json
import re
import sys
import textwrap

import pytest
from test_cli import error_line, run

FACTORY = '''
import torch
import nnref

def build():
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(),
                               torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 5)).eval()

def functional():
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, 3)

        def forward(self, x):
            return torch.flatten(torch.nn.functional.adaptive_avg_pool2d(self.conv(x), 1), 1)

    return Net().eval()

model = build()
layer = nnref.ReLU()

def broken():
    raise RuntimeError("no weights here")

def not_a_model():
    return 42

def unsupported():
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.SELU()).eval()
'''


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A package ``nnref_factory_pkg`` in the current directory (not installed)."""
    pkg = tmp_path / "nnref_factory_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "models.py").write_text(textwrap.dedent(FACTORY))
    (tmp_path / "raises_on_import.py").write_text("raise ImportError('needs a GPU')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    yield "nnref_factory_pkg.models"
    for name in [m for m in sys.modules if m.startswith(("nnref_factory_pkg", "raises_on"))]:
        del sys.modules[name]


def test_a_factory_is_counted_per_layer(capsys, project):
    status, out, err = run(capsys, "count", f"{project}:build", "--input", "1,3,8,8",
                           "--format", "json")
    assert status == 0, err
    doc = json.loads(out)
    assert [(r["name"], r["type"], r["call"]) for r in doc["layers"]] == [
        ("0", "Conv2d", "module"), ("1", "ReLU", "module"), ("2", "Flatten", "module"),
        ("3", "Linear", "module")]
    # conv: 4·6·6 outputs × 27 taps; linear 5 outputs × 144
    assert doc["total"]["mul"] == 4 * 36 * 27 + 5 * 144


def test_functional_calls_of_a_factory_reach_the_conventions(capsys, project):
    status, out, _ = run(capsys, "count", f"{project}:functional", "--input", "1,3,8,8",
                         "--compare", "thop,ptflops")
    assert status == 0
    # THOP: the conv only (4·6·6·27 = 3,888); F.adaptive_avg_pool2d is no module
    assert "3,888" in out and "called as F.adaptive_avg_pool2d" in out


def test_an_object_or_an_nnref_layer_is_taken_as_it_is(capsys, project):
    assert run(capsys, "count", f"{project}:model", "--input", "1,3,8,8")[0] == 0
    status, out, _ = run(capsys, "count", f"{project}:layer", "--input", "2,3")
    assert status == 0 and out.splitlines()[0] == "ReLU()"


@pytest.mark.parametrize("target,match", [
    ("{pkg}:nope", "module 'nnref_factory_pkg.models' has no attribute 'nope'"),
    ("nnref_no_such_pkg.models:build", "cannot import module 'nnref_no_such_pkg.models' of "
                                       "factory .*No module named 'nnref_no_such_pkg'"),
    ("raises_on_import:build", "cannot import module 'raises_on_import'.*needs a GPU"),
    ("{pkg}:broken", "factory '.*:broken' raised RuntimeError: no weights here"),
    ("{pkg}:not_a_model", "factory '.*:not_a_model' returned int; expected a torch.nn.Module"),
    ("{pkg}:unsupported", r"from_torch: 1 call\(s\) of Sequential are not supported: - 1: "
                          r"nn\.SELU"),
    ("{pkg}:a:b", "factory '.*:a:b' is invalid; expected 'module:attr'"),
])
def test_a_bad_factory_is_one_line_naming_it(capsys, project, target, match):
    status, _, err = run(capsys, "count", target.format(pkg=project), "--input", "1,3,8,8")
    assert status == 2
    assert re.search(match, error_line(err)), err


def test_a_factory_needs_input_and_takes_no_zoo_options(capsys, project):
    status, _, err = run(capsys, "count", f"{project}:build")
    assert status == 2 and "--input is required for a factory" in error_line(err)
    status, _, err = run(capsys, "count", f"{project}:build", "--input", "1,3,8,8",
                         "--padding", "skip")
    assert status == 2 and "--padding and --algorithm apply to zoo models" in error_line(err)


def test_only_the_module_attr_form_imports(capsys, project):
    status, _, err = run(capsys, "count", "nnref_factory_pkg", "--input", "1,3,8,8")
    assert status == 2 and "unknown model or layer 'nnref_factory_pkg'" in error_line(err)
    assert "nnref_factory_pkg" not in sys.modules


def test_the_help_says_which_form_imports(capsys):
    status, out, _ = run(capsys, "count", "--help")
    assert status == 0
    out = " ".join(out.split())
    assert "'module:attr'" in out and "only this form imports anything" in out
