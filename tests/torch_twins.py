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
TWINS = {"alexnet": TorchAlexNet, "resnet50": TorchResNet50, "seed_crnn": TorchSeedCRNN}
