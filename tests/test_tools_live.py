"""The real THOP, ptflops, fvcore and FlopCounterMode, run live, against nnref's reproductions.

Every tool's total and its number for every leaf module must equal what
``nnref.conventions`` says, exactly: on single layers of every type (a hypothesis
sweep over nnref.testing.strategies, each with its torch twin), on the zoo (torch twins
with torchvision's module structure, and ``nnref.to_torch`` of each), and
on hand-written models with functional calls, residual adds, ``torch.cat``, ... The zoo
totals must also be the ones the tools print on torchvision's models (the issue's table).
The tools come with the ``compare`` extra, which CI installs.
"""
import numpy as np
import pytest
from conftest import need, torch
from hypothesis import assume, given
from hypothesis import strategies as st
from test_conventions import TOOL_OUTPUTS
from live_models import MODELS
from torch_twins import TWINS

import nnref
from nnref.conventions import run_tool
from nnref.models import zoo
from nnref.testing import strategies as nst
from nnref.testing.twins import twin_plan
from nnref.testing.tools import RUNNERS, leaf_names, per_module, run_ptflops, run_tools

for _tool in ("thop", "ptflops", "fvcore"):
    need(_tool)



def assert_reproduced(plan, module, inputs, tools=None):
    """Each real tool on ``module`` equals nnref's reproduction on ``plan``: total and per module."""
    live = run_tools(module, inputs, tools)
    leaves = leaf_names(module)
    for tool, got in live.items():
        want = run_tool(tool, plan)
        assert got.total == want.total, f"{tool}: the tool says {got.total:,}, nnref {want.total:,}"
        assert got.modules == per_module(want, leaves), f"{tool}, per leaf module"
    return live


def one(layer, shape):
    return [("", layer, tuple(shape), tuple(layer.output_shape(shape)))]


def zeros_like_model(module):
    """``module`` materialised on the CPU with zero weights (counts never read values):
    built on the meta device, so that VGG-16's 138 M weights are never initialised."""
    module = module.to_empty(device="cpu")
    with torch.no_grad():
        for t in (*module.parameters(), *module.buffers()):
            t.fill_(1 if t.dtype.is_floating_point else 0)
    return module.eval()


# -- single layers of every type -------------------------------------------------------------
#: Checked live by tests/test_attention_tools.py instead, with a torch module that passes the
#: layer's masks and options in forward, as torch takes them (a twin holds no mask).
CALLED_WITH_MASKS = {"ScaledDotProductAttention", "MultiheadAttention"}


@pytest.mark.parametrize("name", sorted(set(nst.BY_CLASS) - CALLED_WITH_MASKS))
@given(data=st.data())
def test_every_tool_on_every_layer_type(name, data):
    sample = data.draw(nst.layers(name), label="sample")
    layer, shape, twin = sample
    xs = tuple(torch.from_numpy(np.asarray(x)) for x in sample.inputs(np.float32))
    try:
        twin(*xs)
    except RuntimeError:  # a configuration nnref takes and torch refuses (AvgPool3d on a
        assume(False)     # window wider than the unpadded input): no tool can run on it
    # ptflops' batch counter calls len() on the input, and THOP's softmax hook indexes its
    # shape: neither runs on a 0-d tensor; ptflops needs an input (a Parameter has none)
    tools = list(RUNNERS) if shape else ["fvcore", "torch"] + ["thop"] * (not layer.operands)
    plan = twin_plan(layer, shape)
    raising = [t for t in tools if "raises" in run_tool(t, plan).layers[0].rule]
    for tool in raising:  # nnref's rule says the tool fails on this input: it must
        with pytest.raises(Exception):  # noqa: B017 - whatever the tool raises
            run_tools(twin, xs, [tool])
    assert_reproduced(plan, twin, xs, tools=[t for t in tools if t not in raising])


