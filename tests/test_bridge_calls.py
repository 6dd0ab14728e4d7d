"""Every call the torch bridge takes, one line each: the torch call (a lambda of ``x``, in
a module whose forward it is), what nnref records for it (layer type, call kind, target),
its output against torch's and its counts against the closed form. A checklist of the
calls torchvision-style code makes."""
import operator

import numpy as np
import pytest
from conftest import assert_close_torch, torch

import nnref
from nnref import OpCounts, formulas

nn, F = torch.nn, torch.nn.functional


class Call(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


def _iadd(x):
    y = x * 2
    y += x
    return y


def _shuffle(x):
    b, c, h, w = x.size()
    x = x.view(b, 2, c // 2, h, w)
    return torch.transpose(x, 1, 2).contiguous().view(b, -1, h, w)


#: name -> (f, [(type, call, target) of the records that are not data movement or the
#: arithmetic set up around the call], input shape)
CASES = {
    "x + y": (lambda x: x + x.mean(1, keepdim=True), ("Add", "operator", "operator.add")),
    "x += y": (_iadd, ("Add", "operator", "operator.add")),
    "torch.add": (lambda x: torch.add(x, x), ("Add", "function", "torch.add")),
    "x * y (squeeze-and-excitation)": (lambda x: x * torch.sigmoid(x.mean((2, 3), keepdim=True)),
                                       ("Mul", "operator", "operator.mul")),
    "x * 0.5 + 1": (lambda x: x * 0.5 + 1, ("Add", "operator", "operator.add")),
    "1 - x / 6": (lambda x: 1 - x / 6, ("Sub", "operator", "operator.sub")),
    "x.mul_(2)": (lambda x: (x + 0).mul_(2), ("Mul", "method", "Tensor.mul_")),
    "torch.cat": (lambda x: torch.cat([x, x * 2], 1), ("Cat", "function", "torch.cat")),
    "torch.flatten": (lambda x: torch.flatten(x, 1), ("Flatten", "function", "torch.flatten")),
    "x.view": (lambda x: x.view(-1, 4), ("Reshape", "method", "Tensor.view")),
    "x.reshape": (lambda x: x.reshape(2, -1), ("Reshape", "method", "Tensor.reshape")),
    "x.permute": (lambda x: x.permute(0, 2, 3, 1), ("Permute", "method", "Tensor.permute")),
    "x.transpose": (lambda x: x.transpose(1, 3), ("Transpose", "method", "Tensor.transpose")),
    "x.contiguous": (lambda x: x.transpose(1, 2).contiguous(),
                     ("Contiguous", "method", "Tensor.contiguous")),
    "x.chunk": (lambda x: x.chunk(2, 1)[1], ("Chunk", "method", "Tensor.chunk")),
    "x.split": (lambda x: torch.cat(x.split([1, 3], 1)[::-1], 1), ("Split", "method",
                                                                   "Tensor.split")),
    "x.mean(dims)": (lambda x: x.mean([2, 3]), ("Mean", "method", "Tensor.mean")),
    "F.relu": (lambda x: F.relu(x), ("ReLU", "function", "F.relu")),
    "torch.relu": (lambda x: torch.relu(x), ("ReLU", "function", "torch.relu")),
    "F.relu6": (lambda x: F.relu6(x * 4), ("ReLU6", "function", "F.relu6")),
    "F.hardtanh": (lambda x: F.hardtanh(x, -0.5, 0.5), ("Hardtanh", "function", "F.hardtanh")),
    "F.adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (1, 1)),
                              ("AdaptiveAvgPool2d", "function", "F.adaptive_avg_pool2d")),
    "F.max_pool2d": (lambda x: F.max_pool2d(x, 3, 2, 1), ("MaxPool2d", "function",
                                                          "F.max_pool2d")),
    "F.avg_pool2d": (lambda x: F.avg_pool2d(x, 2, ceil_mode=True),
                     ("AvgPool2d", "function", "F.avg_pool2d")),
    "torch.sigmoid": (lambda x: torch.sigmoid(x), ("Sigmoid", "function", "torch.sigmoid")),
    "F.silu": (lambda x: F.silu(x), ("SiLU", "function", "F.silu")),
    "F.hardswish": (lambda x: F.hardswish(x * 3), ("Hardswish", "function", "F.hardswish")),
    "F.hardsigmoid": (lambda x: F.hardsigmoid(x * 3), ("Hardsigmoid", "function",
                                                        "F.hardsigmoid")),
    "F.softmax": (lambda x: F.softmax(x, dim=1), ("Softmax", "function", "F.softmax")),
    "F.dropout (eval)": (lambda x: F.dropout(x, 0.3, training=False),
                         ("Dropout", "function", "F.dropout")),
    "channel shuffle": (_shuffle, ("Transpose", "function", "torch.transpose")),
    "F.channel_shuffle": (lambda x: F.channel_shuffle(x, 2), ("ChannelShuffle", "function",
                                                              "F.channel_shuffle")),
}
SHAPE = (2, 4, 5, 6)


@pytest.mark.parametrize("name", list(CASES))
def test_call(name):
    f, (kind, call, target) = CASES[name]
    module = Call(f).eval()
    x = torch.randn(SHAPE, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    graph = nnref.from_torch(module, x)
    y, report = graph(x.numpy())
    assert_close_torch(y, module(x))
    assert (kind, call, target) in [(r.type, r.call, r.target) for r in report.layers]
    plan = graph.plan(SHAPE)
    assert report.total == sum((formulas.for_layer(s.layer, s.input_shape) for s in plan),
                               OpCounts())
    y32, _ = graph(x.numpy().astype(np.float32))
    assert_close_torch(y32, module(x.float()))


def test_broadcast_mul_counts_one_mul_per_output_element():
    module = Call(lambda x: x * x.mean((2, 3), keepdim=True)).eval()
    graph = nnref.from_torch(module, torch.zeros(SHAPE))
    (mul,) = [s for s in graph.plan(SHAPE) if s.layer.kind == "Mul"]
    assert mul.input_shape == (SHAPE, (2, 4, 1, 1)) and mul.output_shape == SHAPE
    assert formulas.for_layer(mul.layer, mul.input_shape) == OpCounts(mul=2 * 4 * 5 * 6)


def test_in_place_results_are_seen_by_later_readers_as_in_torch():
    def f(x):
        y = x * 1
        z = y
        y.add_(1)  # z is y: it sees the add
        F.relu(y, inplace=True)
        return z * 2

    module = Call(f).eval()
    x = torch.randn(SHAPE, dtype=torch.float64)
    assert_close_torch(nnref.from_torch(module, x)(x.numpy())[0], module(x))


def test_stochastic_depth_and_dropout_modules_in_eval_are_identities():
    class StochasticDepth(nn.Module):
        def forward(self, x):
            return x if not self.training else x * torch.rand(x.shape[0], 1, 1, 1).ge(0.2)

    module = nn.Sequential(nn.Conv2d(4, 4, 1), StochasticDepth(), nn.Dropout2d(0.5)).eval()
    x = torch.randn(SHAPE)
    report = nnref.from_torch(module, x)(x.numpy())[1]
    assert [(r.name, r.type) for r in report.layers] == [("0", "Conv2d"), ("2", "Dropout")]


def test_an_operator_on_two_numbers_is_folded_but_a_value_of_a_tensor_is_refused():
    graph = nnref.from_torch(Call(lambda x: x.view(x.size(0) * x.size(1), -1)).eval(),
                             torch.zeros(SHAPE))
    assert graph.plan(SHAPE)[0].layer.shape == (8, -1)  # folded: for this input shape only
    with pytest.raises(NotImplementedError, match="x.item"):
        nnref.from_torch(Call(lambda x: x * x.sum().item()).eval(), torch.zeros(SHAPE))
    assert operator.add in nnref.bridges.torch.trace.FOLDABLE


def test_forward_arguments_with_defaults_are_traced_as_their_defaults():
    class Masked(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(6, 3)

        def forward(self, x, mask=None, scale=1.0):
            y = self.fc(x) * scale
            return y if mask is None else y * mask

    module = Masked().eval()
    x = torch.randn(2, 6, dtype=torch.float64)
    graph = nnref.from_torch(module.double(), x)  # one input: no fallback, no warning
    assert [s.layer.kind for s in graph.plan((2, 6))] == ["Linear", "Mul"]
    assert_close_torch(graph(x.numpy())[0], module(x))


@pytest.mark.filterwarnings("ignore:Implicit dimension choice:UserWarning")
def test_softmax_without_dim_takes_torchs_implicit_dim():
    module = nn.Sequential(nn.Softmax()).eval()
    x = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        expected = module(x)
    graph = nnref.from_torch(module, x)
    assert graph["0"].dim == 1
    assert_close_torch(graph(x.numpy())[0], expected)


def test_arguments_nnref_refuses_are_listed_with_the_calls():
    module = Call(lambda x: x.view(torch.int32).float() + torch.add(x, x, alpha=2)).eval()
    with pytest.raises(NotImplementedError) as e:
        nnref.from_torch(module, torch.zeros(2, 3))
    text = str(e.value)
    assert "3 call(s)" in text and "view: Tensor.view" in text and "shape=(torch.int32,)" in text
    assert "float: Tensor.float" in text and "alpha=2 is not supported" in text
