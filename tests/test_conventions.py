"""Other tools' conventions: each rule by hand on one layer, the tools' own zoo totals, coverage.

Expected values are hand arithmetic written here, or numbers printed by the tools
themselves (THOP 0.1.1.post2209072238, ptflops 0.7.5, fvcore 0.1.5.post20221221,
torch 2.13 FlopCounterMode) on torchvision 0.28's models and on a torch CRNN equal to
``seed_crnn``, and by TensorFlow 2.21's profiler on a Keras 3 AlexNet; nnref's exact
counts come from the formulas module. torch is installed for the tests, so the torch
rules are also checked live against ``FlopCounterMode`` on every layer type and on the
hand-written torch twins of the zoo.
"""
import numpy as np
import pytest
from catalogue import CATALOGUE, NAMES, inputs, make
from conftest import to_torch, torch
from hypothesis import given
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode
from torch_twins import TWINS

from nnref import formulas
import nnref
from nnref.conventions import (TOOLS, compare, fvcore, ptflops,
                                        render_compare, tf_profiler, thop, torch_flop_counter)
from nnref.layers import (GRU, LSTM, RNN, Add, AdaptiveAvgPool1d, AdaptiveAvgPool2d,
                          AdaptiveMaxPool2d, AvgPool2d, AvgPool3d, BatchNorm1d, BatchNorm2d,
                          Conv1d, Conv2d, Conv3d, DepthwiseConv2d, Dropout, Flatten, LeakyReLU,
                          Linear, MaxPool2d, PointwiseConv2d, ReLU, ReLU6, Sigmoid, SiLU, Softmax,
                          Tanh)
from nnref.models import zoo
from nnref.models.graph import Reshape


def one(layer, shape):
    """A one-call plan."""
    return [("l", layer, tuple(shape), tuple(layer.output_shape(shape)))]


def totals(layer, shape):
    """Every tool's total for one layer, ptflops in its three modes."""
    plan = one(layer, shape)
    return {"thop": thop(plan).total, "ptflops": ptflops(plan).total,
            "ptflops_nofunc": ptflops(plan, count_functional=False).total,
            "aten": ptflops(plan, backend="aten").total, "fvcore": fvcore(plan).total,
            "torch": torch_flop_counter(plan).total, "tf": tf_profiler(plan).total}


