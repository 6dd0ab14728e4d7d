"""check_formula and ``nnref verify``: seed forms, hints on built cases, safe parsing."""
from pathlib import Path

import pytest

import nnref
from nnref.cli import main
from nnref.testing import check_formula
from nnref.testing.formula import Formula

SEED = "(2*Cin*K**2 - 1)*Ho*Wo*Co"


def out_size(i, k, s, p, d):
    """The conv output size, written out here independently of nnref."""
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


def hand_outputs(row):
    """Co·Ho·Wo of a row, from its layer's arguments and input shape."""
    layer = nnref.layers.spec.parse_layer(row.spec)
    h, w = row.input_shape[-2:]
    args = list(zip(layer.kernel_size, layer.stride, layer.padding, layer.dilation, strict=True))
    return layer.out_channels * out_size(h, *args[0]) * out_size(w, *args[1])


def test_seed_formula_is_exact_without_bias():
    r = check_formula("Conv2d", SEED, sweep=60, fix={"bias": 0})
    assert r.exact and len(r.rows) == 60
    assert "exact on all 60 configurations" in r.summary
    assert all(r.rows[i].spec != r.rows[j].spec or r.rows[i].input_shape != r.rows[j].input_shape
               for i in range(60) for j in range(i))  # 60 distinct configurations


def test_seed_formula_is_off_by_exactly_ho_wo_co_with_bias():
    r = check_formula("Conv2d", SEED, sweep=60, fix={"bias": 1})
    assert len(r.failures) == 60
    assert all(row.difference == -hand_outputs(row) for row in r.rows)
    assert "off by −Ho·Wo·Co" in r.hints[0] and "the bias add?" in r.hints[0]


def test_free_sweep_says_where_and_why():
    r = check_formula("Conv2d", SEED, sweep=60)
    assert 0 < len(r.failures) < 60
    assert {row.values["bias"] for row in r.failures} == {1}
    assert any("exactly on the configurations with bias=1" in h for h in r.hints)
    small = r.smallest_failure
    assert small.executed == min(row.executed for row in r.failures)
    assert small.configuration in r.summary and r.held == {"N": 1, "groups": 1}


@pytest.mark.parametrize("layer,formula", [
    ("Conv2d", "(2*Cin/groups*Kh*Kw - 1 + bias)*N*Co*Ho*Wo"),
    ("Conv1d", "(2*Cin/groups*K - 1 + bias)*N*Co*Lo"),
    ("DepthwiseConv2d", "(2*Kh*Kw - 1 + bias)*N*C*multiplier*Ho*Wo"),
    ("PointwiseConv2d", "(2*Cin - 1 + bias)*N*Ho*Wo*Co"),
    ("Linear", "(2*I - 1 + bias)*O*N"),
    ("Conv2d(3, 8, 3, stride=2, padding=1)", "(2*Cin*K**2 - 1 + bias)*N*Co*Ho*Wo"),
    ("MaxPool2d(2)", "(K**2 - 1)*N*C*Ho*Wo"),
    ("AvgPool2d(3, stride=1)", "K**2*N*C*Ho*Wo"),
])
def test_general_forms_are_exact(layer, formula):
    check_formula(layer, formula, sweep=40).assert_exact()


def test_kind_compares_one_kind():
    assert check_formula("Conv2d", "Cin/groups*Kh*Kw*N*Co*Ho*Wo", sweep=30, kind="mul").exact
    assert check_formula("Linear", "N*O*(I - 1 + bias)", sweep=30, kind="add").exact


def test_skip_padding_is_checked_as_executed():
    r = check_formula("Conv2d", "(2*Cin*K**2 - 1 + bias)*Ho*Wo*Co", sweep=40,
                      fix={"padding": 1, "bias": 1}, padding_taps="skip")
    assert r.failures and all(row.difference == 2 * row.values["_padding_taps"]
                              for row in r.rows)
    assert "off by +2·the taps on padding" in r.hints[0]


# -- hints, each on a case built to trigger it -------------------------------------------

@pytest.mark.parametrize("layer,formula,kw,hint", [
    ("Conv2d", "2*Cin*K**2*Ho*Wo*Co", {"fix": {"bias": 0}},
     "off by +Ho·Wo·Co (one per output element): the bias add?"),
    ("Linear", "2*I*O", {"fix": {"bias": 0}}, "off by +O (one per output element)"),
    ("Conv2d", "2*Cin*K**2*Ho*Wo*Co", {"kind": "mul"}, "off by a factor of 2: MACs vs FLOPs?"),
    ("Conv2d", "Cin*K**2*Ho*Wo*Co", {"fix": {"bias": 1}}, "off by a factor of 1/2: MACs vs FLOPs?"),
    ("Conv2d", "Cin*K**2*Ho*Wo*Co", {"fix": {"bias": 0, "Cin": 3}},
     "about half the executed count"),
    ("Conv2d", "(2*Cin*K**2 - 1 + bias)*Ho*Wo*Co*N*N", {}, "off by a factor of N: the batch?"),
    ("Conv2d", "(2*Cin*K**2 - 1 + bias)*Ho*Wo*Co*stride", {}, "off by a factor of stride"),
    ("Conv2d", "(2*Cin*Kh*Kw - 1 + bias)*Ho*Wo*Co", {"fix": {"groups": 2, "bias": 0}},
     "off by +"),
    ("Conv2d", "(2*Cin*K**2 - 1 + bias)*Ho*Wo*Co + 1", {}, "off by a constant +1: an off-by-one?"),
    ("Conv2d", "(2*Cin*K**2 - 1 + bias)*Ho*Wo*Co", {"fix": {"N": 2}},
     "or 1/N = 2 on every configuration: the batch?"),
    ("Conv2d", "(2*Cin*Kh*Kw - 1 + bias)*Ho*Wo*Co*groups", {},
     "exactly on the configurations with groups > 1"),
    ("Conv2d", "(2*Cin*K*K - 1 + bias)*Ho*Wo*Co*dilation", {},
     "exactly on the configurations with dilation > 1"),
    ("Conv2d", "(2*Cin*K**2 - 1 + bias)*(Ho+1)*Wo*Co", {}, "always too high"),
    ("Conv2d", "2*Cin*Kh*Kw*H*W*Co", {}, "too high on some configurations and too low on others"),
])
def test_hint(layer, formula, kw, hint):
    r = check_formula(layer, formula, sweep=40, **kw)
    assert not r.exact
    assert any(hint in h for h in r.hints), r.hints
    assert hint in r.summary and "hint: " in str(r)


