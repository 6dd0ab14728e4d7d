"""``nnref bench`` (benchmarks/run.py): it runs, prints the machine and one table, writes
JSON; bad options are one error line. Untimed: no figure is asserted."""
import json
import sys
from pathlib import Path

from nnref.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


def test_bench_prints_the_machine_and_a_table_and_writes_json(tmp_path, capfd):
    out = tmp_path / "results.json"
    status = main(["bench", "--only", "import", "--quick", "--output", str(out)])
    # capfd, not capsys: where OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE is set, the bench
    # runs again in a process without them, which prints to the file descriptor
    printed = capfd.readouterr().out
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


def test_counter_cost_compares_the_same_kernels_with_and_without_their_increments():
    """The `counters` row is honest: the uncounted build counts nothing and computes the
    same product, the counted build counts what the library's GEMM counts."""
    import numpy as np
    from bench_counter_cost import compiled, compiled_dots

    from nnref.core.opcounts import OpCounts
    from nnref.kernels import _gemm

    rng = np.random.default_rng(0)
    for m, k, n in ((12, 16, 64), (13, 600, 70)):  # one block and two, with edges
        a, b = rng.standard_normal((m, k)), rng.standard_normal((k, n))
        expected = OpCounts.from_rows(_gemm.gemm(a, b, np.zeros(m), _gemm.BIAS_NONE,
                                                 np.empty((m, n))))
        for counted, uncounted in (compiled(), compiled_dots()):
            assert OpCounts.from_rows(counted(a, b)) == expected
            assert not np.asarray(uncounted(a, b)).any()
