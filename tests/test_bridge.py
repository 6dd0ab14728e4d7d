"""nnref.from_torch and nnref.exact on hand-written torch models (tests/torch_models.py,
tests/torch_twins.py) and on one call at a time: outputs equal torch's (float64 to 1e-10,
float32 to 1e-4), counts equal the closed forms and the traced reference, names, call
kinds and targets are torch's; every unsupported call is listed; the fallback warns."""
import warnings

import numpy as np
import pytest
from conftest import assert_close_torch, torch
from torch_models import MODELS, Bottleneck, GatedNet, ShuffleNetish, randomize
from torch_twins import TorchSeedCRNN

import nnref
from nnref import OpCounts, formulas
from nnref.models.run import Runner
from nnref.reference import reference

nn, F = torch.nn, torch.nn.functional
#: torch warns that its own asymmetric padding="same" copies the input
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


def convert(cls_or_module, shape, dtype=torch.float64, seed=0):
    """``(torch module, input, nnref graph)``: random weights, eval mode, converted."""
    module = cls_or_module() if isinstance(cls_or_module, type) else cls_or_module
    module = randomize(module.to(dtype), seed).eval()
    x = torch.randn(shape, dtype=dtype, generator=torch.Generator().manual_seed(seed))
    return module, x, nnref.from_torch(module, x)


def formula_total(graph, shape):
    return sum((formulas.for_layer(s.layer, s.input_shape) for s in graph.plan(shape)), OpCounts())


class TracedRunner(Runner):
    """Runs every leaf with the plain-Python traced reference instead of its kernel."""

    def leaf(self, name, layer, *xs, call="module", target=""):
        y, ops = reference(layer, xs if len(xs) != 1 else xs[0])
        self.records.append(ops)
        return y


def traced(graph, x):
    ex = TracedRunner(graph._names())
    return graph.flow(x, ex), sum(ex.records, OpCounts())


# -- whole models ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_outputs_and_counts_equal_torch_and_the_formulas(name, dtype):
    assert_like_torch(*MODELS[name], dtype)


def assert_like_torch(cls, shape, dtype, close=assert_close_torch):
    """The converted model: outputs ``close`` to torch's, counts the formulas', and torch's
    parameter count, state_dict keys and weights."""
    module, x, graph = convert(cls, shape, dtype)
    y, report = graph(x.numpy())
    with torch.no_grad():
        close(y, module(x))  # by default the conftest tolerance of the dtype
    assert report.total == formula_total(graph, shape)
    assert graph.num_params == sum(p.numel() for p in module.parameters())
    torch_keys = {k for k in module.state_dict() if not k.endswith("num_batches_tracked")}
    assert set(graph.state_dict()) == torch_keys  # same dotted names, same weights
    for key, value in graph.state_dict().items():
        np.testing.assert_array_equal(value, module.state_dict()[key].numpy())


@pytest.mark.parametrize("name", ["mobilenet_v3ish", "shufflenetish", "functional", "bottleneck"])
def test_counts_equal_the_traced_reference(name):
    assert_traced(*MODELS[name])


def assert_traced(cls, shape):
    """The converted model of batch 1: kernel counts and outputs == the traced reference's."""
    module, x, graph = convert(cls, (1,) + shape[1:])
    y, report = graph(x.numpy())
    y_t, ops_t = traced(graph, x.numpy())
    assert ops_t == report.total
    np.testing.assert_allclose(y_t, y, rtol=1e-9, atol=1e-12)


def test_bottleneck_names_calls_and_targets():
    _, _, graph = convert(Bottleneck, (1, 8, 6, 6))
    _, report = graph(np.ones((1, 8, 6, 6)))
    got = [(r.name, r.type, r.call, r.target) for r in report.layers]
    assert got == [
        ("conv1", "Conv2d", "module", "nn.Conv2d"), ("bn1", "BatchNorm2d", "module", "nn.BatchNorm2d"),
        ("relu", "ReLU", "module", "nn.ReLU"), ("conv2", "Conv2d", "module", "nn.Conv2d"),
        ("bn2", "BatchNorm2d", "module", "nn.BatchNorm2d"), ("relu", "ReLU", "module", "nn.ReLU"),
        ("conv3", "Conv2d", "module", "nn.Conv2d"), ("bn3", "BatchNorm2d", "module", "nn.BatchNorm2d"),
        ("add", "Add", "operator", "operator.add"),  # out += identity
        ("relu", "ReLU", "module", "nn.ReLU")]  # one module called three times
    assert graph.num_params == 8 * 2 + 2 * 2 + 2 * 2 * 9 + 2 * 2 + 2 * 8 + 2 * 8


def test_functions_are_named_in_the_scope_of_their_module():
    _, _, graph = convert(ShuffleNetish, (1, 3, 12, 12))
    names = [s.name for s in graph.plan((1, 3, 12, 12))]
    assert names[:4] == ["conv1.0", "conv1.1", "conv1.2", "maxpool"]
    assert "stage2.0.chunk[0]" in names and "stage2.0.chunk[1]" in names
    assert "stage2.1.cat" in names and "stage2.1.contiguous" in names and names[-2:] == ["mean", "fc"]
    # channel_shuffle's x.size() is folded in: the graph takes this input shape only
    assert graph.input_shape == (1, 3, 12, 12)
    with pytest.raises(ValueError, match=r"input_shape=\(2, 3, 12, 12\).*only shape.*folded in "
                                         r"at stage2\.0\.view"):
        graph.plan((2, 3, 12, 12))


