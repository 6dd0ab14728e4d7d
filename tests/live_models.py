"""Hand-written torch models for the live tool cross-checks (tests/test_tools_live.py).

Functional calls, residual adds (``+`` and ``+=``), ``torch.cat``, squeeze-and-excitation,
channel shuffle and Hardswish, each in a small model. ``MODELS`` maps a name to
``(torch factory, input shape, nnref builder or None)``: the nnref builder writes the
same network with nnref's containers, naming as the torch model does, each call made
as the torch forward makes it (a Graph node's ``call`` and ``target``); None where nnref's
containers cannot (yet) express it, so that only ``nnref.from_torch`` can convert it.
"""
import torch

from nnref.layers import (AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d,
                          ReLU)
from nnref.models import Concat, Graph, Model, Node, Residual, Sequential

nn, F = torch.nn, torch.nn.functional


class FunctionalNet(nn.Module):
    """Modules for the weights, torch.nn.functional for everything else."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(3, 8, 3, padding=1), nn.Conv2d(8, 16, 3, stride=2)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.adaptive_avg_pool2d(F.relu(self.conv2(x)), (1, 1))
        return self.fc(torch.flatten(x, 1))


def functional_net():
    def f(name, layer, target):
        return Node(name, layer, call="function", target=target)

    return Graph([Node("conv1", Conv2d(3, 8, 3, padding=1)), f("relu", ReLU(), "F.relu"),
                  f("max_pool2d", MaxPool2d(2), "F.max_pool2d"),
                  Node("conv2", Conv2d(8, 16, 3, stride=2)), f("relu_1", ReLU(), "F.relu"),
                  f("adaptive_avg_pool2d", AdaptiveAvgPool2d((1, 1)), "F.adaptive_avg_pool2d"),
                  f("flatten", Flatten(), "torch.flatten"), Node("fc", Linear(16, 10))],
                 name="functional_net")


class ResidualNet(nn.Module):
    """A basic block twice: ``relu(bn(conv(x)) + x)``, the second join written ``+=``."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8),
                                  nn.ReLU())
        self.conv1, self.bn1 = nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8)
        self.conv2, self.bn2 = nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.stem(x)
        x = self.relu(self.bn1(self.conv1(x)) + x)
        y = self.bn2(self.conv2(x))
        y += x
        return self.relu(y)


def residual_net():
    relu = ReLU()
    stem = Sequential(Conv2d(3, 8, 3, padding=1, bias=False), BatchNorm2d(8), ReLU())
    block1 = Residual(Sequential({"conv1": Conv2d(8, 8, 3, padding=1, bias=False),
                                  "bn1": BatchNorm2d(8)}), body_name=None, add_name="add")
    block2 = Residual(Sequential({"conv2": Conv2d(8, 8, 3, padding=1, bias=False),
                                  "bn2": BatchNorm2d(8)}), body_name=None, add_name="iadd")
    return Model([("stem", stem), (None, block1), ("relu", relu), (None, block2),
                  ("relu", relu)], name="residual_net")


class ConcatNet(nn.Module):
    """An inception block: three branches joined by ``torch.cat`` along the channels."""

    def __init__(self):
        super().__init__()
        self.b1 = nn.Conv2d(4, 6, 1)
        self.b2 = nn.Sequential(nn.Conv2d(4, 4, 1), nn.ReLU(), nn.Conv2d(4, 6, 3, padding=1))
        self.b3 = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(4, 4, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x)], 1)


def concat_net():
    branches = {"b1": Conv2d(4, 6, 1),
                "b2": Sequential(Conv2d(4, 4, 1), ReLU(), Conv2d(4, 6, 3, padding=1)),
                "b3": Sequential(MaxPool2d(3, 1, 1), Conv2d(4, 4, 1))}
    return Model({None: Concat(branches, dim=1)}, name="concat_net")


class SqueezeExcite(nn.Module):
    """MobileNetV3's squeeze-and-excitation: a broadcasting ``x * scale``, with Hardsigmoid."""

    def __init__(self, c=8, squeeze=4):
        super().__init__()
        self.conv = nn.Conv2d(3, c, 3, padding=1)
        self.fc1, self.fc2 = nn.Conv2d(c, squeeze, 1), nn.Conv2d(squeeze, c, 1)
        self.relu, self.scale = nn.ReLU(), nn.Hardsigmoid()

    def forward(self, x):
        x = self.conv(x)
        s = self.scale(self.fc2(self.relu(self.fc1(F.adaptive_avg_pool2d(x, 1)))))
        return x * s


class ChannelShuffle(nn.Module):
    """ShuffleNet's channel shuffle between two grouped convolutions: view, transpose, view."""

    def __init__(self, groups=2):
        super().__init__()
        self.groups = groups
        self.conv1 = nn.Conv2d(4, 8, 1, groups=groups)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, groups=groups)

    def forward(self, x):
        x = self.conv1(x)
        n, c, h, w = x.shape
        x = x.view(n, self.groups, c // self.groups, h, w).transpose(1, 2).contiguous()
        return self.conv2(x.view(n, c, h, w))


class HardswishNet(nn.Module):
    """MobileNetV3's activation, as a module and as a function, and a scalar expression."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.act = nn.Hardswish()
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        x = F.hardswish(self.act(self.conv(x)) * 0.5 + 1)
        return self.fc(x.mean((2, 3)))


#: name -> (torch model factory, input shape, nnref builder or None)
MODELS = {
    "functional_net": (FunctionalNet, (2, 3, 16, 16), functional_net),
    "residual_net": (ResidualNet, (1, 3, 8, 8), residual_net),
    "concat_net": (ConcatNet, (1, 4, 6, 6), concat_net),
    "squeeze_excite": (SqueezeExcite, (1, 3, 8, 8), None),
    "channel_shuffle": (ChannelShuffle, (1, 4, 6, 6), None),
    "hardswish_net": (HardswishNet, (1, 3, 8, 8), None),
}
