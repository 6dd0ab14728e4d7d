"""nnref's ``tf`` convention against what TensorFlow 2.21's profiler printed.

TensorFlow is too heavy for CI: ``benchmarks/tf_fixtures.py`` ran once, in a throwaway
venv with tensorflow-cpu, on Keras 3 ports of every layer type (several configurations
each), of ``seed_crnn`` and of AlexNet, and recorded the profiler's float ops in
``tests/data/tf_profiler.json``. Every number there must be what
``nnref.conventions.tf_profiler`` says for the same layer or model.
"""
import json
from pathlib import Path

import pytest

from nnref.conventions import tf_profiler
from nnref.conventions.recurrent import tf_unrolled
from nnref.layers import LAYERS, GRU
from nnref.layers.spec import parse_layer
from nnref.models import zoo

FIXTURE = json.loads((Path(__file__).parent / "data" / "tf_profiler.json").read_text())
LAYER_CASES = FIXTURE["layers"]
MODELS = {c["model"] + (f"[{c['steps']} steps]" if "steps" in c else ""): c
          for c in FIXTURE["models"]}


def one(layer, shape):
    return [("l", layer, tuple(shape), tuple(layer.output_shape(shape)))]


def shape_of(value) -> tuple:
    """A fixture's ``input_shape``: one shape, or a list of shapes (one per operand)."""
    return tuple(shape_of(v) if isinstance(v, list) else v for v in value)


def case_id(c):
    shapes = c["input_shape"] if c["input_shape"] and isinstance(c["input_shape"][0], list) \
        else [c["input_shape"]]
    return f"{c['spec']}-{','.join('x'.join(map(str, s)) for s in shapes)}" + (
        "-unroll" if c["unroll"] else "")


def test_the_fixture_is_tensorflow_2_21_and_covers_every_layer_class():
    assert FIXTURE["tensorflow"].startswith("2.21.") and FIXTURE["keras"].startswith("3.")
    assert {parse_layer(c["spec"]).kind for c in LAYER_CASES} == set(LAYERS)


@pytest.mark.parametrize("case", [c for c in LAYER_CASES if not c["unroll"]], ids=case_id)
def test_tf_convention_equals_the_profiler_on_every_layer(case):
    layer, shape = parse_layer(case["spec"]), shape_of(case["input_shape"])
    assert tf_profiler(one(layer, shape)).total == case["float_ops"], case["by_op"]


@pytest.mark.parametrize("case", [c for c in LAYER_CASES if c["unroll"]], ids=case_id)
def test_unrolled_recurrent_layers_count_every_step(case):
    layer, shape = parse_layer(case["spec"]), shape_of(case["input_shape"])
    assert tf_unrolled(layer, shape) == case["float_ops"], case["by_op"]


def test_the_issue_figures():
    """seed_crnn (GRU reset_after=True) 22,540,096; its convolution 13,008,864; a bias-free
    25×16 by 16×9 matmul 7,200: measured, and nnref's convention."""
    plan = zoo.build("seed_crnn").plan(zoo.input_shape("seed_crnn"))
    assert MODELS["seed_crnn"]["float_ops"] == tf_profiler(plan).total == 22_540_096
    assert MODELS["seed_crnn[conv]"]["float_ops"] == tf_profiler(plan[:1]).total == 13_008_864
    matmul = next(c for c in LAYER_CASES if c["spec"] == "Linear(16, 9, bias=False)")
    assert matmul["float_ops"] == tf_profiler(one(parse_layer(matmul["spec"]), (25, 16))).total \
        == 7_200 == 2 * 25 * 16 * 9


def test_seed_crnn_layer_by_layer():
    # conv: 2·16·(97·127·32) + BiasAdd; GRU: step 0 in full + the loop body's input
    # projection, batch 1; dense: MatMul 2·97·96·256 + BiasAdd 97·256; ReLU, sigmoid: 0.
    counts = {c.name: c.count for c in tf_profiler(
        zoo.build("seed_crnn").plan(zoo.input_shape("seed_crnn"))).layers}
    i, h = 32 * 127, 96
    gru = (6 * h * (i + h) + 6 * h + 8 * h) + (6 * h * i + 3 * h)
    assert counts == {"conv": 13_008_864, "relu": 0, "reshape": 0, "gru": gru,
                      "dense": 2 * 97 * 96 * 256 + 97 * 256, "sigmoid": 0}
    assert gru == 4_738_656


def test_the_gru_figure_does_not_change_with_the_number_of_steps():
    cases = [c for name, c in MODELS.items() if name.startswith("seed_crnn[gru]")]
    assert len({c["steps"] for c in cases}) == 3 and len({c["float_ops"] for c in cases}) == 1
    for c in cases:
        layer, shape = GRU(32 * 127, 96), tuple(c["input_shape"])
        assert tf_profiler(one(layer, shape)).total == c["float_ops"] == 4_738_656


def test_the_unrolled_seed_crnn():
    plan = zoo.build("seed_crnn").plan(zoo.input_shape("seed_crnn"))
    counts = {c.name: c.count for c in tf_profiler(plan).layers}
    gru = next(s for s in plan if s.name == "gru")
    unrolled = sum(counts.values()) - counts["gru"] + tf_unrolled(gru.layer, gru.input_shape)
    assert unrolled == MODELS["seed_crnn[unroll=True]"]["float_ops"] == 250_359_328


