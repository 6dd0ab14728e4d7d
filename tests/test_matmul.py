"""MatMul, BatchMatMul, BAddBMM, FunctionalLinear: the hand-counted checklist, torch's
broadcasting and alpha/beta semantics, bad operands, and every tool's rule live.

Torch agreement, NaN, threads and kernel = traced = formula on every configuration are
in tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from conftest import assert_close_torch, rand, to_torch, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from live_tools import live, nnref_side, one
from strategies import STRATEGIES

import nnref
from nnref import OpCounts, formulas
from nnref.conventions import fvcore, ptflops, tf_profiler
from nnref.layers import BAddBMM, BatchMatMul, FunctionalLinear, MatMul

F = torch.nn.functional


def check(layer, shapes, mul, add, out_shape):
    """torch's value and shape, and mul/add by hand (= the formula)."""
    xs = [rand(s, np.float64, seed) for seed, s in enumerate(shapes)]
    y, ops = layer(*xs)
    assert y.shape == out_shape == layer.output_shape(tuple(shapes))
    assert ops == OpCounts(mul=mul, add=add) == formulas.for_layer(layer, tuple(shapes))
    return xs, y


# -- the checklist: every output a dot product of K, mul K, add K − 1 ---------------------
@pytest.mark.parametrize("a,b,out", [
    ((2, 3), (3, 4), (2, 4)),  # 8 outputs
    ((3,), (3, 4), (4,)),  # a row: 4 outputs
    ((2, 3), (3,), (2,)),  # a column
    ((3,), (3,), ()),  # one dot product
    ((2, 1, 2, 3), (5, 3, 4), (2, 5, 2, 4)),  # both broadcast: 80 outputs
    ((2, 3), (4, 3, 2), (4, 2, 2)),  # a 2-D input broadcast over other's batch
    ((3,), (2, 3, 4), (2, 4)),
])
def test_matmul_broadcasting(a, b, out):
    k, n = a[-1], int(np.prod(out))
    xs, y = check(MatMul(), (a, b), mul=n * k, add=n * (k - 1), out_shape=out)
    assert_close_torch(y, torch.matmul(*map(to_torch, xs)))


def test_bmm():  # 3·4·2 outputs of 5
    xs, y = check(BatchMatMul(), ((3, 4, 5), (3, 5, 2)), mul=120, add=96, out_shape=(3, 4, 2))
    assert_close_torch(y, torch.bmm(*map(to_torch, xs)))


@pytest.mark.parametrize("beta,alpha,extra_mul,extra_add", [
    (1.0, 1.0, 0, 1),  # input + product: the add only
    (0.5, 1.0, 1, 1),  # beta·input + product
    (1.0, 2.0, 1, 1),  # input + alpha·product
    (0.5, 2.0, 2, 1),
    (0.0, 2.0, 1, 0),  # input ignored
    (0.0, 1.0, 0, 0),  # the product alone, as bmm
])
def test_baddbmm_alpha_beta(beta, alpha, extra_mul, extra_add):
    n = 2 * 3 * 4  # outputs, each of a dot product of 5
    layer = BAddBMM(beta=beta, alpha=alpha)
    xs, y = check(layer, ((3, 4), (2, 3, 5), (2, 5, 4)), mul=n * (5 + extra_mul),
                  add=n * (4 + extra_add), out_shape=(2, 3, 4))
    assert_close_torch(y, torch.baddbmm(*map(to_torch, xs), beta=beta, alpha=alpha))


def test_baddbmm_beta_0_ignores_nan_in_the_input_as_torch_documents():
    c, a, b = np.full((2, 3, 4), np.nan), rand((2, 3, 5)), rand((2, 5, 4))
    y, _ = BAddBMM(beta=0.0)(c, a, b)
    assert not np.isnan(y).any()
    assert_close_torch(y, torch.baddbmm(*map(to_torch, (c, a, b)), beta=0.0))


@pytest.mark.parametrize("x,w,bias,out", [
    ((2, 3, 6), (4, 6), True, (2, 3, 4)),
    ((6,), (4, 6), False, (4,)),
    ((3, 6), (6,), False, (3,)),  # a 1-D weight (torch refuses a bias with it)
])
def test_functional_linear(x, w, bias, out):
    n = int(np.prod(out))
    shapes = (x, w, w[:-1]) if bias else (x, w)
    xs, y = check(FunctionalLinear(bias), shapes, mul=n * 6, add=n * (5 + bias), out_shape=out)
    assert_close_torch(y, F.linear(*map(to_torch, xs)))


