"""MobileNetV2 (width 1.0) as in torchvision, module names included."""
from __future__ import annotations

from ...layers.activation import ReLU6
from ...layers.adaptive import AdaptiveAvgPool2d
from ...layers.reshape import Dropout, Flatten
from ..dag import Graph, Node
from ..graph import Residual, Sequential
from .common import Builder

#: Inverted-residual settings (t expansion, c channels, n repeats, s first stride).
SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
            (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


def conv_bn_relu6(b: Builder, cin, cout, kernel_size=3, stride=1, groups=1) -> Sequential:
    """torchvision's ``Conv2dNormActivation``: ``.0`` Conv2d (no bias), ``.1`` BN, ``.2`` ReLU6."""
    conv = b.conv(cin, cout, kernel_size, stride, (kernel_size - 1) // 2, groups=groups, bias=False)
    return Sequential(conv, b.bn(cout), ReLU6())


def inverted_residual(b: Builder, cin, cout, stride, t):
    """torchvision's ``InvertedResidual``: [1×1 expand], 3×3 depthwise, 1×1 linear projection.

    The layers live under ``conv`` (``features.2.conv.0.0``); with stride 1 and equal
    channels the input is added back (named ``add``: torchvision's ``x + self.conv(x)``,
    an operator call).
    """
    hidden = int(round(cin * t))
    layers = [conv_bn_relu6(b, cin, hidden, 1)] if t != 1 else []
    layers += [conv_bn_relu6(b, hidden, hidden, 3, stride, groups=hidden),
               b.conv(hidden, cout, 1, bias=False), b.bn(cout)]
    conv = Sequential(*layers)
    if stride == 1 and cin == cout:
        return Residual(conv, body_name="conv")
    return Sequential({"conv": conv})


def mobilenet_v2(seed=0, padding_taps="dense", algorithm="im2col") -> Graph:
    """MobileNetV2 for 3×224×224 inputs: 3,504,872 parameters.

    Names: ``features.0`` … ``features.18``, ``adaptive_avg_pool2d`` and ``flatten``
    (function calls in torchvision's forward, ``F.adaptive_avg_pool2d(x, (1, 1))`` and
    ``torch.flatten(x, 1)``: torchvision's MobileNetV2 has no pooling module),
    ``classifier.0`` (Dropout), ``classifier.1`` (Linear).

    Depthwise convolutions are ``Conv2d`` with ``groups`` = channels, so that reports
    show torchvision's module types; :class:`~nnref.layers.depthwise.DepthwiseConv2d`
    would count the same operations.
    """
    b = Builder(seed, padding_taps, algorithm)
    features, cin = [conv_bn_relu6(b, 3, 32, stride=2)], 32
    for t, c, n, s in SETTINGS:
        for i in range(n):
            features.append(inverted_residual(b, cin, c, s if i == 0 else 1, t))
            cin = c
    features.append(conv_bn_relu6(b, cin, 1280, 1))
    return Graph([
        Node("features", Sequential(*features)),
        Node("adaptive_avg_pool2d", AdaptiveAvgPool2d((1, 1)), call="function",
             target="F.adaptive_avg_pool2d"),
        Node("flatten", Flatten(), call="function", target="torch.flatten"),
        Node("classifier", Sequential(Dropout(0.2), b.linear(1280, 1000))),
    ], name="mobilenet_v2")