def test_alexnet_keras_port():
    plan = zoo.build("alexnet").plan(zoo.input_shape("alexnet"))
    assert tf_profiler(plan).total == MODELS["alexnet"]["float_ops"] == 1_429_675_240


def measured(spec, shape=None):
    """The profiler's float ops for ``spec`` (on ``shape``, if several cases share the spec)."""
    hits = [c for c in LAYER_CASES if c["spec"] == spec and not c["unroll"]
            and (shape is None or shape_of(c["input_shape"]) == shape)]
    assert len(hits) == 1, (spec, shape)
    return hits[0]["float_ops"]


def rule(spec, shape):
    return tf_profiler(one(parse_layer(spec), shape)).total


@pytest.mark.parametrize("spec,shape,by_hand", [
    # the while-loop rule once per layer and direction, B = 3 > 1; layer 2 takes D·H inputs
    ("RNN(5, 7, num_layers=2)", (3, 2, 5),
     3 * ((2 * 7 * 12 + 7 + 7) + (2 * 7 * 5 + 7 + 7) + (2 * 7 * 14 + 7 + 7) + (2 * 7 * 7 + 7 + 7))),
    ("GRU(5, 7, bidirectional=True)", (3, 2, 5),
     3 * 2 * ((6 * 7 * 12 + 42 + 56) + (6 * 7 * 5 + 21 + 42))),
    ("LSTM(5, 6, num_layers=2)", (1, 4, 5),
     (8 * 6 * 11 + 24 + 48) + (8 * 6 * 5 + 24 + 30)
     + (8 * 6 * 12 + 24 + 48) + (8 * 6 * 6 + 24 + 30)),
    # ConvTranspose: the BiasAdd on the uncropped output, 2·4·14 (not 2·4·12) and 3·9·9
    ("ConvTranspose1d(2, 4, 3, stride=2, padding=1, output_padding=1)", (2, 2, 6),
     2 * 2 * 14 * 3 * 2 * 4 // 2 + 2 * 4 * 14),
    ("ConvTranspose2d(2, 3, 4, stride=2, padding=1, output_padding=1)", (1, 2, 3, 3),
     2 * 81 * 16 * 2 * 3 // 4 + 3 * 81),
    # nearest UpSampling: one scalar Mul per spatial axis (its ops.repeat); resize: 0
    ("Upsample(scale_factor=3)", (2, 2, 4), 1),
    ("Upsample(scale_factor=2)", (1, 2, 3, 3), 2),
    ("Upsample(scale_factor=2)", (1, 1, 2, 2, 2), 3),
    ("UpsamplingNearest2d(scale_factor=2)", (1, 3, 2, 3), 2),
    ("Upsample(scale_factor=2, mode='bilinear')", (1, 2, 3, 3), 0),
    ("Upsample(size=(5, 7))", (1, 2, 3, 4), 0),
    # baddbmm: Mul by α and AddV2 per output (2·3·5), Mul by β per element of c (3·5)
    ("BAddBMM(beta=0.5, alpha=2.0)", ((3, 5), (2, 3, 4), (2, 4, 5)), 2 * 120 + 2 * 30 + 15),
    # SDPA: Mul 1 + Softmax 5 per score; scale=None: RealDiv 1/sqrt(E) +1; grouped: +2 Muls
    ("ScaledDotProductAttention()", (1, 2, 3, 4), 6 * 2 * 3 * 3 + 1),
    ("ScaledDotProductAttention(scale=0.5)", (2, 1, 3, 4), 6 * 2 * 3 * 3),
    ("ScaledDotProductAttention(enable_gqa=True)", ((1, 4, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4)),
     6 * 4 * 3 * 3 + 1 + 2),
    # MHA (L 3, N 2, E 8, H 2): BatchMatMulV2 2·(3·N·L·E² + N·L·E²) + 2·2·N·H·L·L·E/H,
    # bias AddV2/BiasAdd 4·N·L·E, Mul on q N·L·E, Softmax 5 + Mean 1 per score
    ("MultiheadAttention(8, 2)", (3, 2, 8),
     2 * 4 * 2 * 3 * 64 + 4 * 2 * 2 * 3 * 3 * 4 + 4 * 48 + 48 + 6 * 2 * 2 * 3 * 3),
    # without weights (L 3, N 1, H 4): the core is dot_product_attention's Einsum, 0
    ("MultiheadAttention(8, 4, need_weights=False)", (3, 1, 8),
     2 * 4 * 3 * 64 + 4 * 24 + 6 * 4 * 3 * 3),
])
def test_corrected_rules_by_hand(spec, shape, by_hand):
    assert rule(spec, shape) == measured(spec, shape) == by_hand


def test_a_held_tensor_and_expand_count_nothing():
    assert rule("Parameter([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])", ()) == 0
    assert measured("Parameter([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])") == 0
    assert rule("Expand(4, 2, -1, 3)", (2, 1, 3)) == measured("Expand(4, 2, -1, 3)") == 0
