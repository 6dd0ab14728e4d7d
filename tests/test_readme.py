"""The README's Python example runs as written, and the figures it prints are the real ones."""
import pathlib
import re

from nnref import OpCounts
from nnref import formulas

README = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_readme_python_example_runs_and_its_comments_are_true():
    block = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    ns = {}
    exec(compile(block, "README.md", "exec"), ns)  # noqa: S102 - our own documentation
    # 64·112·112 outputs of 3·3·3 taps with bias: 27 mul and 27 add each
    assert ns["ops"] == OpCounts(add=64 * 112 * 112 * 27, mul=64 * 112 * 112 * 27)
    assert str(ns["ops"]) in block
    model = ns["model"]
    expected = sum((formulas.for_layer(s.layer, s.input_shape) for s in model.plan((1, 3, 224, 224))),
                   OpCounts())
    assert ns["report"].total == expected
    printed = " ".join(line.lstrip("# ") for line in block.splitlines() if line.startswith("#"))
    assert all(f"{k}={v:,}" in printed for k, v in expected.as_dict().items() if v)
    assert len(list(ns["steps"])) == 16  # a 4×4 output, one step each
    check = ns["check"]  # the seed form fails exactly on the layers with a bias
    assert not check.exact and {r.values["bias"] for r in check.failures} == {1}
    assert "configurations with bias=1" in check.summary and "off by −Ho·Wo·Co" in check.summary


def test_the_reconciled_zoo_table_is_what_nnref_reproduces():
    """The table under "Other counters, reconciled": the tools' totals (which
    tests/test_tools_live.py gets from the real tools) and nnref's exact counts."""
    from nnref import conventions
    from nnref.models import zoo

    section = README.split("## Other counters, reconciled")[1].split("\n## ")[0]
    rows = [ln.strip("|").split("|") for ln in section.splitlines()
            if ln.startswith("| ") and ln.split("|")[1].strip() in zoo.MODELS]
    assert len(rows) == 5
    for name, *values in rows:
        plan = zoo.build(name.strip()).plan(zoo.input_shape(name.strip()))
        exact = sum((formulas.for_layer(s.layer, s.input_shape) for s in plan), OpCounts())
        want = [conventions.thop(plan).total,
                conventions.ptflops(plan).total, conventions.fvcore(plan).total,
                conventions.torch_flop_counter(plan).total, exact.mul, exact.flops]
        assert [int(v.replace(",", "")) for v in values] == want, name
