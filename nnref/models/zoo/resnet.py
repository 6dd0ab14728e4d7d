"""ResNet-50 (v1.5: stride on the 3×3 convolution) as in torchvision, module names included."""
from __future__ import annotations

from ...layers.activation import ReLU
from ...layers.adaptive import AdaptiveAvgPool2d
from ...layers.reshape import Flatten
from ...layers.pool import MaxPool2d
from ..dag import Graph, Node
from ..graph import Residual, Sequential
from .common import Builder

EXPANSION = 4


def bottleneck(b: Builder, cin: int, planes: int, stride: int) -> Sequential:
    """torchvision's ``Bottleneck``: relu(bn3(conv3(…conv1(x)…)) + downsample(x)).

    One ``relu`` layer is called three times, as in torchvision, so it appears three
    times in a report under one name. The body is inlined (``layer1.0.conv1``); the add,
    torchvision's ``out += identity`` (an operator call), is named ``add``.
    """
    cout = planes * EXPANSION
    relu = ReLU()
    body = Sequential([
        ("conv1", b.conv(cin, planes, 1, bias=False)), ("bn1", b.bn(planes)), ("relu", relu),
        ("conv2", b.conv(planes, planes, 3, stride, 1, bias=False)), ("bn2", b.bn(planes)),
        ("relu", relu),
        ("conv3", b.conv(planes, cout, 1, bias=False)), ("bn3", b.bn(cout)),
    ])
    down = None
    if stride != 1 or cin != cout:
        down = Sequential(b.conv(cin, cout, 1, stride, bias=False), b.bn(cout))
    block = Residual(body, down, body_name=None, shortcut_name="downsample")
    return Sequential([(None, block), ("relu", relu)])


def resnet50(seed=0, padding_taps="dense", algorithm="im2col") -> Graph:
    """ResNet-50 for 3×224×224 inputs: 25,557,032 parameters.

    Names: ``conv1``, ``bn1``, ``relu``, ``maxpool``, ``layer1`` … ``layer4`` (3, 4, 6, 3
    bottlenecks: ``layer1.0.conv1``, ``layer1.0.downsample.0``, ...), ``avgpool``,
    ``flatten`` (``torch.flatten``, a function call in torchvision's forward), ``fc``.
    """
    b = Builder(seed, padding_taps, algorithm)
    stages, cin = {}, 64
    for i, (planes, blocks, stride) in enumerate(((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2))):
        layer = []
        for j in range(blocks):
            layer.append(bottleneck(b, cin, planes, stride if j == 0 else 1))
            cin = planes * EXPANSION
        stages[f"layer{i + 1}"] = Sequential(*layer)
    return Graph([
        Node("conv1", b.conv(3, 64, 7, 2, 3, bias=False)), Node("bn1", b.bn(64)),
        Node("relu", ReLU()), Node("maxpool", MaxPool2d(3, 2, 1)),
        *(Node(key, stage) for key, stage in stages.items()),
        Node("avgpool", AdaptiveAvgPool2d((1, 1))),
        Node("flatten", Flatten(), call="function", target="torch.flatten"),
        Node("fc", b.linear(2048, 1000)),
    ], name="resnet50")
