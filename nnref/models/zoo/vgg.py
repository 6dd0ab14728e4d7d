"""VGG-16 (configuration D, no batch norm) as in torchvision, module names included."""
from __future__ import annotations

from ...layers.activation import ReLU
from ...layers.adaptive import AdaptiveAvgPool2d
from ...layers.reshape import Dropout, Flatten
from ...layers.pool import MaxPool2d
from ..dag import Graph, Node
from ..graph import Sequential
from .common import Builder

#: Output channels of each 3×3 convolution; "M" is a 2×2 max pool of stride 2.
CFG_D = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")


def vgg16(seed=0, padding_taps="dense", algorithm="im2col") -> Graph:
    """VGG-16 for 3×224×224 inputs: 138,357,544 parameters.

    Names: ``features.0`` … ``features.30`` (conv, ReLU pairs and pools), ``avgpool``,
    ``flatten`` (``torch.flatten``, a function call), ``classifier.0`` … ``classifier.6``.
    """
    b = Builder(seed, padding_taps, algorithm)
    layers, cin = [], 3
    for v in CFG_D:
        if v == "M":
            layers.append(MaxPool2d(2, 2))
        else:
            layers += [b.conv(cin, v, 3, padding=1), ReLU()]
            cin = v
    classifier = Sequential(
        b.linear(512 * 7 * 7, 4096), ReLU(), Dropout(0.5),
        b.linear(4096, 4096), ReLU(), Dropout(0.5),
        b.linear(4096, 1000),
    )
    return Graph([Node("features", Sequential(*layers)), Node("avgpool", AdaptiveAvgPool2d((7, 7))),
                  Node("flatten", Flatten(), call="function", target="torch.flatten"),
                  Node("classifier", classifier)], name="vgg16")
