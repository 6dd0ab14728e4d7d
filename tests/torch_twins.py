"""Hand-written torch twins of the zoo models (torchvision is not used).

Module names equal nnref's dotted layer names, so an nnref ``state_dict`` loads into a
twin as is. Used by tests/test_zoo_torch.py and benchmarks/bench_models.py.
"""
import numpy as np
import torch

nn = torch.nn


class TorchAlexNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), nn.Linear(9216, 4096), nn.ReLU(),
            nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class TorchBottleneck(nn.Module):
    def __init__(self, cin, planes, stride):
        super().__init__()
        cout = planes * 4
        self.conv1, self.bn1 = nn.Conv2d(cin, planes, 1, bias=False), nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3, self.bn3 = nn.Conv2d(planes, cout, 1, bias=False), nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class TorchResNet50(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64)
        self.relu, self.maxpool = nn.ReLU(), nn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, (planes, blocks, stride) in enumerate(((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2))):
            layer = []
            for j in range(blocks):
                layer.append(TorchBottleneck(cin, planes, stride if j == 0 else 1))
                cin = planes * 4
            setattr(self, f"layer{i + 1}", nn.Sequential(*layer))
        self.avgpool, self.fc = nn.AdaptiveAvgPool2d((1, 1)), nn.Linear(2048, 1000)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class TorchVGG16(nn.Module):
    """torchvision's ``vgg16()``: configuration D, ReLU(inplace), no batch norm."""

    def __init__(self):
        super().__init__()
        layers, cin = [], 3
        for v in (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                  512, 512, 512, "M"):
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU(inplace=True)]
                cin = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(0.5),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(0.5), nn.Linear(4096, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class TorchConvBNReLU6(nn.Sequential):
    """torchvision's ``Conv2dNormActivation`` with ReLU6: ``.0`` conv, ``.1`` BN, ``.2`` ReLU6."""

    def __init__(self, cin, cout, kernel_size=3, stride=1, groups=1):
        super().__init__(nn.Conv2d(cin, cout, kernel_size, stride, (kernel_size - 1) // 2,
                                   groups=groups, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))


class TorchInvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = int(round(cin * t))
        self.use_res_connect = stride == 1 and cin == cout
        layers = [TorchConvBNReLU6(cin, hidden, 1)] if t != 1 else []
        layers += [TorchConvBNReLU6(hidden, hidden, 3, stride, groups=hidden),
                   nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class TorchMobileNetV2(nn.Module):
    """torchvision's ``mobilenet_v2()``: its forward calls ``F.adaptive_avg_pool2d`` and
    ``torch.flatten``, so neither is a module (hook-based tools do not see them)."""

    def __init__(self):
        super().__init__()
        features, cin = [TorchConvBNReLU6(3, 32, stride=2)], 32
        for t, c, n, s in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                           (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)):
            for i in range(n):
                features.append(TorchInvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        features.append(TorchConvBNReLU6(cin, 1280, 1))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, 1000))

    def forward(self, x):
        x = nn.functional.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(torch.flatten(x, 1))


class TorchSeedCRNN(nn.Module):
    """The article's network, written as its PyTorch code: reshape without permute, and
    GRU's default batch_first=False."""

    def __init__(self):
        super().__init__()
        self.conv, self.relu = nn.Conv2d(1, 32, (4, 4), stride=(1, 2)), nn.ReLU()
        self.gru = nn.GRU(4064, 96)
        self.dense, self.sigmoid = nn.Linear(96, 256), nn.Sigmoid()

    def forward(self, x):
        x = self.relu(self.conv(x))
        x = x.reshape(x.shape[0], x.shape[2], -1)
        x, _ = self.gru(x)
        return self.sigmoid(self.dense(x))


def twin_of(model, cls, dtype=torch.float64):
    """``cls()`` holding nnref's parameters and buffers as ``dtype``, in eval mode.

    Built on the meta device (no torch init of 61 M weights), then loaded strictly: the
    nnref keys must be exactly torch's (plus BN's num_batches_tracked, unused in eval).
    """
    with torch.device("meta"):
        twin = cls()
    state = {k: torch.from_numpy(np.array(v)).to(dtype) for k, v in model.state_dict().items()}
    for key in twin.state_dict():
        if key.endswith("num_batches_tracked"):
            state[key] = torch.zeros((), dtype=torch.long)
    twin.load_state_dict(state, strict=True, assign=True)
    return twin.eval()


#: zoo name -> twin class
TWINS = {"alexnet": TorchAlexNet, "vgg16": TorchVGG16, "resnet50": TorchResNet50,
         "mobilenet_v2": TorchMobileNetV2, "seed_crnn": TorchSeedCRNN}
