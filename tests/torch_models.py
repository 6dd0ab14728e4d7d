"""Hand-written torch models for the bridge (torchvision is not used): residual adds,
``torch.cat``, squeeze-and-excitation, channel shuffle, Hardswish, functional calls,
tensor methods and scalar arithmetic, each the way torchvision-style code writes it.

``MODELS`` maps a name to ``(class, input shape)``. Used by tests/test_bridge.py.
"""
import torch

nn = torch.nn
F = torch.nn.functional


class SqueezeExcitation(nn.Module):
    """torchvision's SqueezeExcitation: pool, 1×1 convs, Hardsigmoid scale, ``scale * x``."""

    def __init__(self, channels, squeeze):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1, self.fc2 = nn.Conv2d(channels, squeeze, 1), nn.Conv2d(squeeze, channels, 1)
        self.activation, self.scale_activation = nn.ReLU(), nn.Hardsigmoid()

    def forward(self, x):
        scale = self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))
        return scale * x


class MobileBlock(nn.Module):
    """A MobileNetV3-style block: expand, Hardswish, depthwise, SE, project, residual."""

    def __init__(self, c=8, hidden=16):
        super().__init__()
        self.expand = nn.Sequential(nn.Conv2d(c, hidden, 1, bias=False), nn.BatchNorm2d(hidden),
                                    nn.Hardswish())
        self.dw = nn.Sequential(nn.Conv2d(hidden, hidden, 3, padding=1, groups=hidden, bias=False),
                                nn.BatchNorm2d(hidden), nn.Hardswish())
        self.se = SqueezeExcitation(hidden, 4)
        self.project = nn.Sequential(nn.Conv2d(hidden, c, 1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x):
        return x + self.project(self.se(self.dw(self.expand(x))))


class MobileNetV3ish(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8),
                                  nn.Hardswish())
        self.blocks = nn.Sequential(MobileBlock(), MobileBlock())
        self.classifier = nn.Sequential(nn.Linear(8, 16), nn.Hardswish(), nn.Dropout(0.2),
                                        nn.Linear(16, 10))

    def forward(self, x):
        x = self.blocks(self.stem(x))
        x = F.adaptive_avg_pool2d(x, 1)  # a functional call, as torchvision's MobileNetV3
        return self.classifier(torch.flatten(x, 1))


def channel_shuffle(x, groups: int):
    """torchvision's ShuffleNetV2 channel shuffle: view, transpose, contiguous, view."""
    batchsize, num_channels, height, width = x.size()
    x = x.view(batchsize, groups, num_channels // groups, height, width)
    x = torch.transpose(x, 1, 2).contiguous()
    return x.view(batchsize, -1, height, width)


class ShuffleBlock(nn.Module):
    """ShuffleNetV2's stride-1 unit: chunk, a branch on one half, cat, shuffle."""

    def __init__(self, c=8):
        super().__init__()
        h = c // 2
        self.branch2 = nn.Sequential(
            nn.Conv2d(h, h, 1, bias=False), nn.BatchNorm2d(h), nn.ReLU(inplace=True),
            nn.Conv2d(h, h, 3, 1, 1, groups=h, bias=False), nn.BatchNorm2d(h),
            nn.Conv2d(h, h, 1, bias=False), nn.BatchNorm2d(h), nn.ReLU(inplace=True))

    def forward(self, x):
        x1, x2 = x.chunk(2, dim=1)
        out = torch.cat((x1, self.branch2(x2)), dim=1)
        return channel_shuffle(out, 2)


class ShuffleNetish(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, 8, 3, 1, 1, bias=False), nn.BatchNorm2d(8),
                                   nn.ReLU(inplace=True))
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.stage2 = nn.Sequential(ShuffleBlock(), ShuffleBlock())
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = self.stage2(self.maxpool(self.conv1(x)))
        x = x.mean([2, 3])  # globalpool, as torchvision's ShuffleNetV2
        return self.fc(x)


class FunctionalNet(nn.Module):
    """Functional calls, tensor methods and scalar arithmetic beside modules."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding="same", padding_mode="reflect")
        self.conv2 = nn.Conv1d(6, 6, 4, padding="same")
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        y = F.relu(self.conv(x))
        y = F.max_pool2d(y, 2) + F.avg_pool2d(y, 2, count_include_pad=False)
        y = y * 0.5 + 1
        y = 1 - F.hardtanh(y, -2.0, 2.0) / 3
        y = F.silu(y) - torch.sigmoid(y)
        y = F.relu6(y)
        y += torch.add(y, y)
        b, c, h, w = y.shape
        z = self.conv2(y.reshape(b, c, h * w)).permute(0, 2, 1)
        z = F.dropout(z, 0.5, training=self.training)
        z = F.hardswish(z).contiguous().mean(1) + F.hardsigmoid(z).mean(dim=1)
        return torch.softmax(self.fc(z), dim=-1)


class Bottleneck(nn.Module):
    """torchvision's Bottleneck: ``out += identity``, one ReLU called three times."""

    def __init__(self, c=8, planes=2):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(c, planes, 1, bias=False), nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3, self.bn3 = nn.Conv2d(planes, c, 1, bias=False), nn.BatchNorm2d(c)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += identity
        return self.relu(out)


class StochasticDepthNet(nn.Module):
    """A residual with stochastic depth, written as torchvision's StochasticDepth module."""

    class StochasticDepth(nn.Module):
        def __init__(self, p):
            super().__init__()
            self.p = p

        def forward(self, x):
            if not self.training or self.p == 0.0:
                return x
            keep = torch.empty(x.shape[0], 1, 1, 1).bernoulli_(1 - self.p)
            return x * keep / (1 - self.p)

    def __init__(self):
        super().__init__()
        self.block = Bottleneck()
        self.stochastic_depth = self.StochasticDepth(0.2)

    def forward(self, x):
        return x + self.stochastic_depth(self.block(x))


class GatedNet(nn.Module):
    """Data-dependent control flow: torch.fx cannot trace it."""

    def __init__(self):
        super().__init__()
        self.conv, self.relu, self.fc = nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Linear(4, 2)

    def forward(self, x):
        y = self.relu(self.conv(x))
        if y.mean() > 0:
            y = y * 2
        return self.fc(y.mean((2, 3)))


#: name -> (class, input shape)
MODELS = {
    "mobilenet_v3ish": (MobileNetV3ish, (2, 3, 16, 16)),
    "shufflenetish": (ShuffleNetish, (1, 3, 12, 12)),
    "functional": (FunctionalNet, (2, 3, 8, 8)),
    "bottleneck": (Bottleneck, (1, 8, 6, 6)),
    "stochastic_depth": (StochasticDepthNet, (1, 8, 5, 5)),
}


def randomize(module, seed=0):
    """Random weights and batch-norm statistics (not torch's trivial 0 and 1), in place."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in module.state_dict().items():
            if t.is_floating_point():
                t.copy_(torch.rand(t.shape, generator=g) + 0.5 if name.endswith("running_var")
                        else torch.randn(t.shape, generator=g) * 0.5)
    return module
