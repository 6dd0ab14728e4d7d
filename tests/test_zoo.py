"""The zoo: torchvision parameter counts, names, output shapes, per-layer counts = formulas.

Each model is built and run once per module (float32, batch 1, its default input):
vgg16 and resnet50 cost seconds each.
"""
import numpy as np
import pytest

from nnref import formulas
from nnref.formulas.recurrent import gru
from nnref.core.opcounts import OpCounts
from nnref.models import zoo
from nnref.models.graph import Reshape

#: torchvision's parameter counts (sum of p.numel() over model.parameters()).
TORCHVISION_PARAMS = {
    "alexnet": 61_100_840,
    "vgg16": 138_357_544,
    "resnet50": 25_557_032,
    "mobilenet_v2": 3_504_872,
}
#: seed_crnn by hand: conv 32·1·4·4 + 32; GRU 3·96·(4064 + 96) weights + 2·3·96 biases;
#: dense 256·96 + 256.
CRNN_PARAMS = (32 * 16 + 32) + (3 * 96 * (4064 + 96) + 2 * 3 * 96) + (256 * 96 + 256)


@pytest.fixture(scope="module")
def runs():
    """name -> (model, plan, y, report), built and run on first use, once per module."""
    cache = {}

    def get(name):
        if name not in cache:
            model = zoo.build(name, seed=0)
            shape = zoo.input_shape(name)
            x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
            cache[name] = (model, model.plan(shape), *model(x))
        return cache[name]

    yield get
    cache.clear()


def expected_counts(step):
    """The closed form of one leaf call; Reshape does no arithmetic (hand count)."""
    if isinstance(step.layer, Reshape):
        return OpCounts()
    return formulas.for_layer(step.layer, step.input_shape)


@pytest.mark.parametrize("name", list(TORCHVISION_PARAMS))
def test_parameter_counts_equal_torchvision(runs, name):
    model, _, _, report = runs(name)
    assert model.num_params == report.params == TORCHVISION_PARAMS[name]


def test_seed_crnn_parameter_count(runs):
    assert runs("seed_crnn")[0].num_params == CRNN_PARAMS == 1_224_032


@pytest.mark.parametrize("name", list(TORCHVISION_PARAMS))
def test_classifier_output_shape(runs, name):
    _, plan, y, _ = runs(name)
    assert y.shape == plan[-1].output_shape == (1, 1000)
    assert y.dtype == np.float32 and np.isfinite(y).all()


def test_seed_crnn_output_shape(runs):
    # conv: T' = 100 − 4 + 1 = 97, F' = (256 − 4) // 2 + 1 = 127 -> (1, 32, 97, 127);
    # reshape -> (1, 97, 4064); GRU with batch_first=False reads (T=1, B=97, 4064) and
    # returns (1, 97, 96); Linear acts on the last axis -> (1, 97, 256); sigmoid keeps it.
    _, plan, y, _ = runs("seed_crnn")
    assert [s.output_shape for s in plan] == [
        (1, 32, 97, 127), (1, 32, 97, 127), (1, 97, 4064), (1, 97, 96), (1, 97, 256), (1, 97, 256)]
    assert y.shape == (1, 97, 256) and ((y > 0) & (y < 1)).all()


def test_seed_crnn_gru_counts_as_97_steps_of_batch_1(runs):
    # the docstring's claim: 1 step over a batch of 97 costs what 97 steps of batch 1 cost
    _, plan, _, report = runs("seed_crnn")
    (i,) = [k for k, s in enumerate(plan) if s.name == "gru"]
    assert report.layers[i].counts == gru(4064, 96, seq_len=97, batch=1)


@pytest.mark.parametrize("name", zoo.names())
def test_every_layer_counts_equal_formula(runs, name):
    _, plan, _, report = runs(name)
    assert len(plan) == len(report.layers)
    for step, record in zip(plan, report.layers):
        assert (record.name, record.type, record.output_shape) == (
            step.name, step.layer.kind, step.output_shape)
        assert record.counts == expected_counts(step), step.name


@pytest.mark.parametrize("name", zoo.names())
def test_total_equals_sum_of_formulas(runs, name):
    _, plan, _, report = runs(name)
    assert report.total == sum((expected_counts(s) for s in plan), OpCounts())
    assert report.total.flops > 0


# -- names mirror torchvision -------------------------------------------------------------
def test_alexnet_names(runs):
    _, plan, _, _ = runs("alexnet")
    assert [s.name for s in plan] == (
        [f"features.{i}" for i in range(13)] + ["avgpool", "flatten"]
        + [f"classifier.{i}" for i in range(7)])
    assert [s.layer.kind for s in plan][:3] == ["Conv2d", "ReLU", "MaxPool2d"]


