"""Text step-through: the hand-written example, 80 columns, number format, the CLI."""
import argparse
from pathlib import Path

import numpy as np
import pytest

from nnref.layers.conv import Conv1d, Conv2d
from nnref.layers.dense import Dense
from nnref.layers.depthwise import DepthwiseConv2d
from nnref.layers.pointwise import PointwiseConv2d
from nnref.layers.pool import AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from nnref.cli import step as cli_step
from nnref.trace.render import fmt, render_header, render_step, render_steps, render_summary
from nnref.trace.steps import steps

EXPECTED = Path(__file__).parent / "data" / "step_conv_1x1x4x4_k3_p1.txt"


def example():
    """Conv2d(1, 1, 3, padding=1) with small integer weights, bias 1, on a 4×4 input."""
    layer = Conv2d(1, 1, 3, padding=1)
    layer.weight = np.array([[[[1.0, 0, -1], [2, 1, 0], [0, -1, 1]]]], np.float32)
    layer.bias = np.array([1.0], np.float32)
    x = np.array([[1.0, 2, 0, 3], [0, 1, 2, 1], [3, 0, 1, 2], [1, 1, 0, 2]]).reshape(1, 1, 4, 4)
    return layer, x


def test_matches_the_hand_written_example():
    blocks = list(render_steps(*example()))
    assert len(blocks) == 1 + 16 + 1  # header, one per output, summary
    text = "\n\n".join(blocks[:3] + blocks[-2:]) + "\n"
    assert text == EXPECTED.read_text(encoding="utf-8")


def test_render_step_alone_shows_known_outputs():
    layer, x = example()
    first, second = list(steps(layer, x))[:2]
    text = render_step(second, layer, x, known={first.index: first.value})
    assert " 3 [6] ?  ?" in text
    assert "?  ?  ?  ?" in render_step(second, layer, x)  # nothing known: only the current cell


def rand(shape, seed=0, ints=False):
    rng = np.random.default_rng(seed)
    return rng.integers(-9, 99, shape).astype(float) if ints else rng.standard_normal(shape) * 50


TYPICAL = [
    (Conv2d(3, 4, 3, stride=2, padding=1), (1, 3, 9, 9)),
    (Conv2d(2, 2, (2, 3), stride=(1, 2), padding=(1, 0), dilation=(2, 1), groups=2), (1, 2, 6, 7)),
    (Conv2d(1, 2, 5, padding=2, algorithm="naive", padding_taps="skip"), (1, 1, 28, 28)),
    (Conv1d(2, 2, 3, padding=1), (2, 2, 40)),
    (DepthwiseConv2d(2, 3, 2, padding=1), (1, 2, 5, 5)),
    (PointwiseConv2d(6, 2), (1, 6, 3, 3)),
    (MaxPool2d(3, 2, 1, ceil_mode=True), (1, 2, 7, 7)),
    (AvgPool2d(2, ceil_mode=True, count_include_pad=False), (2, 5, 5)),
    (MaxPool1d(4, 2, 2), (1, 1, 50)),
    (AvgPool1d(3, 1, 1), (1, 1, 9)),
    (Dense(100, 3), (2, 100)),
]


