"""The tool rules of LayerNorm, GroupNorm, InstanceNorm, GELU, ELU, PReLU, Softplus, Mish,
LogSoftmax and Embedding, checked live against the real tools.

THOP 0.1.1.post2209072238, ptflops 0.7.5 (both backends, with and without its functional
wrappers), fvcore 0.1.5.post20221221 and torch 2.13's FlopCounterMode run on the torch
module equal to each catalogue sample, on configurations drawn by tests/strategies.py, and
on two hand-written torch models (a small transformer-like head and a conv block), and
must print what ``nnref.conventions`` says. The tools are the ``compare`` extra: without
them these checks are skipped (FlopCounterMode always runs). The TF rules are read from
the TensorFlow and Keras sources (see docs/conventions.md) and checked here by hand.

The runners below are this module's own until ``nnref.testing.tools`` (issue 8b) lands;
then they should be replaced by it.
"""
import contextlib
import io
import logging
import warnings

import numpy as np
import pytest
from catalogue import CATALOGUE, class_of, inputs, make
from conftest import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import STRATEGIES
from torch.utils.flop_counter import FlopCounterMode

from nnref.conventions import fvcore, ptflops, tf_profiler, thop, torch_flop_counter
from nnref.layers import (ELU, GELU, Conv2d, Embedding, Flatten, GroupNorm, InstanceNorm2d,
                          LayerNorm, Linear, LogSoftmax, Mish, PReLU, Softplus)
from nnref.models.graph import Sequential

nn = torch.nn
CLASSES = ("LayerNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
           "GELU", "ELU", "PReLU", "Softplus", "Mish", "LogSoftmax", "Embedding")
SAMPLES = sorted(n for n in CATALOGUE if class_of(n) in CLASSES)


# -- the torch module of an nnref layer, and the real tools on it ---------------------------

def torch_module(layer):
    """The torch module equal to the nnref ``layer`` (configuration, parameters, buffers)."""
    k = layer.kind
    if k == "LayerNorm":
        m = nn.LayerNorm(layer.normalized_shape, layer.eps, layer.scaled,
                         bias=layer.shifted or not layer.scaled)
    elif k == "GroupNorm":
        m = nn.GroupNorm(layer.num_groups, layer.num_channels, layer.eps, layer.affine)
    elif k.startswith("InstanceNorm"):
        m = getattr(nn, k)(layer.num_features, layer.eps, affine=layer.affine,
                           track_running_stats=layer.track_running_stats)
    elif k == "GELU":
        m = nn.GELU(layer.approximate)
    elif k == "ELU":
        m = nn.ELU(layer.alpha)
    elif k == "PReLU":
        m = nn.PReLU(layer.num_parameters)
    elif k == "Softplus":
        m = nn.Softplus(layer.beta, layer.threshold)
    elif k == "LogSoftmax":
        m = nn.LogSoftmax(layer.dim)
    elif k == "Embedding":
        m = nn.Embedding(layer.num_embeddings, layer.embedding_dim, layer.padding_idx)
    else:
        m = getattr(nn, k)()
    with torch.no_grad():
        for name, value in {**layer.parameters(), **getattr(layer, "buffers", dict)()}.items():
            getattr(m, name).copy_(torch.from_numpy(np.asarray(value)))
    return m.eval()


