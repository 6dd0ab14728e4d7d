"""The zoo against hand-written torch twins (torchvision is not used): same module names,
so the nnref state_dict loads into torch as is, and the same outputs in float64.

BatchNorm running statistics and affine parameters are random (not torch's trivial 0/1),
so every BN matters.
"""
import numpy as np
import pytest
from conftest import assert_close_torch, rand, to_torch, torch
from torch_twins import TWINS, twin_of

from nnref.models import zoo


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


SHAPES = {
    "alexnet": (1, 3, 224, 224),
    "vgg16": (1, 3, 64, 64),  # 64 -> 2×2 before avgpool, which repeats it to 7×7
    "resnet50": (2, 3, 96, 96),  # batched, smaller: 96 -> 3×3 before avgpool
    "mobilenet_v2": (2, 3, 96, 96),
    "seed_crnn": (1, 1, 100, 256),
}


@pytest.mark.parametrize("name", sorted(TWINS))
def test_matches_torch_twin_float64(name):
    shape = SHAPES[name]
    model = zoo.build(name, seed=0)
    randomize_batchnorm(model)
    ref = twin_of(model, TWINS[name])
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