def test_seed_crnn_twin_keeps_batch_first_false_and_the_raw_reshape():
    module, x, graph = convert(TorchSeedCRNN, (1, 1, 100, 256))
    plan = graph.plan((1, 1, 100, 256))
    assert [(s.name, s.call) for s in plan] == [
        ("conv", "module"), ("relu", "module"), ("reshape", "method"), ("gru", "module"),
        ("dense", "module"), ("sigmoid", "module")]
    assert graph["gru"].batch_first is False
    assert_close_torch(graph(x.numpy())[0], module(x).detach())


def test_a_module_called_in_training_mode_is_converted_as_in_eval_with_one_warning():
    module = randomize(MODELS["mobilenet_v3ish"][0]().double()).train()
    x = torch.randn(2, 3, 16, 16, dtype=torch.float64)
    with pytest.warns(UserWarning, match="training mode; it is converted as in eval") as seen:
        graph = nnref.from_torch(module, x)
    assert len(seen) == 1 and module.training and module.blocks[0].se.training  # restored
    with torch.no_grad():
        assert_close_torch(graph(x.numpy())[0], module.eval()(x))


def test_a_subclass_keeping_forward_is_a_leaf_with_its_own_target():
    class MyConv(nn.Conv2d):
        pass

    _, _, graph = convert(nn.Sequential(MyConv(2, 3, 3), nn.ReLU()), (1, 2, 5, 5))
    step = graph.plan((1, 2, 5, 5))[0]
    assert step.layer.kind == "Conv2d" and step.target.endswith("MyConv")
    assert nnref.conventions.thop(graph.plan((1, 2, 5, 5))).total == 0  # THOP: exact types only


# -- unsupported calls, untraceable models, bad input ----------------------------------------------
class Unsupported(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv, self.act = nn.Conv2d(3, 4, 3), nn.SELU()
        self.gamma = nn.Parameter(torch.ones(4, 1, 1))

    def forward(self, x):
        y = self.act(self.conv(x)) * self.gamma
        y = F.selu(y)[:, :2]
        return y * y.max().item()


def test_one_error_lists_every_unsupported_call_with_target_and_place():
    with pytest.raises(NotImplementedError) as e:
        nnref.from_torch(Unsupported().eval(), torch.randn(1, 3, 8, 8))
    text = str(e.value)
    assert "5 call(s) of Unsupported are not supported" in text  # self.gamma is taken
    for name, target in [("act", "nn.SELU"), ("selu", "F.selu"),
                         ("getitem", "operator.getitem"), ("max", "Tensor.max"),
                         ("item", "Tensor.item")]:
        assert f"  - {name}: {target} (" in text
    assert "test_bridge.py:" in text and "slicing" in text and "x.item()" in text


def test_an_untraceable_model_falls_back_to_hooks_and_warns_once():
    module = randomize(GatedNet().double()).eval()
    x = torch.randn(1, 3, 6, 6, dtype=torch.float64)
    with pytest.warns(UserWarning, match=r"cannot trace GatedNet.*forward hooks on its 3 leaf "
                                         r"modules.*Not counted: Tensor\.mean x2, Tensor\.gt x1, "
                                         r"Tensor\.mul x1") as seen:
        graph = nnref.from_torch(module, x)
    assert len(seen) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no more warnings when it runs
        y, report = graph(x.numpy())
    with torch.no_grad():
        assert_close_torch(y, module(x))
    assert [r.name for r in report.layers] == ["conv", "relu", "fc"]
    layers = dict(graph.named_layers())
    by_hand = (formulas.for_layer(layers["conv"], (1, 3, 6, 6))
               + formulas.for_layer(layers["relu"], (1, 4, 4, 4))
               + formulas.for_layer(layers["fc"], (1, 4)))
    assert report.total == by_hand == formula_total(graph, (1, 3, 6, 6))
    y32, _ = graph(x.numpy().astype(np.float32))  # another dtype: a converted copy of torch's
    assert y32.dtype == np.float32 and np.allclose(y32, y, rtol=1e-4)


class TwoInputs(nn.Module):
    def forward(self, x, y):
        return x + y


@pytest.mark.parametrize("module,x,error,match", [
    ("resnet50", torch.zeros(1, 3, 8, 8), TypeError, "module='resnet50' is invalid; expected a "
                                                    "torch.nn.Module"),
    (TwoInputs(), torch.zeros(2), ValueError, r"module=TwoInputs takes 2 inputs \(x, y\)"),
    (nn.Conv2d(3, 4, 3), torch.zeros(1, 5, 8, 8), ValueError,
     r"cannot run on example_input of shape \(1, 5, 8, 8\).*3 channels"),
    (nn.Conv2d(3, 4, 3), torch.zeros(1, 3, 8, 8, dtype=torch.int64), ValueError,
     "example_input has dtype torch.int64; expected float32 or float64"),
    (nn.Conv2d(3, 4, 3), torch.zeros(1, 3, 8, 8, dtype=torch.float64), ValueError,
     "example_input has dtype torch.float64, but Conv2d's parameters are torch.float32"),
    (nn.ReLU(), [1.0, 2.0], TypeError, "example_input=.* is invalid; expected a torch tensor"),
])
def test_bad_input_is_named(module, x, error, match):
    with pytest.raises(error, match=match):
        nnref.from_torch(module.eval() if isinstance(module, nn.Module) else module, x)


def test_unsupported_arguments_are_named():
    cases = [(nn.MaxPool2d(2, return_indices=True), "return_indices=True"),
             (nn.BatchNorm2d(3, track_running_stats=False), "track_running_stats=False"),
             (nn.Upsample(scale_factor=2, mode="bicubic"), "bicubic"),
             (nn.AvgPool2d(2, divisor_override=3), "divisor_override=3")]
    for module, match in cases:
        x = torch.zeros((1, 3, 4, 4) if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d,
                                                            nn.BatchNorm2d, nn.Upsample))
                        else (2, 1, 4))
        with pytest.raises(NotImplementedError, match=match):
            nnref.from_torch(module.eval(), x)