def test_count_and_a_report_take_the_operands_shapes():
    report = nnref.count_report(MatMul(), ((2, 3, 4), (4, 5)))
    assert report.input_shape == ((2, 3, 4), (4, 5)) and report.layers[0].output_shape == (2, 3, 5)
    assert report.total == OpCounts(mul=120, add=90)


# -- bad operands ------------------------------------------------------------------------------
@pytest.mark.parametrize("layer,shapes,match", [
    (MatMul(), ((2, 3), (4, 5)), r"shapes \(2, 3\) and \(4, 5\) cannot be multiplied"),
    (MatMul(), ((2, 2, 3), (3, 3, 4)), r"cannot be broadcast \(sizes \[2, 3\] along axis -1\)"),
    (MatMul(), ((), (3,)), "expected both at least 1-D"),
    (BatchMatMul(), ((2, 3, 4), (3, 4, 5)), "both 3-D with the same B"),
    (BatchMatMul(), ((3, 4), (4, 5)), "both 3-D"),
    (BAddBMM(), ((2, 3, 4), (2, 3, 4), (2, 4, 5)), r"shapes \[\(2, 3, 4\), \(2, 3, 5\)\] cannot be broadcast"),
    (BAddBMM(), ((4, 2, 3, 5), (2, 3, 4), (2, 4, 5)),
     r"input of shape \(4, 2, 3, 5\) does not broadcast to the product's shape \(2, 3, 5\)"),
    (FunctionalLinear(), ((2, 6), (4, 5), (4,)), r"weight of shape \(4, 5\); expected input"),
    (FunctionalLinear(), ((2, 6), (4, 6), (3,)), r"bias of shape \(3,\) for weight"),
    (FunctionalLinear(), ((2, 6), (6,), ()), r"weight of shape \(6,\) with a bias"),
])
def test_bad_shapes_are_named(layer, shapes, match):
    with pytest.raises(ValueError, match=match):
        layer(*(rand(s) for s in shapes))
    with pytest.raises(ValueError, match=match):
        formulas.for_layer(layer, shapes)


def test_bad_operands():
    with pytest.raises(TypeError, match="1 operands given; expected 2"):
        MatMul()(rand((2, 3)))
    with pytest.raises(TypeError, match="input has dtype float32 and other has dtype float64"):
        MatMul()(rand((2, 3), np.float32), rand((3, 2)))
    # one shape is every operand's (as for Add): square or batched-square operands
    assert MatMul().output_shape((2, 3, 3)) == (2, 3, 3)
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(2, 3\) cannot be multiplied"):
        MatMul().output_shape((2, 3))
    with pytest.raises(ValueError, match="has 3 shapes; expected one shape, or 2"):
        MatMul().output_shape(((2, 3), (3, 2), (2,)))
    with pytest.raises(TypeError, match="input_shape='2,3' is invalid"):
        MatMul().output_shape("2,3")
    with pytest.raises(TypeError, match="beta='1'"):
        BAddBMM(beta="1")
    with pytest.raises(ValueError, match="alpha=nan"):
        BAddBMM(alpha=float("nan"))
    with pytest.raises(TypeError, match="bias=None"):
        FunctionalLinear(None)


# -- every tool, live, per call kind -------------------------------------------------------
class Op(torch.nn.Module):
    """Calls torch's op at forward time as a model's code does (so ptflops' patches apply)."""

    CALLS = {"function": lambda name, *xs, **kw: getattr(torch, name)(*xs, **kw),
             "method": lambda name, x, *xs, **kw: getattr(x, name)(*xs, **kw),
             "operator": lambda name, a, b: a @ b}

    def __init__(self, layer, call):
        super().__init__()
        self.layer, self.call = layer, call

    def forward(self, *xs):
        kind = self.layer.kind
        if kind == "FunctionalLinear":
            return F.linear(*xs)
        name = {"MatMul": "matmul", "BatchMatMul": "bmm", "BAddBMM": "baddbmm"}[kind]
        kw = dict(beta=self.layer.beta, alpha=self.layer.alpha) if kind == "BAddBMM" else {}
        return self.CALLS[self.call](name, *xs, **kw)