def live(model, x) -> dict:
    """What each installed tool prints for ``model`` (a torch module) on the tensor ``x``."""
    thop_ = pytest.importorskip("thop")
    ptflops_ = pytest.importorskip("ptflops")
    fvcore_nn = pytest.importorskip("fvcore.nn")
    model, out = model.eval(), {}
    quiet = contextlib.ExitStack()
    quiet.enter_context(contextlib.redirect_stdout(io.StringIO()))
    quiet.enter_context(contextlib.redirect_stderr(io.StringIO()))
    quiet.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)
    try:
        with quiet:
            out["thop"] = int(thop_.profile(model, (x,), verbose=False)[0])
            for key, backend, functional in (("ptflops", "pytorch", True),
                                             ("ptflops_nofunc", "pytorch", False),
                                             ("aten", "aten", True)):
                out[key] = ptflops_.get_model_complexity_info(
                    model, tuple(x.shape), input_constructor=lambda _: x, as_strings=False,
                    print_per_layer_stat=False, backend=backend,
                    backend_specific_config={"count_functional": functional})[0]
            try:
                analysis = fvcore_nn.FlopCountAnalysis(model, x)
                analysis.unsupported_ops_warnings(False)
                analysis.uncalled_modules_warnings(False)
                out["fvcore"] = analysis.total()
            except AssertionError:  # its norm handles assert 2 <= ndim <= 5
                out["fvcore"] = "AssertionError"
    finally:
        logging.disable(logging.NOTSET)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(x)
    out["torch"] = counter.get_total_flops()
    return out


def rules(plan) -> dict:
    """What ``nnref.conventions`` says each tool prints for ``plan``."""
    fv = fvcore(plan)
    failed = any("AssertionError" in c.rule for c in fv.layers)
    return {"thop": thop(plan).total, "ptflops": ptflops(plan).total,
            "ptflops_nofunc": ptflops(plan, count_functional=False).total,
            "aten": ptflops(plan, backend="aten").total,
            "fvcore": "AssertionError" if failed else fv.total,
            "torch": torch_flop_counter(plan).total}


def one(layer, shape):
    return [("0", layer, tuple(shape), tuple(layer.output_shape(shape)))]


def check(layer, x):
    """The real tools on the torch twin of ``layer`` agree with nnref's rules on ``x``."""
    t = torch.from_numpy(np.array(x, order="C"))
    assert live(nn.Sequential(torch_module(layer)), t) == rules(one(layer, x.shape)), layer


# -- every sample, drawn configurations, hand-written models -----------------------------------

@pytest.mark.parametrize("name", SAMPLES)
def test_every_tool_on_the_catalogue_sample(name):
    layer, shape = make(name)
    check(layer, inputs(name, shape, np.float32)[0])


@pytest.mark.parametrize("name", CLASSES)
@settings(max_examples=6)
@given(data=st.data())
def test_every_tool_on_drawn_configurations(name, data):
    layer, x = data.draw(STRATEGIES[name], label="layer, x")
    if x.ndim == 0:  # ptflops takes len(input) as the batch size
        x = x.reshape(1)
    if x.dtype.kind == "f":
        x = np.nan_to_num(x.astype(np.float32))  # finite float32, for THOP and fvcore
    check(layer, x)


def test_fvcore_refuses_a_norm_on_an_input_outside_2d_to_5d_and_the_rule_says_so():
    layer = LayerNorm(4)
    assert live(nn.Sequential(torch_module(layer)), torch.zeros(4))["fvcore"] == "AssertionError"
    (call,) = fvcore(one(layer, (4,))).layers
    assert call.count == 0 and "raises AssertionError" in call.rule


def _transformer_head():
    """Token ids (2, 7) -> log-probabilities over 10 classes; the same in torch."""
    torch_model = nn.Sequential(nn.Embedding(50, 16), nn.LayerNorm(16), nn.Linear(16, 32),
                                nn.GELU(), nn.Linear(32, 16), nn.GELU("tanh"),
                                nn.LayerNorm(16, bias=False), nn.Linear(16, 10),
                                nn.LogSoftmax(-1))
    nnref_model = Sequential(Embedding(50, 16, rng=0), LayerNorm(16), Linear(16, 32, rng=0),
                             GELU(), Linear(32, 16, rng=0), GELU("tanh"),
                             LayerNorm(16, bias=False), Linear(16, 10, rng=0), LogSoftmax(-1))
    return torch_model, nnref_model, torch.randint(0, 50, (2, 7))


