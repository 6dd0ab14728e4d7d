"""A BatchNorm and the ReLU, ReLU6 or Hardtanh that alone reads it, run by the models in
one kernel pass (nnref/models/run.py ``fusable``, ``Runner.pair``): the same records,
counts, outputs and progress calls as the two layers called one after the other, and no
fusion where another reader, the output or another activation forbids it."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import STRATEGIES, seeds, trained

from nnref import formulas
from nnref.layers import (Add, BatchNorm1d, BatchNorm2d, Conv2d, Hardtanh, LeakyReLU, ReLU,
                          ReLU6)
from nnref.models import Graph, Node, Sequential
from nnref.models.run import chains, fusable

CLAMPS = [lambda: ReLU(), lambda: ReLU(inplace=True), lambda: ReLU6(),
          lambda: Hardtanh(-0.5, 0.75), lambda: Hardtanh(0.25, 0.3)]


def unfused(monkeypatch):
    """Run every pair as two calls (what the fused pass must equal)."""
    from nnref.models import run
    monkeypatch.setattr(run.Runner, "pair", run._Executor.pair)


def activations_must_not_run(monkeypatch, *acts):
    """Make the activations' own forward fail: the fused pass must not call it."""
    for act in acts:
        monkeypatch.setattr(act, "forward", lambda *a: pytest.fail("the activation ran alone"))


def records(report):
    return [(r.name, r.type, r.counts, r.output_shape, r.params, r.call, r.target)
            for r in report.layers]


@given(sample=st.sampled_from(["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]).flatmap(
    lambda name: STRATEGIES[name]), act=st.sampled_from(range(len(CLAMPS))), seed=seeds)
def test_a_fused_pair_equals_the_two_calls(sample, act, seed):
    bn, x = sample
    bn, clamp = trained(bn, seed % 1000), CLAMPS[act]()
    model = Sequential(bn, clamp)
    assert [len(run) for run in model._runs] == [2]
    assert [s.layer for s in model.plan(x.shape)] == [bn, clamp]  # planned as two calls
    seen = []
    with pytest.MonkeyPatch.context() as mp:
        activations_must_not_run(mp, clamp)
        y, report = model(x, progress=seen.append)
    h, bn_ops = bn(x)
    expected, act_ops = clamp(h.copy())
    np.testing.assert_array_equal(y, expected)  # NaN where it is: it propagates alike
    assert y.dtype == x.dtype and [r.counts for r in report.layers] == [bn_ops, act_ops]
    assert act_ops == formulas.for_layer(clamp, x.shape) and seen == list(report.layers)
    with pytest.MonkeyPatch.context() as mp:
        unfused(mp)
        y2, report2 = model(x)
    np.testing.assert_array_equal(y, y2)
    assert records(report) == records(report2)


def graph(bn, act, *more, output=None):
    return Graph([Node("conv", Conv2d(3, 4, 3, padding=1, rng=0)), Node("bn", bn),
                  Node("act", act, call="function", target="F.relu"), *more],
                 name="g", output=output)


@pytest.mark.parametrize("make", CLAMPS)
def test_a_graph_fuses_a_norm_its_next_node_alone_reads(make, monkeypatch):
    bn, act = trained(BatchNorm2d(4), 3), make()
    g = graph(bn, act, Node("add", Add(), ("act", "conv"), "operator", "operator.add"))
    assert g._pairs == {1}
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np.float32)
    with monkeypatch.context() as mp:
        activations_must_not_run(mp, act)
        y, report = g(x)
    unfused(monkeypatch)
    y2, report2 = g(x)
    np.testing.assert_array_equal(y, y2)
    assert records(report) == records(report2)
    assert [(r.name, r.call, r.target) for r in report.layers][1:3] == [
        ("bn", "module", ""), ("act", "function", "F.relu")]


@pytest.mark.parametrize("why, build, channels", [
    ("another node reads the norm", lambda bn, act: graph(
        bn, act, Node("add", Add(), ("act", "bn"), "operator", "operator.add")), 3),
    ("the norm is the output", lambda bn, act: graph(bn, act, output="bn"), 3),
    ("the activation reads another node", lambda bn, act: Graph([
        Node("bn", bn), Node("conv", Conv2d(4, 4, 1, rng=0)), Node("act", act, ("bn",))]), 4),
])
def test_no_fusion_where_the_norms_output_is_needed(why, build, channels):
    bn, act = trained(BatchNorm2d(4), 3), ReLU6()
    g = build(bn, act)
    assert not g._pairs, why
    x = np.random.default_rng(0).standard_normal((1, channels, 5, 5)).astype(np.float32)
    y, report = g(x)
    assert report.layers[2].type == "ReLU6"  # the activation's own call, counted alone
    assert report.layers[2].counts == formulas.for_layer(act, (1, 4, 5, 5))


def test_which_pairs_fuse():
    bn = BatchNorm1d(3)
    assert fusable(bn, ReLU()) and fusable(bn, ReLU6()) and fusable(bn, Hardtanh())
    assert not fusable(bn, LeakyReLU()) and not fusable(ReLU(), bn)
    assert not fusable(Conv2d(3, 3, 1), ReLU()) and not fusable(bn, Sequential(ReLU()))

    class Checked(BatchNorm1d):  # validates more in its own __call__: not skipped
        def __call__(self, x):
            return super().__call__(x)

    class Noisy(ReLU):  # a forward of its own: not skipped either
        def forward(self, x):
            return super().forward(x + 1)

    class Plain(ReLU6):  # a subclass that changes nothing still fuses
        pass
    assert not fusable(Checked(3), ReLU()) and not fusable(bn, Noisy())
    assert fusable(bn, Plain()) and fusable(BatchNorm2d(3), Plain())
    a, b, c, leaky = ReLU(), BatchNorm1d(3), ReLU6(), LeakyReLU()
    assert chains([a, b, c, bn, leaky]) == ((a,), (b, c), (bn,), (leaky,))


def test_a_runner_with_its_own_leaf_sees_both_calls():
    """A subclass of the Runner that runs leaves its own way (the traced reference of
    tests/test_bridge.py) gets the pair as two leaf calls."""
    from nnref.models.run import Runner

    class Leaves(Runner):
        def leaf(self, name, layer, *xs, call="module", target=""):
            self.records.append(name)
            return layer(*xs)[0]
    model = Sequential(trained(BatchNorm2d(2), 1), ReLU6())
    ex = Leaves(model._names())
    x = np.random.default_rng(0).standard_normal((1, 2, 3, 3))
    np.testing.assert_array_equal(model.flow(x, ex), model(x)[0])
    assert ex.records == ["0", "1"]