def test_skip_hint_names_the_taps_on_padding():
    r = check_formula("Conv2d", "(2*Cin*K**2 - 1 + bias)*Ho*Wo*Co", sweep=30,
                      fix={"padding": 1}, padding_taps="skip")
    assert any("too high wherever taps land on padding" in h for h in r.hints), r.hints


def test_assert_exact_raises_with_the_summary():
    r = check_formula("Linear", "2*I*O", sweep=10, fix={"bias": 0})
    with pytest.raises(AssertionError, match="off by"):
        r.assert_exact()
    assert not r


# -- parsing: whitelist, never eval --------------------------------------------------------

NAMES = ("Cin", "K", "Ho", "Wo", "Co")


@pytest.mark.parametrize("text,message", [
    ("__import__('os').system('touch /tmp/nnref-pwned')", "function call"),
    ("().__class__.__bases__[0].__subclasses__()", "not allowed"),
    ("Cin.real", "attribute access"),
    ("max(Cin, K)", "function call"),
    ("open('/etc/passwd')", "function call"),
    ("Cin[0]", "indexing"),
    ("lambda: 1", "a lambda"),
    ("Cin if K else Co", "if/else"),
    ("Cin < K", "a comparison"),
    ("(x := 1)", "assignment"),
    ("'a' * 10**9", "str constant"),
    ("2**Cin", "exponent"),
    ("9**(9**9)", "exponent"),
    ("2**-1", "exponent"),
    ("Cin << 30", "this operator"),
    ("Hout*Wo", "unknown name 'Hout' (did you mean Ho?)"),
    ("I*O", "unknown name 'I'"),
    ("Cin +", "not a valid expression"),
    ("", "empty"),
    ("1" + "+1" * 600, "characters long"),
])
def test_bad_formulas_are_one_clear_line(text, message):
    with pytest.raises(ValueError, match=None) as e:
        Formula(text, NAMES)
    assert message in str(e.value) and "\n" not in str(e.value)
    assert not Path("/tmp/nnref-pwned").exists()


def test_the_parser_never_evaluates():
    for name in ("_expr.py", "formula.py", "_hints.py", "_sweep.py"):
        source = (Path(nnref.__file__).parent / "testing" / name).read_text()
        assert "eval(" not in source.replace("_eval(", "") and "exec(" not in source
        assert "compile(" not in source


def test_paper_notation_and_exact_fractions():
    f = Formula("(2·Cin·K² − 1)×Ho^1", NAMES)
    assert f(dict(Cin=3, K=3, Ho=2)) == 106 and f.uses == {"Cin", "K", "Ho"}
    assert Formula("Cin/K", NAMES)(dict(Cin=1, K=3)) * 3 == 1  # exact, no rounding
    with pytest.raises(ValueError, match="divides by zero"):
        Formula("Cin/(K - 3)", NAMES)(dict(Cin=1, K=3))
    with pytest.raises(TypeError, match="formula=3 is invalid"):
        Formula(3, NAMES)


@pytest.mark.parametrize("kw,message", [
    ({"layer": "Softmax"}, "not supported by the formula check"),
    ({"kind": "flops!"}, "kind='flops!'"),
    ({"sweep": 0}, "sweep=0"),
    ({"fix": {"Ho": 3}}, "'Ho' cannot be fixed"),
    ({"fix": {"bias": "yes"}}, "bias"),
    ({"padding_taps": "zeros"}, "padding_taps='zeros'"),
])
def test_bad_arguments_name_themselves(kw, message):
    args = {"layer": "Conv2d", "formula": "Cin", **kw}
    with pytest.raises((ValueError, TypeError), match=None) as e:
        check_formula(**args)
    assert message in str(e.value)


# -- the command -----------------------------------------------------------------------------

def test_cli_verify_exit_codes_table_and_errors(capsys):
    assert main(["verify", "Conv2d", "--formula", SEED, "--sweep", "8", "--fix", "bias=0"]) == 0
    out = capsys.readouterr().out
    assert "exact on all 8 configurations" in out and "configuration" in out
    assert main(["verify", "Conv2d", "--formula", SEED, "--sweep", "8"]) == 1
    out = capsys.readouterr().out
    assert "difference" in out and "hint: off by −Ho·Wo·Co" in out
    assert main(["verify", "Conv2d", "--formula", "os.system('id')"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnref: error: formula") and err.count("\n") == 1
    assert main(["verify", "Conv2d", "--formula", "K", "--fix", "bias"]) == 2
    assert "NAME=INT" in capsys.readouterr().err
    assert main(["verify", "Linear", "--names"]) == 0
    assert "in_features" in capsys.readouterr().out