def live_flops(f, *args):
    """What FlopCounterMode counts while ``f(*args)`` runs."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        f(*args)
    return counter.get_total_flops()


# -- AlexNet, worked out by hand ------------------------------------------------------------
#: Conv MACs = outputs × Cin·k²: 64·55² × 3·11², 192·27² × 64·5², 384·13² × 192·3²,
#: 256·13² × 384·3², 256·13² × 256·3²; Linear MACs = I·O.
ALEXNET_CONV = [64 * 55 * 55 * 3 * 121, 192 * 27 * 27 * 64 * 25, 384 * 169 * 192 * 9,
                256 * 169 * 384 * 9, 256 * 169 * 256 * 9]
ALEXNET_LINEAR = [9216 * 4096, 4096 * 4096, 4096 * 1000]


@pytest.fixture(scope="module")
def plans():
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = zoo.build(name).plan(zoo.input_shape(name))
        return cache[name]

    return get


def test_alexnet_published_totals(plans):
    plan = plans("alexnet")
    exact_mul = sum(formulas.for_layer(s.layer, s.input_shape).mul for s in plan)
    assert exact_mul == sum(ALEXNET_CONV) + sum(ALEXNET_LINEAR) == 714_188_480
    assert thop(plan).total == 714_206_912
    assert ptflops(plan).total == 716_441_128
    assert fvcore(plan).total == 714_197_696
    assert torch_flop_counter(plan).total == 2 * exact_mul
    # TF 2.21's profiler on the Keras 3 port (ZeroPadding2D + Conv2D, AveragePooling2D(1)).
    assert tf_profiler(plan).total == 1_429_675_240


def test_alexnet_ptflops_reconciled_by_hand(plans):
    """716,441,128 = MACs + conv bias + linear bias + 2 × (ReLU outputs + pool inputs)."""
    relu = 64 * 55 * 55 + 192 * 27 * 27 + 384 * 169 + 2 * 256 * 169 + 2 * 4096
    pools = 64 * 55 * 55 + 192 * 27 * 27 + 256 * 169 + 256 * 36
    conv_bias = 64 * 55 * 55 + 192 * 27 * 27 + 384 * 169 + 2 * 256 * 169
    linear_bias = 4096 + 4096 + 1000
    assert (relu, pools, conv_bias) == (493_184, 386_048, 484_992)
    row = compare(plans("alexnet"), tools=["ptflops"])[0]
    by_type = {d.type: d.difference for d in row.by_type}
    assert by_type == {"Conv2d": conv_bias, "ReLU": 2 * relu, "MaxPool2d": 2 * (pools - 9216),
                       "AdaptiveAvgPool2d": 2 * 9216, "Linear": linear_bias,
                       "Flatten": 0, "Dropout": 0}
    assert sum(ALEXNET_CONV + ALEXNET_LINEAR) + conv_bias + linear_bias + 2 * (relu + pools) \
        == 716_441_128


#: Totals printed by the tools on torchvision's models (seed_crnn: a torch Conv2d, ReLU,
#: reshape, GRU, Linear, Sigmoid equal to the zoo's), batch 1, default inputs.
TOOL_OUTPUTS = {
    "alexnet": (714_206_912, 716_441_128, 715_561_896, 714_682_664, 714_197_696, 1_428_376_960),
    "vgg16": (15_470_314_496, 15_523_225_576, 15_503_523_304, 15_483_821_032, 15_470_289_408,
              30_940_528_640),
    "resnet50": (4_133_742_592, 4_132_436_968, 4_121_925_096, 4_089_185_256, 4_111_512_576,
                 8_178_368_512),
    "mobilenet_v2": (327_486_720, 320_300_008, 320_237_288, 300_775_272, 314_193_216, 601_548_544),
    "seed_crnn": (125_026_016, 126_233_472, 125_839_264, 125_379_872, 8_691_200, 249_809_920),
}


@pytest.mark.parametrize("name", list(TOOL_OUTPUTS))
def test_zoo_totals_match_the_tools(name, plans):
    plan = plans(name)  # its steps say which calls are functions (MobileNetV2's pooling)
    got = (thop(plan).total, ptflops(plan).total, ptflops(plan, count_functional=False).total,
           ptflops(plan, backend="aten").total, fvcore(plan).total, torch_flop_counter(plan).total)
    assert got == TOOL_OUTPUTS[name]
    rows = nnref.compare(name)
    assert [r.total for r in rows[:4]] == [got[0], got[1], got[4], got[5]]


# -- one rule at a time, by hand --------------------------------------------------------------
def test_conv_padded():
    # 200 outputs × 27 taps = 5400 MACs, + 200 bias adds.
    t = totals(Conv2d(3, 8, 3, padding=1), (1, 3, 5, 5))
    assert t == {"thop": 5400, "ptflops": 5600, "ptflops_nofunc": 5600, "aten": 5600,
                 "fvcore": 5400, "torch": 10800, "tf": 11000}


def test_conv_grouped_batched():
    # (2, 8, 3, 3) = 144 outputs × 2·9 taps = 2592; ptflops reports per image: 2592 / 2.
    # Keras 3 runs a grouped Conv2D XLA-compiled on CPU: no conv op in TF's graph.
    t = totals(Conv2d(4, 8, 3, groups=2, bias=False), (2, 4, 5, 5))
    got = (t["thop"], t["ptflops"], t["fvcore"], t["torch"], t["tf"])
    assert got == (2592, 1296, 2592, 5184, 0)


def test_conv_depthwise_is_tf_depthwise_native():
    # (1, 8, 6, 6) = 288 outputs × 9 taps = 2592; TF 2·2592 + 288 BiasAdd.
    plan = one(DepthwiseConv2d(4, 3, depth_multiplier=2, padding=1), (1, 4, 6, 6))
    assert (thop(plan).total, tf_profiler(plan).total) == (2592, 5472)
    assert tf_profiler(plan).layers[0].rule.startswith("DepthwiseConv2dNative")


def test_conv_pointwise_1d_3d():
    assert totals(PointwiseConv2d(4, 6), (1, 4, 3, 3))["ptflops"] == 54 * 4 + 54
    assert totals(Conv1d(2, 3, 3), (1, 2, 10))["tf"] == 2 * 24 * 6 + 24  # Conv2D on a 1-row image
    t = totals(Conv3d(1, 2, 2), (1, 1, 3, 3, 3))  # 16 outputs × 8 taps
    assert (t["thop"], t["torch"], t["tf"]) == (128, 256, 2 * 128 + 16)


def test_linear_batched():
    # 4 rows × 20 × 3 = 240 MACs; ptflops 0.7.5: (60 + 3) per row, ÷ batch 4 = 63.
    t = totals(Linear(20, 3), (4, 20))
    assert t == {"thop": 240, "ptflops": 63, "ptflops_nofunc": 63, "aten": 252, "fvcore": 240,
                 "torch": 480, "tf": 492}
    assert totals(Linear(20, 3, bias=False), (1, 5, 20))["ptflops"] == 300


def test_batchnorm_affine_and_not():
    # 36 elements, 4 channels: THOP 2·36 (×2 affine), ptflops and fvcore 36 (×2 affine),
    # torch 0; Keras 3's ops: Mul and AddV2 per element, AddV2 + 2 Rsqrt + Mul + Mul + Sub
    # per channel (Neg instead of Mul γ and Sub without affine).
    t = totals(BatchNorm2d(4), (1, 4, 3, 3))
    assert (t["thop"], t["ptflops"], t["fvcore"], t["torch"], t["tf"]) == (144, 72, 72, 0, 72 + 24)
    t = totals(BatchNorm2d(4, affine=False), (1, 4, 3, 3))
    assert (t["thop"], t["ptflops"], t["fvcore"], t["tf"]) == (72, 36, 36, 72 + 20)
    assert totals(BatchNorm1d(4), (5, 4))["tf"] == 2 * 20 + 6 * 4


def test_relu_counted_twice_by_ptflops():
    t = totals(ReLU(), (1, 2, 3, 3))
    assert (t["ptflops"], t["ptflops_nofunc"], t["thop"], t["fvcore"], t["torch"], t["tf"]) == \
        (36, 18, 0, 0, 0, 0)


def test_relu6_leaky_once_silu_functional_only():
    assert totals(ReLU6(), (1, 18))["ptflops"] == 18  # nn.ReLU6 calls F.hardtanh
    assert totals(LeakyReLU(), (1, 18))["ptflops"] == 18
    t = totals(SiLU(), (1, 18))
    assert (t["ptflops"], t["ptflops_nofunc"], t["tf"]) == (18, 0, 36)  # tf.nn.silu: x·σ(β·x)
    for layer in (Sigmoid(), Tanh()):
        assert set(totals(layer, (1, 18)).values()) == {0}


def test_softmax():
    # 2 rows of 5: THOP 2·(5 exp + 4 add + 5 div); ptflops F.softmax numel; TF 5 per element.
    t = totals(Softmax(dim=1), (2, 5))
    assert (t["thop"], t["ptflops"], t["fvcore"], t["tf"]) == (28, 10, 0, 50)


def test_pools():
    t = totals(MaxPool2d(2), (1, 1, 4, 4))  # 4 windows of 4
    assert (t["thop"], t["ptflops"], t["fvcore"], t["tf"]) == (0, 32, 0, 16)
    assert totals(MaxPool2d(3, 2, padding=1), (1, 1, 5, 5))["tf"] == 9 * 9  # padding taps too
    t = totals(AvgPool2d(2), (1, 1, 4, 4))
    assert (t["thop"], t["ptflops"], t["tf"]) == (4, 32, 16)
    assert totals(AvgPool3d(2), (1, 1, 4, 4, 4))["tf"] == 0  # AvgPool3D unregistered


def test_adaptive_avg_pool():
    # 6×6 → 2×3 over 2 channels: THOP (3·2 + 1) × 12; fvcore and TF 1 per input (72).
    t = totals(AdaptiveAvgPool2d((2, 3)), (1, 2, 6, 6))
    assert (t["thop"], t["ptflops"], t["fvcore"], t["tf"]) == (84, 144, 72, 72)
    # 7 → 3: THOP's float (7/3)² + 1 = 6.44…, × 9 = 58. TF (Keras 3's AdaptiveAveragePooling2D):
    # per axis stride-1 windows of 3 and 4: rows 5·7·3 + 4·7·4, then columns 3·5·3 + 3·4·4,
    # and 9 index ops per output position of each axis (3 + 3).
    t = totals(AdaptiveAvgPool2d(3), (1, 1, 7, 7))
    assert (t["thop"], t["fvcore"], t["tf"]) == (58, 49, 105 + 112 + 45 + 48 + 9 * 6)
    assert totals(AdaptiveAvgPool1d(2), (1, 3, 8))["fvcore"] == 0  # only the 2-D op has a handle


def test_global_pooling_tf_mean_and_max():
    assert totals(AdaptiveAvgPool2d(1), (1, 3, 4, 4))["tf"] == 48
    assert totals(AdaptiveMaxPool2d(1), (1, 3, 4, 4))["tf"] == 0


def test_recurrent():
    # GRU(5 → 7), T=4, B=3 (12 rows). THOP and ptflops: 3·7·12 + 7 + 3·7 + 3·7 + 6·7 = 343
    # per row; ptflops then divides by its "batch", len(input) = T = 4. torch
    # 2·(21·5 + 21·7) per row; aten 21·12 MACs + 2·21 bias. TF reads the tensor as Keras
    # does, batch 4: step 0 in full (2·252 + 42 + 8·7) and the while-loop body once
    # (2·21·5 + 21, + 6·7 as the batch is > 1), per batch row.
    t = totals(GRU(5, 7), (4, 3, 5))
    assert t == {"thop": 343 * 12, "ptflops": 343 * 12 // 4, "ptflops_nofunc": 343 * 12 // 4,
                 "aten": 12 * 252 + 12 * 42, "fvcore": 0, "torch": 2 * 12 * 252,
                 "tf": 4 * ((504 + 42 + 56) + (210 + 21 + 42))}
    # LSTM(5 → 6): THOP 4·(66 + 6 + 12) + 24; ptflops 4·66 + 60 + 48; CPU oneDNN LSTM: 0.
    t = totals(LSTM(5, 6), (4, 3, 5))
    assert (t["thop"], t["ptflops"], t["torch"], t["aten"]) == (360 * 12, 372 * 12 // 4, 0, 0)
    # Keras LSTM: one bias (b_ih + b_hh merged): step 0 2·4·6·11 + 4·6 + 8·6, loop body
    # 2·4·6·5 + 4·6 + 5·6, per batch row (4).
    assert t["tf"] == 4 * ((528 + 24 + 48) + (240 + 24 + 30))
    t = totals(RNN(5, 7, bias=False), (4, 3, 5))  # 7·12 + 7 per row; TF step 0 + body + join
    assert (t["thop"], t["ptflops"], t["torch"], t["tf"]) == (91 * 12, 91 * 12 // 4,
                                                              2 * 12 * 84, 4 * (175 + 70 + 7))


def test_recurrent_unbatched_and_batch_first():
    # THOP and ptflops multiply by x.size(0)·x.size(1): T·I = 20 for an unbatched (4, 5);
    # ptflops divides by len(input) = 4.
    t = totals(GRU(5, 7), (4, 5))
    assert (t["thop"], t["ptflops"], t["torch"]) == (343 * 20, 343 * 20 // 4, 2 * 4 * 252)
    # batch_first: W_ih·x runs as mm on a transposed view, so aten drops its 21·12 bias.
    assert totals(GRU(5, 7, batch_first=True), (3, 4, 5))["aten"] == 12 * 252 + 12 * 21


def test_add_and_shape_only():
    t = totals(Add(), (1, 2, 3))
    assert t["tf"] == 6 and t["thop"] == t["ptflops"] == t["fvcore"] == t["torch"] == 0
    for layer, shape in ((Flatten(), (1, 2, 3)), (Dropout(), (1, 6)),
                         (Reshape((-1, 3)), (1, 2, 3))):
        assert set(totals(layer, shape).values()) == {0}


def test_ptflops_divides_module_hooks_by_batch_only():
    relu, lin = ReLU(), Linear(3, 4)
    plan = [("r", relu, (2, 3), (2, 3)), ("l", lin, (2, 3), (2, 4))]
    # module hooks: ReLU 6 + Linear (12 + 4)·2 = 38, ÷ 2; F.relu wrapper 6, not divided.
    assert ptflops(plan).total == 38 // 2 + 6
    assert "divided by the batch size 2" in ptflops(plan).note


def test_functional_calls_have_no_module_hook():
    plan = [("avgpool", AdaptiveAvgPool2d((2, 3)), (1, 2, 6, 6), (1, 2, 2, 3))]
    assert thop(plan, functional=["avgpool"]).total == 0
    assert ptflops(plan, functional=["avgpool"]).total == 72  # the F.adaptive_avg_pool2d wrapper


@given(cin=st.integers(1, 3), cout=st.integers(1, 3), groups=st.sampled_from([1, 2]),
       k=st.integers(1, 3), stride=st.integers(1, 2), padding=st.integers(0, 1),
       dilation=st.integers(1, 2), bias=st.booleans(), n=st.integers(1, 2))
def test_conv_macs_agree_with_formula(cin, cout, groups, k, stride, padding, dilation, bias, n):
    layer = Conv2d(cin * groups, cout * groups, k, stride, padding, dilation, groups, bias=bias)
    shape = (n, cin * groups, 7, 6)
    out = layer.output_shape(shape)
    outputs = out[0] * out[1] * out[2] * out[3]
    mul = formulas.for_layer(layer, shape).mul  # dense padding: every tap is a product
    t = totals(layer, shape)
    assert t["thop"] == t["fvcore"] == mul and t["torch"] == 2 * mul
    assert t["aten"] == mul + (outputs if bias else 0)
    assert t["ptflops"] == (mul + (outputs if bias else 0)) // n
    if groups == 1 and dilation == 1:  # grouped and dilated: see tests/test_tf_fixture.py
        assert t["tf"] == 2 * mul + (outputs if bias else 0)
    x, w = torch.zeros(shape), torch.zeros(layer.weight.shape)
    b = torch.zeros(layer.out_channels) if bias else None
    assert t["torch"] == live_flops(torch.nn.functional.conv2d, x, w, b, stride, padding,
                                    dilation, groups)


# -- torch's FlopCounterMode, live -------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_torch_rule_equals_flop_counter_mode_on_every_layer_type(name):
    layer, shape = make(name)
    xs = map(to_torch, inputs(name, shape, np.float32))
    assert torch_flop_counter(one(layer, shape)).total == live_flops(CATALOGUE[name].torch, layer, *xs)


@pytest.mark.parametrize("layer,shape", [
    (GRU(5, 7), (4, 5)), (GRU(5, 7, batch_first=True), (3, 4, 5)),
    (RNN(5, 7, bias=False), (4, 3, 5)), (LSTM(5, 6), (4, 3, 5)),
], ids=["gru_unbatched", "gru_batch_first", "rnn_no_bias", "lstm"])
def test_torch_rule_equals_flop_counter_mode_on_recurrent_variants(layer, shape):
    x = to_torch(np.zeros(shape, np.float32))
    assert torch_flop_counter(one(layer, shape)).total == live_flops(CATALOGUE[layer.kind].torch, layer, x)


@pytest.mark.parametrize("name", sorted(TWINS))
def test_torch_rule_equals_flop_counter_mode_on_the_zoo_twins(name, plans):
    with torch.device("meta"):  # shapes only: no weights, no arithmetic
        twin, x = TWINS[name]().eval(), torch.empty(zoo.input_shape(name))
    assert torch_flop_counter(plans(name)).total == live_flops(twin, x)


# -- coverage, comparison, errors ---------------------------------------------------------
@pytest.mark.parametrize("name", zoo.names())
def test_every_tool_handles_every_zoo_model(name, plans):
    plan = plans(name)
    for tool in TOOLS.values():
        counts = tool(plan)
        assert len(counts.layers) == len(plan) and all(c.rule for c in counts.layers)


def test_compare_rows_reconcile(plans):
    rows = compare(plans("resnet50"))
    for r in rows:
        assert sum(d.tool for d in r.by_type) == r.total  # batch 1: no ptflops division
        assert sum(d.nnref for d in r.by_type) == r.nnref
    torch_row = rows[3]
    assert torch_row.unit == "FLOPs"
    add = next(d for d in torch_row.by_type if d.type == "Add")  # 16 residual adds, uncounted
    assert add.tool == 0 and add.nnref > 0


def test_render_compare(plans):
    text = render_compare(compare(plans("alexnet")))
    for s in ("714,206,912", "716,441,128", "714,197,696", "714,188,480", "F.relu"):
        assert s in text
    assert "ReLU" not in render_compare(compare(plans("alexnet")), detail=False)


def test_errors_name_the_problem():
    with pytest.raises(TypeError, match="plan"):
        thop("alexnet")
    with pytest.raises(TypeError, match="plan\\[0\\]"):
        fvcore([("a", ReLU())])
    with pytest.raises(TypeError, match="'object'"):
        torch_flop_counter([("x", object(), (1,), (1,))])
    with pytest.raises(ValueError, match="backend"):
        ptflops([], backend="onnx")
    with pytest.raises(TypeError, match="count_functional"):
        ptflops([], count_functional="yes")
    with pytest.raises(TypeError, match="functional"):
        thop([], functional="avgpool")
    with pytest.raises(ValueError, match="unknown"):
        nnref.compare("alexnet", tools=["flopco"])
    with pytest.raises(ValueError, match="input_shape"):
        compare(zoo.build("seed_crnn"))