def test_vgg16_names(runs):
    _, plan, _, _ = runs("vgg16")
    assert [s.name for s in plan][-10:] == ["features.30", "avgpool", "flatten"] + [
        f"classifier.{i}" for i in range(7)]
    convs = [s.name for s in plan if s.layer.kind == "Conv2d"]
    assert len(convs) == 13 and convs[0] == "features.0" and convs[-1] == "features.28"


def test_resnet50_block_names_and_shared_relu(runs):
    _, plan, _, _ = runs("resnet50")
    names = [s.name for s in plan]
    assert names[:4] == ["conv1", "bn1", "relu", "maxpool"] and names[-3:] == ["avgpool", "flatten", "fc"]
    assert names[4:16] == ["layer1.0." + n for n in (
        "conv1", "bn1", "relu", "conv2", "bn2", "relu", "conv3", "bn3",
        "downsample.0", "downsample.1", "add", "relu")]
    assert "layer1.1.downsample.0" not in names and "layer2.0.downsample.0" in names
    assert names.count("layer4.2.relu") == 3  # one module, called three times
    assert sum(n.endswith(".add") for n in names) == 3 + 4 + 6 + 3


def test_mobilenet_v2_names(runs):
    model, plan, _, _ = runs("mobilenet_v2")
    names = [s.name for s in plan]
    assert names[:3] == ["features.0.0", "features.0.1", "features.0.2"]
    assert names[3:8] == ["features.1.conv.0.0", "features.1.conv.0.1", "features.1.conv.0.2",
                          "features.1.conv.1", "features.1.conv.2"]
    assert "features.2.conv.3" in names and "features.3.add" in names and "features.2.add" not in names
    # torchvision's forward calls F.adaptive_avg_pool2d and torch.flatten: no such modules
    assert names[-7:] == ["features.18.0", "features.18.1", "features.18.2", "adaptive_avg_pool2d",
                          "flatten", "classifier.0", "classifier.1"]
    dw = dict(model.named_layers())["features.2.conv.1.0"]
    assert (dw.kind, dw.groups, dw.in_channels) == ("Conv2d", 96, 96)  # depthwise, hidden = 16·6


# -- the zoo's interface ------------------------------------------------------------------
def test_names_and_models_table():
    assert zoo.names() == ["alexnet", "vgg16", "resnet50", "mobilenet_v2", "seed_crnn"]
    for name, (builder, shape, description) in zoo.MODELS.items():
        assert callable(builder) and isinstance(description, str) and description
        assert zoo.input_shape(name) == shape


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown model 'resnet18'") as e:
        zoo.build("resnet18")
    assert "\n" not in str(e.value) and all(n in str(e.value) for n in zoo.names())


def test_seed_gives_the_weights():
    a, b, c = zoo.build("seed_crnn", seed=0), zoo.build("seed_crnn", seed=0), zoo.build("seed_crnn", seed=1)
    pa, pb, pc = a.parameters(), b.parameters(), c.parameters()
    assert all(np.array_equal(pa[k], pb[k]) for k in pa)
    assert not np.array_equal(pa["gru.weight_hh_l0"], pc["gru.weight_hh_l0"])


def test_build_passes_conv_settings():
    model = zoo.build("seed_crnn", padding_taps="skip", algorithm="naive")
    conv = dict(model.named_layers())["conv"]
    assert (conv.padding_taps, conv.algorithm) == ("skip", "naive")
    with pytest.raises(ValueError, match="algorithm"):
        zoo.build("seed_crnn", algorithm="winograd")


# -- inputs a model cannot take --------------------------------------------------------------
def test_alexnet_one_channel_names_features_0(runs):
    model = runs("alexnet")[0]
    with pytest.raises(ValueError, match=r"'features\.0' \(Conv2d\).*\(1, 1, 224, 224\)"):
        model.plan((1, 1, 224, 224))


def test_alexnet_too_small_names_the_first_pool_that_fails(runs):
    # 16×16: features.0 gives (16 + 4 − 11) // 4 + 1 = 3, features.2 pools 3 -> 1,
    # features.3 (5×5, pad 2) keeps 1, and features.5 (3×3 pool) cannot pool 1×1.
    model = runs("alexnet")[0]
    with pytest.raises(ValueError, match=r"'features\.5' \(MaxPool2d\).*\(1, 192, 1, 1\)"):
        model.plan((1, 3, 16, 16))


def test_resnet50_one_channel_names_conv1(runs):
    with pytest.raises(ValueError, match=r"'conv1' \(Conv2d\)"):
        runs("resnet50")[0](np.zeros((1, 1, 64, 64), np.float32))


def test_seed_crnn_wrong_length_names_the_reshape(runs):
    # T = 50 gives (1, 32, 47, 127): 191,008 elements are no multiple of 97·4064
    with pytest.raises(ValueError, match=r"'reshape' \(Reshape\).*\(1, 32, 47, 127\)"):
        runs("seed_crnn")[0].plan((1, 1, 50, 256))
