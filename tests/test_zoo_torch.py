"""The zoo against hand-written torch twins (torchvision is not used): same module names,
so the nnref state_dict loads into torch as is, and the same outputs in float64.

BatchNorm running statistics and affine parameters are random (not torch's trivial 0/1),
so every BN matters.
"""
import numpy as np
import pytest
from conftest import assert_close_torch, rand, to_torch, torch

from nnref.models import zoo

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


def randomize_batchnorm(model, seed=1):
    """Non-trivial BN statistics and affine parameters, loaded through load_state."""
    rng = np.random.default_rng(seed)
    state = {}
    for key in model.buffers():
        if key.endswith(".running_mean"):
            bn = key[: -len(".running_mean")]
            c = model.state_dict()[key].shape
            state[f"{bn}.running_mean"] = rng.normal(0.0, 0.2, c).astype(np.float32)
            state[f"{bn}.running_var"] = rng.uniform(0.5, 1.5, c).astype(np.float32)
            state[f"{bn}.weight"] = rng.uniform(0.5, 1.5, c).astype(np.float32)
            state[f"{bn}.bias"] = rng.normal(0.0, 0.2, c).astype(np.float32)
    model.load_state(state, strict=False)


def twin_of(model, cls):
    """``cls()`` holding nnref's parameters and buffers as float64.

    Built on the meta device (no torch init of 61 M weights), then loaded strictly: the
    nnref keys must be exactly torch's (plus BN's num_batches_tracked, unused in eval).
    """
    with torch.device("meta"):
        twin = cls()
    state = {k: torch.from_numpy(np.array(v, np.float64)) for k, v in model.state_dict().items()}
    for key in twin.state_dict():
        if key.endswith("num_batches_tracked"):
            state[key] = torch.zeros((), dtype=torch.long)
    twin.load_state_dict(state, strict=True, assign=True)
    return twin.eval()


@pytest.mark.parametrize("name,twin,shape", [
    ("alexnet", TorchAlexNet, (1, 3, 224, 224)),
    ("resnet50", TorchResNet50, (2, 3, 96, 96)),  # batched, smaller: 96 -> 3×3 before avgpool
    ("seed_crnn", TorchSeedCRNN, (1, 1, 100, 256)),
])
def test_matches_torch_twin_float64(name, twin, shape):
    model = zoo.build(name, seed=0)
    randomize_batchnorm(model)
    ref = twin_of(model, twin)
    x = rand(shape, np.float64)
    y, report = model(x)
    with torch.no_grad():
        y_ref = ref(to_torch(x))
    assert report.params == sum(p.numel() for p in ref.parameters())
    # float64 end to end, so the conftest tolerance (rtol 1e-10) holds despite depth
    assert_close_torch(y, y_ref)
    assert np.std(y) > 1e-3  # the outputs are not trivially constant


def test_batchnorm_statistics_were_randomized():
    model = zoo.build("resnet50", seed=0)
    randomize_batchnorm(model)
    state = model.state_dict()
    assert not np.allclose(state["layer1.0.bn1.running_var"], 1.0)
    assert not np.allclose(state["layer1.0.bn1.running_mean"], 0.0)
    assert not np.allclose(state["layer1.0.bn1.weight"], 1.0)