def with_call(plan, call):
    """The ptflops reproduction of ``plan`` for a call made as ``call`` (8a's call kinds)."""
    from nnref.conventions import TOOL_RULES

    (name, layer, shape_in, shape_out), = plan
    _, why, patched, *count = TOOL_RULES["ptflops"].resolve(layer)(layer, shape_in, shape_out, call)
    return count[0] if patched and count else 0


@pytest.mark.parametrize("call", ["function", "method", "operator"])
def test_matmul_call_kinds_live(call):
    """ptflops patches torch.matmul and Tensor.matmul, not @; the others see aten ops."""
    layer, shapes = MatMul(), ((2, 1, 3, 4), (5, 4, 2))
    got = live(Op(layer, call), *(torch.zeros(s) for s in shapes))
    want = nnref_side(one(layer, shapes))
    assert got["ptflops"] == with_call(one(layer, shapes), call) == (0 if call == "operator" else 48)
    assert {k: v for k, v in got.items() if k != "ptflops"} == {k: v for k, v in want.items()
                                                               if k != "ptflops"}
    assert (got["aten"], got["fvcore"], got["torch"]) == (240, 48, 480)  # exact mul: 240


def test_fvcore_fails_on_a_1d_other_live():
    layer, shapes = MatMul(), ((3, 4), (4,))
    pytest.importorskip("fvcore")
    with pytest.raises(IndexError):
        live(Op(layer, "function"), *(torch.zeros(s) for s in shapes), tools=("fvcore",))
    assert fvcore(one(layer, shapes)).layers[0].rule.startswith("aten::matmul: matmul_flop_jit")
    assert live(Op(layer, "function"), *(torch.zeros(s) for s in shapes),
                tools=("torch", "aten")) == {"torch": 0, "aten": 0}  # aten.mv


@pytest.mark.parametrize("name", ["MatMul", "BatchMatMul", "BAddBMM", "FunctionalLinear"])
@settings(max_examples=10)
@given(data=st.data())
def test_every_rule_equals_the_real_tool(name, data):
    layer, xs = data.draw(STRATEGIES[name], label="layer, xs")
    shapes = tuple(x.shape for x in xs)
    tools = ("thop", "ptflops", "ptflops_nofunc", "aten", "torch") + (
        () if name == "MatMul" and len(shapes[1]) == 1 else ("fvcore",))
    got = live(Op(layer, "function"), *(torch.zeros(s) for s in shapes), tools=tools)
    assert got == nnref_side(one(layer, shapes), tools)


def test_tf_rule_by_hand():
    """MatMul/BatchMatMulV2 2 per MAC (TF 2.21, measured); the blend: Mul by α and AddV2 1 per
    output element, Mul by β 1 per element of c itself (here 3·4, broadcast over the batch 2)."""
    assert tf_profiler(one(MatMul(), ((2, 3), (3, 4)))).total == 2 * 24
    layer = BAddBMM(beta=0.5, alpha=2.0)
    assert tf_profiler(one(layer, ((3, 4), (2, 3, 5), (2, 5, 4)))).total == 2 * 120 + 2 * 24 + 12
    assert tf_profiler(one(FunctionalLinear(), ((3, 6), (4, 6), (4,)))).total == 2 * 72 + 12
    assert ptflops(one(FunctionalLinear(), ((3, 6), (4, 6), (4,)))).total == 0


def test_cli_takes_one_shape_per_operand(capsys, jsonschema):
    import json

    from nnref.cli import main
    from nnref.reports.render import LAYER_SCHEMA

    for spec, text, want in [("MatMul()", "2,3,4;4,5", [[2, 3, 4], [4, 5]]),
                             ("MatMul()", "4;4", [[4], [4]])]:
        assert main(["count", spec, "--input", text, "--format", "json"]) == 0
        data = json.loads(capsys.readouterr().out)
        jsonschema.validate(data, LAYER_SCHEMA)
        assert data["input_shape"] == want and data["kernel"] == data["formula"]
    assert main(["count", "MatMul()", "--input", "2,3;4,5"]) == 2
    assert "cannot be multiplied" in capsys.readouterr().err
