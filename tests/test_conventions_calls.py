"""The tools' conventions read how each call is made (module, function, method, operator)
and its target; the rules of the new leaf types, by hand; and on hand-written torch models
the real THOP, ptflops (both backends), fvcore and FlopCounterMode, when installed, give
exactly what the conventions say of the converted graph."""
import contextlib
import io

import pytest
from conftest import torch
from torch_models import MODELS, randomize

import nnref
from nnref.conventions import fvcore, ptflops, tf_profiler, thop, torch_flop_counter
from nnref.layers import (Add, AdaptiveAvgPool2d, Cat, Chunk, Conv2d, Div, Hardsigmoid,
                          Hardswish, Hardtanh, Mean, Mul, Permute, ReLU, Split, Sub)
from nnref.models import Step


def step(layer, shape, call="module", target=""):
    return Step("l", layer, shape, tuple(layer.output_shape(shape)), call, target)


def totals(*steps):
    plan = list(steps)
    return (thop(plan).total, ptflops(plan).total, fvcore(plan).total,
            torch_flop_counter(plan).total, tf_profiler(plan).total)


def test_hook_tools_see_module_calls_only():
    pool = AdaptiveAvgPool2d((2, 3))  # 2 channels of 6×6: THOP (3·2 + 1) × 12 = 84
    assert totals(step(pool, (1, 2, 6, 6)))[:2] == (84, 144)  # ptflops: hook + F.* wrapper
    as_function = step(pool, (1, 2, 6, 6), "function", "F.adaptive_avg_pool2d")
    assert totals(as_function)[:2] == (0, 72)  # no hook: THOP 0, ptflops the wrapper only
    relu = ReLU()
    assert totals(step(relu, (1, 18), "function", "F.relu"))[1] == 18  # F.relu is patched
    assert totals(step(relu, (1, 18), "function", "torch.relu"))[1] == 0  # torch.relu is not
    assert totals(step(relu, (1, 18), "method", "Tensor.relu"))[1] == 0


def test_a_subclass_has_no_hook_but_its_forward_still_calls_the_patched_function():
    conv, relu = Conv2d(1, 1, 3), ReLU()
    assert totals(step(conv, (1, 1, 5, 5), "module", "mypkg.MyConv"))[:3] == (0, 0, 81)
    assert totals(step(relu, (1, 18), "module", "mypkg.MyReLU"))[:2] == (0, 18)  # F.relu only


@pytest.mark.parametrize("call,target,ptf", [
    ("operator", "operator.add", 0), ("function", "torch.add", 24), ("method", "Tensor.add", 24),
    ("method", "Tensor.add_", 0),  # ptflops patches Tensor.add, not add_
])
def test_add_by_call(call, target, ptf):
    assert totals(step(Add(), (2, 3, 4), call, target)) == (0, ptf, 0, 0, 24)


def test_binary_rules_by_hand():
    # x (1, 8, 5, 5) * s (1, 8, 1, 1): 200 outputs; TF 1 per output; ptflops' torch.mul
    # wrapper counts the broadcast shape, its axes aligned from the left
    se = step(Mul(), ((1, 8, 5, 5), (1, 8, 1, 1)), "function", "torch.mul")
    assert totals(se) == (0, 200, 0, 0, 200)
    odd = step(Mul(), ((2, 3, 4), (4,)), "function", "torch.mul")  # ptflops: (4, 3, 4) = 48
    assert totals(odd)[1] == 48 and totals(odd)[4] == 24
    for layer in (Sub(), Div(), Mul(0.5), Div(6.0, reverse=True)):
        shape = (2, 3) if layer.operands == 1 else ((2, 3), (2, 3))
        assert totals(step(layer, shape, "operator")) == (0, 0, 0, 0, 6)


def test_new_layer_rules_by_hand():
    shape = (1, 2, 3, 3)
    assert totals(step(Mean((2, 3), True), shape, "method", "Tensor.mean")) == (0, 0, 0, 0, 18)
    assert totals(step(Hardsigmoid(), shape)) == (0, 0, 0, 0, 36)  # TF AddV2 + RealDiv
    assert totals(step(Hardswish(), shape)) == (0, 0, 0, 0, 54)  # and a Mul
    assert totals(step(Hardtanh(), shape)) == (0, 0, 0, 0, 36)  # TF Minimum + Maximum
    assert totals(step(Permute((0, 2, 3, 1)), shape, "method")) == (0,) * 5
    assert totals(step(Cat(1), shape, "function", "torch.cat")) == (0,) * 5
    # TF: equal pieces are one Split (0); pieces of 3, 3, 1 need 2 Subs for their sizes
    assert totals(step(Chunk(2, 1), (1, 6), "method", "Tensor.chunk")) == (0,) * 5
    assert totals(step(Chunk(3, 1, index=2), (1, 7), "method", "Tensor.chunk")) == (0,) * 4 + (2,)
    assert totals(step(Split((1, 3), -1), (2, 4), "method", "Tensor.split")) == (0,) * 4 + (1,)


def test_fvcore_misses_a_convolution_given_padding_as_a_string():
    same = Conv2d(2, 3, 3, padding="same")
    assert totals(step(same, (1, 2, 5, 5)))[2] == 0  # aten::_convolution_mode: no handle
    assert totals(step(Conv2d(2, 3, 3, padding=1), (1, 2, 5, 5)))[2] == 3 * 25 * 18
    reflect = Conv2d(2, 3, 3, padding="same", padding_mode="reflect")  # F.pad + _convolution
    assert totals(step(reflect, (1, 2, 5, 5)))[2] == 3 * 25 * 18


def test_functional_names_override_a_plan_without_call_kinds():
    plan = [("avgpool", AdaptiveAvgPool2d((2, 3)), (1, 2, 6, 6), (1, 2, 2, 3))]
    assert thop(plan).total == 84 and thop(plan, functional=["avgpool"]).total == 0
    assert ptflops(plan, functional=["avgpool"]).total == 72


# -- the real tools on converted models -------------------------------------------------------
def real_tools(module, x):
    """What the installed THOP, ptflops (pytorch and aten), fvcore and FlopCounterMode say."""
    real_thop, real_ptflops = pytest.importorskip("thop"), pytest.importorskip("ptflops")
    flop_count = pytest.importorskip("fvcore.nn")
    from torch.utils.flop_counter import FlopCounterMode

    def ptf(backend):
        return real_ptflops.get_model_complexity_info(
            module, tuple(x.shape[1:]), input_constructor=lambda _: x, as_strings=False,
            print_per_layer_stat=False, verbose=False, backend=backend)[0]

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        macs = int(real_thop.profile(module, (x,), verbose=False)[0])
        pytorch, aten = ptf("pytorch"), ptf("aten")
        analysis = flop_count.FlopCountAnalysis(module, x)
        analysis.unsupported_ops_warnings(False)
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            module(x)
        return macs, pytorch, aten, analysis.total(), counter.get_total_flops()


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_real_tools_count_the_converted_model_as_the_conventions_say(name):
    cls, shape = MODELS[name]
    module = randomize(cls()).eval()
    x = torch.randn(shape)
    plan = nnref.from_torch(module, x).plan(shape)
    assert real_tools(module, x) == (thop(plan).total, ptflops(plan).total,
                                     ptflops(plan, backend="aten").total, fvcore(plan).total,
                                     torch_flop_counter(plan).total)
