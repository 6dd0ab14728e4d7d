"""nnref.to_torch on the zoo: torchvision's module structure and functional calls, the same
weights and outputs, and ``from_torch(to_torch(m))`` gives back the same names, call kinds,
counts and outputs for every zoo model. MobileNetV2's numbers from the real THOP, ptflops,
fvcore and FlopCounterMode (when installed) equal the issue's table and the conventions."""
import contextlib
import io

import numpy as np
import pytest
from conftest import assert_close_torch, torch

import nnref
from nnref.conventions import fvcore, ptflops, thop, torch_flop_counter
from nnref.models import zoo

#: Small inputs where a model takes them (the CRNN's reshape needs its own), batch 2 for one.
SHAPES = {"alexnet": (1, 3, 64, 64), "vgg16": (1, 3, 32, 32), "resnet50": (2, 3, 32, 32),
          "mobilenet_v2": (1, 3, 32, 32), "seed_crnn": (1, 1, 100, 256)}


@pytest.mark.parametrize("name", zoo.names())
def test_to_torch_and_back_gives_the_same_model(name):
    model, shape = zoo.build(name), SHAPES[name]
    module = nnref.to_torch(model, dtype="float64")
    keys = {k for k in module.state_dict() if not k.endswith("num_batches_tracked")}
    assert keys == set(model.state_dict())
    x = np.random.default_rng(0).standard_normal(shape)
    y, report = model(x)
    with torch.no_grad():
        assert_close_torch(y, module(torch.from_numpy(x)))
    again = nnref.from_torch(module, torch.from_numpy(x))
    y2, report2 = again(x)
    np.testing.assert_array_equal(y2, y)
    assert [(r.name, r.type, r.call, r.counts) for r in report2.layers] == \
        [(r.name, r.type, r.call, r.counts) for r in report.layers]


def test_the_structure_and_calls_are_torchvisions():
    nn = torch.nn
    resnet = nnref.to_torch(zoo.build("resnet50"))
    assert isinstance(resnet.layer1, nn.Sequential) and isinstance(resnet.layer1[0].downsample,
                                                                   nn.Sequential)
    assert isinstance(resnet.layer1[0].relu, nn.ReLU) and not hasattr(resnet, "flatten")
    assert "downsample" not in dict(resnet.layer1[1].named_children())
    assert "bn3 + downsample" in resnet.layer1[0].code and "torch.flatten" in resnet.code
    mobile = nnref.to_torch(zoo.build("mobilenet_v2"))
    assert not hasattr(mobile, "adaptive_avg_pool2d")  # no pooling module, as torchvision
    assert "torch.nn.functional.adaptive_avg_pool2d" in mobile.code
    assert "conv + x" in mobile.features[3].code and isinstance(mobile.features[0], nn.Sequential)
    crnn = nnref.to_torch(zoo.build("seed_crnn"))
    assert crnn.gru.batch_first is False and ".reshape((-1, 97, 4064))" in crnn.code
    assert isinstance(nnref.to_torch(nnref.Conv2d(3, 4, 3)), nn.Conv2d)
    add = nnref.to_torch(nnref.layers.Add())
    assert torch.equal(add(torch.ones(2), torch.ones(2)), torch.full((2,), 2.0))


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="model='alexnet' is invalid"):
        nnref.to_torch("alexnet")
    with pytest.raises(ValueError, match="dtype='float16' is invalid"):
        nnref.to_torch(nnref.ReLU(), dtype="float16")


def test_mobilenet_v2_the_real_tools_count_as_the_issue_and_the_conventions_say():
    real_thop, real_ptflops = pytest.importorskip("thop"), pytest.importorskip("ptflops")
    flop_count = pytest.importorskip("fvcore.nn")
    from torch.utils.flop_counter import FlopCounterMode

    model = zoo.build("mobilenet_v2")
    plan = model.plan((1, 3, 224, 224))
    module, x = nnref.to_torch(model), torch.randn(1, 3, 224, 224)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        macs, _ = real_thop.profile(module, (x,), verbose=False)
        ptf, _ = real_ptflops.get_model_complexity_info(
            module, (3, 224, 224), as_strings=False, print_per_layer_stat=False,
            verbose=False, backend="pytorch")
        analysis = flop_count.FlopCountAnalysis(module, x)
        analysis.unsupported_ops_warnings(False)
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            module(x)
        got = (int(macs), ptf, analysis.total(), counter.get_total_flops())
    assert got == (327_486_720, 320_300_008, 314_193_216, 601_548_544)  # the issue's table
    assert got == (thop(plan).total, ptflops(plan).total, fvcore(plan).total,
                   torch_flop_counter(plan).total)