# -- exact ----------------------------------------------------------------------------------
def test_exact_takes_a_torch_module_a_layer_and_a_model():
    module = randomize(Bottleneck()).eval()
    report = nnref.exact(module, (1, 8, 6, 6))
    assert report.total == formula_total(nnref.from_torch(module, torch.zeros(1, 8, 6, 6)),
                                         (1, 8, 6, 6))
    x = np.random.default_rng(0).standard_normal((1, 8, 6, 6))
    assert nnref.exact(module, example_input=x.astype(np.float32), dtype="float64").dtype == \
        "float64"
    conv = nnref.Conv2d(3, 8, 3)
    assert nnref.exact(conv, (1, 3, 8, 8)).total == formulas.for_layer(conv, (1, 3, 8, 8))
    assert nnref.exact("seed_crnn").total == nnref.count(nnref.models.zoo.build("seed_crnn"),
                                                         (1, 1, 100, 256))
    with pytest.raises(ValueError, match="input_shape=None and example_input=None"):
        nnref.exact(conv)
    with pytest.raises(TypeError, match="model=42 is invalid"):
        nnref.exact(42, (1, 3))
    with pytest.raises(ValueError, match="does not match example_input"):
        nnref.exact(conv, (1, 3, 8, 8), example_input=np.zeros((1, 3, 9, 9)))


def test_the_readme_torch_example_runs_and_its_comments_are_true():
    import pathlib
    import re

    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## Counting a PyTorch model", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    ns = {}
    exec(compile(block, "README.md", "exec"), ns)  # noqa: S102 - our own documentation
    report, plan = ns["report"], ns["plan"]
    with torch.no_grad():
        assert_close_torch(ns["y"], ns["net"](torch.from_numpy(ns["x"])))
    calls = str([(r.name, r.call) for r in report.layers][:5])
    assert " ".join(calls.split()) in " ".join(block.replace("#", "").split())
    assert str(report.total) in block and report.total == formula_total(ns["model"], (1, 3, 32, 32))
    # THOP: the conv's 8·32·32 outputs × 27 taps and the linear's 10 × 8; the functions: 0
    assert nnref.conventions.thop(plan).total == 8 * 32 * 32 * 27 + 80 == 221_264
    assert "221264" in block and type(ns["torch_mobilenet"]).__name__ == "mobilenet_v2"


def test_compare_takes_a_torch_module():
    module = randomize(Bottleneck()).eval()
    rows = nnref.compare(module, (1, 8, 6, 6), tools=["thop", "fvcore"])
    plan = nnref.from_torch(module, torch.zeros(1, 8, 6, 6)).plan((1, 8, 6, 6))
    assert [r.total for r in rows] == [nnref.conventions.thop(plan).total,
                                       nnref.conventions.fvcore(plan).total]
    with pytest.raises(ValueError, match="input_shape=None is invalid for a torch module"):
        nnref.compare(module)


class MaskedAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(4, 2, batch_first=True)
        self.register_buffer("mask", torch.ones(3, 3, dtype=torch.bool).triu(1))

    def forward(self, x):
        return self.mha(x, x, x, attn_mask=self.mask)[0]


def test_a_mask_computed_in_forward_is_named():
    with pytest.raises(NotImplementedError, match="attn_mask"):
        nnref.from_torch(MaskedAttention().eval(), torch.zeros(1, 3, 4))


def test_the_tables_are_read_only_and_refuse_a_second_registration():
    from nnref.bridges.torch import modules

    with pytest.raises(TypeError):
        modules.FROM_TORCH[nn.ReLU] = None
    with pytest.raises(RuntimeError, match="registered twice"):
        modules.pair((nn.ReLU,), (), None, None)
