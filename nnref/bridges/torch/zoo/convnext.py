"""ConvNeXt-Tiny as torchvision writes it (``torchvision.models.convnext``), by hand.

Same module names, parameter shapes and forward: a 4×4 stride-4 stem with a
channels-first LayerNorm (``LayerNorm2d``: permute, ``F.layer_norm``, permute), four
stages of CNBlocks (a depthwise 7×7 convolution, ``Permute`` to channels-last, LayerNorm,
Linear, GELU, Linear, ``Permute`` back, the layer scale ``self.layer_scale * ...``,
stochastic depth (the identity in eval) and the residual ``+=``), downsampling layers
between them, then average pooling and the classifier. 28.6 M parameters.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of an NCHW tensor."""

    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class Permute(nn.Module):
    """torchvision.ops.misc.Permute."""

    def __init__(self, dims):
        super().__init__()
        self.dims = list(dims)

    def forward(self, x):
        return torch.permute(x, self.dims)


class StochasticDepth(nn.Module):
    """torchvision.ops.StochasticDepth in eval: the identity."""

    def __init__(self, p: float, mode: str):
        super().__init__()
        self.p, self.mode = p, mode

    def forward(self, input):
        if not self.training or self.p == 0.0:
            return input
        raise NotImplementedError("stochastic depth in training is not part of this model")


class CNBlock(nn.Module):
    def __init__(self, dim, layer_scale=1e-6, stochastic_depth_prob=0.0):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim, bias=True),
            Permute([0, 2, 3, 1]), nn.LayerNorm(dim, eps=1e-6), nn.Linear(dim, 4 * dim),
            nn.GELU(), nn.Linear(4 * dim, dim), Permute([0, 3, 1, 2]))
        self.layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * layer_scale)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")

    def forward(self, input):
        result = self.layer_scale * self.block(input)
        result = self.stochastic_depth(result)
        result += input
        return result


class ConvNeXt(nn.Module):
    def __init__(self, settings=((96, 192, 3), (192, 384, 3), (384, 768, 9), (768, None, 3)),
                 stochastic_depth_prob=0.1, num_classes=1000):
        super().__init__()
        first = settings[0][0]
        layers = [nn.Sequential(nn.Conv2d(3, first, kernel_size=4, stride=4, bias=True),
                                LayerNorm2d(first, eps=1e-6))]
        total, done = sum(n for _, _, n in settings), 0
        for cin, cout, n in settings:
            stage = []
            for _ in range(n):  # the drop probability grows linearly over the blocks
                stage.append(CNBlock(cin, 1e-6, stochastic_depth_prob * done / (total - 1.0)))
                done += 1
            layers.append(nn.Sequential(*stage))
            if cout is not None:
                layers.append(nn.Sequential(LayerNorm2d(cin, eps=1e-6),
                                            nn.Conv2d(cin, cout, kernel_size=2, stride=2)))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        last = settings[-1][0]
        self.classifier = nn.Sequential(LayerNorm2d(last, eps=1e-6), nn.Flatten(1),
                                        nn.Linear(last, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        return self.classifier(x)


def convnext_tiny() -> ConvNeXt:
    """ConvNeXt-Tiny at 224×224: stages of 3, 3, 9 and 3 blocks, widths 96 … 768."""
    return ConvNeXt()