@pytest.mark.parametrize("per_tap", [False, True])
@pytest.mark.parametrize("ints", [False, True])
@pytest.mark.parametrize("layer,shape", TYPICAL, ids=[repr(c[0]) for c in TYPICAL])
def test_lines_fit_80_columns(layer, shape, ints, per_tap):
    x = rand(shape, ints=ints)
    records = list(steps(layer, x, per_tap=per_tap, max_steps=10**5))
    known = {s.index: s.value for s in records if s.done}
    blocks = [render_header(layer, x, len(records), per_tap),
              render_summary(records[-1], layer.output_shape(x.shape))]
    for s in records[::max(1, len(records) // 25)] + records[-1:]:  # a sample, for speed
        blocks.append(render_step(s, layer, x, known, per_tap))
    for line in "\n".join(blocks).split("\n"):
        assert len(line) <= 80, line
        assert line == line.rstrip()


def test_long_sums_are_elided_keeping_both_ends():
    layer = Dense(20, 1, bias=False)
    layer.weight = np.ones((1, 20))
    text = render_step(next(steps(layer, np.arange(20.0))), layer, np.arange(20.0))
    assert "0×1 + 1×1" in text and "+ … +" in text and "19×1" in text and "10×1" not in text
    assert "= 190" in text


def test_pool_arithmetic_and_counters():
    x = np.array([[[4.0, -2.0, 6.0, 1.0]]])
    text = "\n\n".join(render_steps(AvgPool1d(2), x))
    assert "y[0, 0, 0] = (4 + (−2)) / 2" in text and "= 2 / 2 = 1" in text
    assert "ops in total: mul 0  add 2  cmp 0  div 2" in text
    text = "\n\n".join(render_steps(MaxPool1d(2), x))
    assert "y[0, 0, 1] = max(6, 1)" in text and "cmp 2" in text


def test_per_tap_marks_the_current_tap():
    layer, x = example()
    fourth = list(steps(layer, x, per_tap=True))[4]  # tap 5 of output 0: x[0, 0, 0, 0] = 1
    text = render_step(fourth, layer, x, per_tap=True)
    assert "[·]{1}[2]" in text and "{ 1}" in text  # in the input and in the kernel
    assert "= 1 so far" in text and "mul 5  add 4" in text


@pytest.mark.parametrize("value,text", [(3.0, "3"), (-1.0, "−1"), (0.5, "0.5"), (-0.0, "0"),
                                        (1 / 3, "0.3333"), (float("nan"), "nan"),
                                        (float("-inf"), "−inf"), (None, "?")])
def test_number_format(value, text):
    assert fmt(value) == text


# -- the CLI subcommand ----------------------------------------------------------------


def run_cli(argv):
    parser = argparse.ArgumentParser(prog="nnref")
    cli_step.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["step", *argv])
    return args.func(args)


def test_cli_prints_every_step_and_checks_the_kernel(capsys):
    assert run_cli(["Conv2d(1, 1, 3, stride=2, padding=1)", "--input", "1,1,5,5"]) == 0
    out = capsys.readouterr().out
    assert "step 1/9: y[0, 0, 0, 0]" in out and "step 9/9: y[0, 0, 2, 2]" in out
    assert "ops in total: mul 81  add 81" in out  # 9 outputs of 9 taps, bias
    assert "kernel count, layer(x): mul 81  add 81  cmp 0  div 0 (the same)" in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_cli_int_values_are_small_and_seeded(capsys):
    run_cli(["Dense(3, 2)", "--input", "1,3", "--seed", "5"])
    first = capsys.readouterr().out
    run_cli(["Dense(3, 2)", "--input", "1,3", "--seed", "5"])
    assert capsys.readouterr().out == first
    layer = Dense(3, 2)
    x = cli_step.make_data(layer, (4, 3), "int", 5)
    assert set(np.unique(x)) <= set(range(0, 6))
    assert set(np.unique(layer.weight)) | set(np.unique(layer.bias)) <= set(range(-2, 4))


def test_cli_per_tap(capsys):
    assert run_cli(["MaxPool1d(2)", "--input", "1,1,4", "--per-tap", "--values", "float"]) == 0
    assert "step 4/4" in capsys.readouterr().out  # 2 windows of 2 taps


@pytest.mark.parametrize("argv,match", [
    (["Foo(1)", "--input", "1,1,3,3"], "unknown layer 'Foo'; known layers: "),
    (["Conv2d(1, 1, 3)", "--input", "1,1,a"], "--input '1,1,a' is invalid"),
    (["Conv2d(1, 1, 3)", "--input", "1,2,5,5"], "channels"),
    (["Conv2d(1, 1, 3)", "--input", "1,1,40,40", "--max-steps", "100"], "--max-steps"),
    (["ReLU()", "--input", "1,3"], "step-through"),
])
def test_cli_errors_are_one_line_exit_2(capsys, argv, match):
    assert run_cli(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and match in captured.err
    assert captured.err.startswith("nnref step: error: ")


def test_counter_line_shows_erf_and_log_when_they_occur():
    from nnref import OpCounts
    from nnref.trace.render import format_counts

    assert format_counts(OpCounts(mul=2, erf=3, log=1)) == "mul 2  add 0  cmp 0  div 0  erf 3  log 1"