def _conv_block():
    torch_model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.GroupNorm(2, 8), nn.Mish(),
                                nn.Conv2d(8, 8, 3), nn.InstanceNorm2d(8, affine=True),
                                nn.PReLU(8), nn.ELU(0.5), nn.Softplus(2.0), nn.Flatten(),
                                nn.Linear(8 * 36, 5))
    nnref_model = Sequential(Conv2d(3, 8, 3, padding=1, rng=0), GroupNorm(2, 8), Mish(),
                             Conv2d(8, 8, 3, rng=0), InstanceNorm2d(8, affine=True), PReLU(8),
                             ELU(0.5), Softplus(2.0), Flatten(), Linear(8 * 36, 5, rng=0))
    return torch_model, nnref_model, torch.zeros(2, 3, 8, 8)


@pytest.mark.parametrize("build", [_transformer_head, _conv_block], ids=["head", "conv"])
def test_every_tool_on_a_hand_written_model(build):
    torch_model, nnref_model, x = build()
    assert live(torch_model, x) == rules(nnref_model.plan(tuple(x.shape)))


# -- TF, by hand from the ops of the Keras layers (measured: tests/test_tf_fixture.py) -------------------------------------------

def test_tf_rules_by_hand():
    n = 2 * 3 * 8  # 48 elements in 6 rows of 8
    # LayerNorm: moments 4n, AddV2 + Rsqrt (2) per row, inv·γ n, −mean [Neg per row] · inv
    # n, + β n, x·inv + res 2n
    assert tf_profiler(one(LayerNorm(8), (2, 3, 8))).total == 4 * n + 3 * 6 + n + 6 + n + n + 2 * n
    assert tf_profiler(one(LayerNorm(8, bias=False), (2, 3, 8))).total == 8 * n + 4 * 6
    # without γ: inv stays per row, so −mean·inv is 6 Muls
    assert tf_profiler(one(LayerNorm(8, elementwise_affine=False), (2, 3, 8))).total == \
        4 * n + 3 * 6 + 6 + 6 + 2 * n
    # GroupNorm(2, 4) on (2, 4, 3, 3): 72 elements, 4 groups; γ, β broadcast to N·C = 8
    assert tf_profiler(one(GroupNorm(2, 4), (2, 4, 3, 3))).total == 6 * 72 + 4 * 4 + 3 * 8
    # InstanceNorm as GroupNormalization(groups=-1): N·C = 8 groups; running stats: BatchNorm
    assert tf_profiler(one(InstanceNorm2d(4), (2, 4, 3, 3))).total == 6 * 72 + 5 * 8
    tracked = InstanceNorm2d(4, affine=True, track_running_stats=True)
    assert tf_profiler(one(tracked, (2, 4, 3, 3))).total == 2 * 72 + 6 * 4
    assert tf_profiler(one(GELU(), (2, 9))).total == 4 * 18  # Neg, Mul ×3 (Erfc: 0)
    assert tf_profiler(one(GELU("tanh"), (2, 9))).total == 7 * 18
    assert tf_profiler(one(ELU(), (2, 9))).total == 0  # Elu alone
    assert tf_profiler(one(ELU(0.5), (2, 9))).total == 2 * 18  # + Greater, Mul
    assert tf_profiler(one(PReLU(3), (2, 3, 3))).total == 3 * 18 + 3  # Neg, Mul, AddV2; Neg α
    assert tf_profiler(one(Softplus(), (2, 9))).total == 0
    assert tf_profiler(one(Softplus(2.0), (2, 9))).total == 2 * 18  # Mul, RealDiv
    assert tf_profiler(one(Mish(), (2, 9))).total == 18
    assert tf_profiler(one(LogSoftmax(1), (2, 9))).total == 0
    assert tf_profiler(one(LogSoftmax(1), (2, 9, 3))).total == 2  # the axis swap's 2 Subs
    assert tf_profiler(one(Embedding(10, 4), (2, 9))).total == 2 * 18  # Less, AddV2 per index
