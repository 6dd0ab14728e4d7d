"""AlexNet as in torchvision (``torchvision.models.alexnet``), module names included."""
from __future__ import annotations

from ...layers.activation import ReLU
from ...layers.adaptive import AdaptiveAvgPool2d
from ...layers.reshape import Dropout, Flatten
from ...layers.pool import MaxPool2d
from ..dag import Graph, Node
from ..graph import Sequential
from .common import Builder


def alexnet(seed=0, padding_taps="dense", algorithm="im2col") -> Graph:
    """AlexNet (one-GPU variant) for 3×224×224 inputs: 61,100,840 parameters.

    Names: ``features.0`` … ``features.12``, ``avgpool``, ``flatten`` (``torch.flatten``,
    a function call in torchvision's forward), ``classifier.0`` … ``classifier.6``.
    Dropout is the inference identity.
    """
    b = Builder(seed, padding_taps, algorithm)
    features = Sequential(
        b.conv(3, 64, 11, stride=4, padding=2), ReLU(), MaxPool2d(3, 2),
        b.conv(64, 192, 5, padding=2), ReLU(), MaxPool2d(3, 2),
        b.conv(192, 384, 3, padding=1), ReLU(),
        b.conv(384, 256, 3, padding=1), ReLU(),
        b.conv(256, 256, 3, padding=1), ReLU(), MaxPool2d(3, 2),
    )
    classifier = Sequential(
        Dropout(0.5), b.linear(256 * 6 * 6, 4096), ReLU(),
        Dropout(0.5), b.linear(4096, 4096), ReLU(),
        b.linear(4096, 1000),
    )
    return Graph([Node("features", features), Node("avgpool", AdaptiveAvgPool2d((6, 6))),
                  Node("flatten", Flatten(), call="function", target="torch.flatten"),
                  Node("classifier", classifier)], name="alexnet")