def test_ptflops_and_thops_softmax_cannot_run_on_a_0d_input():
    with pytest.raises(RuntimeError, match="ptflops failed"):
        run_ptflops(torch.nn.ReLU(), torch.zeros(()))
    with pytest.raises(IndexError):
        RUNNERS["thop"](torch.nn.Softmax(0), torch.zeros(()))
    with pytest.raises(ValueError, match="THOP count"):  # nnref says so, rather than a number
        run_tool("thop", one(nnref.Softmax(0), ()))


def test_ptflops_cannot_run_on_a_module_of_no_input():
    with pytest.raises(IndexError):  # its batch counter reads the first input
        run_ptflops(nnref.to_torch(nnref.Parameter(np.ones(3, np.float32))), ())


@pytest.mark.parametrize("count_functional", [True, False])
def test_ptflops_without_functional_patching(count_functional):
    plan = one(nnref.ReLU(), (2, 3, 4))
    got = run_ptflops(torch.nn.ReLU(), torch.zeros(2, 3, 4), count_functional=count_functional)
    want = nnref.conventions.ptflops(plan, count_functional=count_functional)
    assert (got.total, got.modules[""]) == (want.total, want.layers[0].count)
    assert got.total == (24 // 2 + 24 if count_functional else 24 // 2)  # hook ÷ batch 2


# -- the zoo -------------------------------------------------------------------------------
#: Totals printed by the tools on torchvision 0.28's models (seed_crnn: the article's
#: PyTorch code), batch 1, default inputs: THOP MACs, ptflops MACs, fvcore, torch FLOPs
#: (the issue's table; tests/test_conventions.py holds the other ptflops modes too).
PRINTED = {name: (t[0], t[1], t[4], t[5]) for name, t in TOOL_OUTPUTS.items()}


def zoo_twins():
    """(zoo name, how the torch model is made): the hand-written twins, and to_torch."""
    routes = [pytest.param(name, "hand-written", id=f"{name}-hand-written") for name in PRINTED]
    routes += [pytest.param(name, "to_torch", id=f"{name}-to_torch")
               for name in PRINTED]
    return routes


@pytest.mark.parametrize("name,route", zoo_twins())
def test_the_tools_on_the_zoo_print_the_published_totals_and_nnref_reproduces_them(name, route):
    shape = zoo.input_shape(name)
    model = zoo.build(name)
    if route == "to_torch":
        module = nnref.to_torch(model).eval()
    else:
        with torch.device("meta"):
            module = zeros_like_model(TWINS[name]())
    live = assert_reproduced(model.plan(shape), module, torch.zeros(shape))
    assert tuple(live[t].total for t in RUNNERS) == PRINTED[name]


# -- hand-written models: functional calls, residual adds, cat, SE, shuffle, Hardswish ---------
#: Each model as nnref's containers write it (where they can), and through from_torch.
ROUTES = ([pytest.param(name, "containers", id=f"{name}-containers")
           for name, (_, _, build) in MODELS.items() if build]
          + [pytest.param(name, "from_torch", id=f"{name}-from_torch")
             for name in MODELS])


@pytest.mark.parametrize("name,route", ROUTES)
def test_the_tools_on_hand_written_torch_models(name, route):
    factory, shape, build = MODELS[name]
    module = factory().eval()
    x = torch.from_numpy(np.random.default_rng(0).standard_normal(shape).astype(np.float32))
    # the plan's steps carry how each call is made, as the torch forward makes it
    plan = (nnref.from_torch(module, x) if route == "from_torch" else build()).plan(shape)
    assert_reproduced(plan, module, x)


def test_the_hand_written_models_are_what_their_nnref_builders_say():
    """Same leaf modules in the same order, and the functional calls are not modules."""
    for name, (factory, shape, build) in MODELS.items():
        if build is None:
            continue
        plan = build().plan(shape)
        modules = [s.name for s in plan if s.call == "module"]
        torch_leaves = [n for n in leaf_names(factory()) if n]
        assert sorted(set(modules)) == sorted(torch_leaves), name
