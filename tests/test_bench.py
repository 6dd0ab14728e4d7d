"""``nnref bench`` (benchmarks/run.py): it runs, prints the machine and one table, writes
JSON; bad options are one error line. Untimed: no figure is asserted."""
import json
import sys
from pathlib import Path

from nnref.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


def test_bench_prints_the_machine_and_a_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "results.json"
    status = main(["bench", "--only", "import", "--quick", "--output", str(out)])
    printed = capsys.readouterr().out
    assert status in (0, 1)  # 1 = a target failed on this machine: reported, not an error
    for word in ("cpu:", "blas:", "numba threads:", "import nnref", "figure", "reference",
                 "ratio", "pass"):
        assert word in printed
    results = json.loads(out.read_text())
    assert {"cpu", "cores", "blas"} <= set(results["machine"])
    (row,) = results["rows"]
    assert row["what"].startswith("import nnref") and row["pass"] in (True, False)
    assert results["quick"] is True


def test_bench_bad_options_are_one_error_line(capsys):
    assert main(["bench", "--only", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnref: error: --only 'nope' is not a group") and err.count("\n") == 1
    assert main(["bench", "--repeats", "0"]) == 2
    assert "--repeats=0 is invalid" in capsys.readouterr().err


def test_bench_reruns_itself_with_the_same_options():
    import argparse

    import run

    args = argparse.Namespace(repeats=3, quick=True, only=["conv", "gemm"], output="x.json")
    assert run.options(args) == ["--repeats", "3", "--quick", "--only", "conv", "gemm",
                                 "--output", "x.json"]
