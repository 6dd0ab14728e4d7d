"""The pytest plugin: the nnref_oracle fixture, its option, its entry point (under pytester).

Each test writes a small test suite, as another project would, and runs pytest on it
in-process. ``-p nnref.testing.plugin`` loads the plugin from this checkout; where nnref
is installed with its entry point (CI: ``pip install .``), the plugin loads by itself.
"""
import importlib.metadata
import os
import tomllib
from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

PLUGIN = ("-p", "nnref.testing.plugin")
SUITE = '''
import nnref

CONV = nnref.Conv2d(3, 8, 3, padding=1)  # 200 outputs x 27 taps, bias: 5,400 mul, 5,400 add


def test_right(nnref_oracle):
    assert nnref_oracle.assert_counts(10_800, CONV, (1, 3, 5, 5)) == nnref_oracle.count(
        CONV, (1, 3, 5, 5))


def test_bias_forgotten(nnref_oracle):
    nnref_oracle.assert_counts(10_600, CONV, (1, 3, 5, 5))
'''


def installed_entry_point():
    return [ep for ep in importlib.metadata.entry_points(group="pytest11")
            if ep.value == "nnref.testing.plugin"]


def test_the_fixture_passes_a_right_count_and_fails_a_wrong_one_with_the_table(pytester):
    pytester.makepyfile(test_oracle_suite=SUITE)
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*CountMismatch: counts differ from nnref (every operation nnref executes, "
        "convention='exact') for Conv2d(3, 8*",
        "*kind*expected*actual*difference*likely cause*",
        "*flops*10,800*10,600*-200*bias not counted*",
    ])


def test_the_default_convention_comes_from_the_option_or_the_ini(pytester):
    pytester.makepyfile(test_oracle_convention='''
        def test_convention(nnref_oracle):
            assert nnref_oracle.convention == "thop"
            assert nnref_oracle.count("alexnet") == 714_206_912
    ''')
    pytester.runpytest(*PLUGIN, "--nnref-convention=thop").assert_outcomes(passed=1)
    pytester.makeini("[pytest]\nnnref_convention = thop\n")
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=1)


def test_a_bad_convention_is_a_usage_error(pytester):
    pytester.makeini("[pytest]\nnnref_convention = flops\n")
    result = pytester.runpytest(*PLUGIN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*nnref_convention='flops' is invalid; expected one of exact*"])


def test_the_header_and_the_fixture_work_with_hypothesis(pytester):
    pytester.makepyfile(test_oracle_sweep='''
        from hypothesis import given, settings
        from nnref.testing import strategies as nst

        @settings(max_examples=5, deadline=None)
        @given(sample=nst.dense(twin=False))
        def test_dense(nnref_oracle, sample):
            layer, shape, _ = sample
            rows = 1
            for s in shape[:-1]:
                rows *= s
            assert nnref_oracle.count(layer, shape, "macs") == rows * layer.in_features * layer.out_features
    ''')
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1)  # a session fixture: no function-scoped-fixture health check
    result.stdout.fnmatch_lines(["nnref oracle: nnref_oracle fixture, default convention exact"])


def test_the_entry_point_is_declared_and_loads_the_plugin(pytester):
    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["pytest11"] == {
        "nnref.testing.plugin": "nnref.testing.plugin"}
    if not installed_entry_point():
        if os.environ.get("CI"):
            raise AssertionError("CI installs nnref (pip install .): its pytest11 entry point "
                                 "must be there")
        pytest.skip("nnref is installed here without its entry point (an older editable "
                    "install): the entry point itself is checked in CI")
    pytester.makepyfile(test_oracle_suite=SUITE)
    pytester.runpytest().assert_outcomes(passed=1, failed=1)  # no -p: the entry point loads it


def test_importing_the_plugin_loads_neither_numba_nor_the_counts():
    code = ("import sys, nnref.testing.plugin; "
            "print(sorted(m for m in ('numba', 'torch', 'hypothesis', 'nnref.conventions') "
            "if m in sys.modules))")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).parent.parent, check=True).stdout
    assert out.strip() == "[]"


def test_the_oracle_object():
    """What the fixture returns, used directly."""
    import torch

    from nnref.testing.plugin import Oracle

    oracle = Oracle("thop")
    rec = oracle.compare("seed_crnn", tools=["thop", "fvcore"])
    assert rec.totals == {"thop": 125_026_016, "fvcore": 8_691_200}
    assert [r.name for r in rec.layers][:2] == ["conv", "relu"]
    assert oracle.count("seed_crnn") == 125_026_016 and oracle.count("seed_crnn", None, "macs") \
        == 124_942_208
    live = oracle.run_tools(torch.nn.Conv2d(3, 8, 3, padding=1), torch.zeros(1, 3, 5, 5),
                            tools=["torch"])
    assert live["torch"].total == 2 * 5400
    assert oracle.strategies.BY_NAME["conv2d"] == "Conv2d"
    with pytest.raises(ValueError, match="convention='flops'"):
        Oracle("flops")
