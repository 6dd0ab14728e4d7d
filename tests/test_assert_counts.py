"""nnref.testing.assert_counts: passes on a right count, fails with a readable diff table
whose "likely cause" names the convention that explains a wrong one.

Each wrong count here is built the way a real counter gets it wrong (a formula without
the bias, FLOPs reported as MACs, ...), from hand arithmetic or from nnref's formulas,
and the test checks that the table names that cause.
"""
import pytest

import nnref
from nnref import OpCounts
from nnref.formulas import for_layer
from nnref.testing import CountMismatch, assert_counts, expected_counts

CONV = nnref.Conv2d(3, 8, 3, padding=1)  # 200 outputs × 27 taps: mul 5,400, add 5,400
SHAPE = (1, 3, 5, 5)


@pytest.fixture(scope="module")
def alexnet():
    """AlexNet and its input shape, built once (its 61 M weights take a second to draw)."""
    return nnref.models.zoo.build("alexnet"), (1, 3, 224, 224)


def failure(*args, **kwargs) -> str:
    with pytest.raises(CountMismatch) as info:
        assert_counts(*args, **kwargs)
    assert isinstance(info.value, AssertionError)  # pytest shows it as a failed assertion
    return str(info.value)


def causes(*args, **kwargs) -> list:
    with pytest.raises(CountMismatch) as info:
        assert_counts(*args, **kwargs)
    return [c for row in info.value.rows for c in row[3]]


# -- passes on a right count -----------------------------------------------------------------
def test_passes_and_returns_what_nnref_expects():
    assert assert_counts(OpCounts(mul=5400, add=5400), CONV, SHAPE) == OpCounts(mul=5400, add=5400)
    assert assert_counts(10_800, CONV, SHAPE) == OpCounts(mul=5400, add=5400)  # int: every op
    assert assert_counts({"mul": 5400}, CONV, SHAPE)  # only the kinds given
    assert assert_counts(5400.0, CONV, SHAPE, "macs") == 5400  # an integral float is a count
    assert assert_counts(5400, CONV, SHAPE, "thop") == 5400


@pytest.mark.parametrize("convention,count", [
    ("thop", 714_206_912), ("ptflops", 716_441_128), ("fvcore", 714_197_696),
    ("torch", 1_428_376_960), ("tf", 1_429_675_240), ("macs", 714_188_480),
    ("exact", 1_429_585_920)])
def test_every_convention_on_alexnet_is_what_the_tool_prints(convention, count, alexnet):
    expected = count if convention != "exact" else expected_counts(*alexnet)
    assert assert_counts(count, *alexnet, convention) == expected


def test_a_zoo_model_by_name_with_its_default_input():
    assert assert_counts(124_942_208, "seed_crnn", None, "macs") == 124_942_208


def test_counts_per_layer(alexnet):
    model, shape = alexnet
    assert assert_counts({"features.0": 70_276_800, "classifier.6": 4_096_000}, model, shape, "macs")
    text = failure({"features.0": 70_276_800 + 193_600}, model, shape, "macs")
    assert "layer" in text and "features.0" in text and "bias counted" in text


# -- the table ---------------------------------------------------------------------------------
def test_the_table_has_expected_actual_difference_and_cause_per_kind():
    text = failure(OpCounts(mul=5400, add=5200), CONV, SHAPE)
    lines = text.splitlines()
    assert "convention='exact'" in lines[0] and "Conv2d(3, 8" in lines[0]
    assert lines[2].split() == ["kind", "expected", "actual", "difference", "likely", "cause"]
    add = next(ln for ln in lines if ln.startswith("add"))
    assert "5,400" in add and "5,200" in add and "-200" in add and "bias not counted" in add
    assert next(ln for ln in lines if ln.startswith("mul")).split()[1:4] == ["5,400", "5,400", "0"]
    assert "expected, by layer type: Conv2d x1: add 5,400, mul 5,400" in text


def test_no_known_cause_says_so():
    assert "no known cause fits exactly" in failure(12_345, CONV, SHAPE)


def test_a_fractional_count_is_shown_as_it_is():
    assert "5400.5" in failure(5400.5, CONV, SHAPE, "macs")


# -- the likely causes: one per way a counter goes wrong -----------------------------------------
def test_bias_not_counted():
    assert any("bias not counted" in c for c in causes(10_800 - 200, CONV, SHAPE))


def test_bias_counted_as_a_mac():
    assert any("bias counted as a multiply-accumulate" in c for c in causes(5600, CONV, SHAPE, "macs"))


def test_2_mac_against_mac():
    found = causes(2 * 5400, CONV, SHAPE, "macs")
    assert "2 per multiply-accumulate: twice nnref's count" in found
    assert any("FlopCounterMode" in c for c in found)  # and whose convention that is


def test_macs_against_flops():
    assert any("(MACs, 1 per multiply-accumulate) against every executed operation" in c
               for c in causes(5400, CONV, SHAPE))


def test_first_add_counted():
    # The seed form 2·Cin·K²·Ho·Wo·Co for a bias-free conv: 200 outputs × 2·27.
    conv = nnref.Conv2d(3, 8, 3, padding=1, bias=False)
    assert any("first add counted" in c for c in causes(200 * 2 * 27, conv, SHAPE))


def test_padding_taps_skipped_and_counted():
    skip = nnref.Conv2d(3, 8, 3, padding=1, algorithm="naive", padding_taps="skip")
    skipped = for_layer(skip, SHAPE)
    assert skipped.mul < 5400
    assert any("padding taps skipped" in c for c in causes(skipped.flops, CONV, SHAPE))
    assert any("padding taps counted" in c for c in causes(10_800, skip, SHAPE))


def test_module_and_functional_both_counted(alexnet):
    twice = 1_429_585_920 + 493_184 + 706_560 + 9_216  # ReLU, max pools, adaptive pool again
    assert any("module and functional both counted" in c for c in causes(twice, *alexnet))


def test_ptflops_versions_and_backends(alexnet):
    found = causes(715_561_896, *alexnet, "ptflops")
    assert any("without its functional patching" in c for c in found)
    assert any("aten backend" in c for c in causes(714_682_664, *alexnet, "ptflops"))


def test_another_tools_convention(alexnet):
    assert any("matches ptflops' convention" in c for c in causes(716_441_128, *alexnet, "thop"))


def test_activations_not_counted():
    model, shape = nnref.models.zoo.build("resnet50"), (1, 3, 224, 224)
    exact = expected_counts(model, shape)
    relu = sum(for_layer(s.layer, s.input_shape).flops for s in model.plan(shape)
               if s.layer.kind == "ReLU")
    found = causes(exact.flops - relu, model, shape)
    assert any("activations" in c and "not counted" in c for c in found)


def test_divided_by_the_batch():
    assert any("divided by the batch size 4" in c
               for c in causes(5400, CONV, (4, 3, 5, 5), "macs"))


def test_one_layer_counted_twice(alexnet):
    found = causes(714_188_480 + 16_777_216, *alexnet, "macs")
    assert "classifier.4 (Linear) counted twice" in found


def test_recurrent_one_step():
    gru, shape = nnref.GRU(4, 3), (5, 2, 4)  # 5 steps of a batch of 2
    exact = expected_counts(gru, shape)
    assert any("one time step counted" in c for c in causes(exact.flops // 5, gru, shape))


def test_max_pooling_k_comparisons():
    pool = nnref.MaxPool2d(2)
    assert any("k comparisons per window" in c
               for c in causes(OpCounts(cmp=16), pool, (1, 1, 4, 4)))  # 4 windows of 4


# -- bad input --------------------------------------------------------------------------------
def test_bad_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="convention='flops'"):
        assert_counts(1, CONV, SHAPE, "flops")
    with pytest.raises(TypeError, match="actual='5400'"):
        assert_counts("5400", CONV, SHAPE)
    with pytest.raises(TypeError, match="actual=True"):
        assert_counts(True, CONV, SHAPE)
    with pytest.raises(ValueError, match="key 'features.99'"):
        assert_counts({"features.99": 1}, "seed_crnn")
    with pytest.raises(TypeError, match="counts by kind"):
        assert_counts(OpCounts(mul=1), CONV, SHAPE, "thop")
    with pytest.raises(ValueError, match="input_shape=None"):
        assert_counts(1, CONV)
    with pytest.raises(TypeError, match="layer_or_model="):
        assert_counts(1, object(), SHAPE)
    with pytest.raises(ValueError, match="unknown model 'alexnt'"):
        assert_counts(1, "alexnt")
    with pytest.raises(ValueError, match="Conv2d"):
        assert_counts(1, CONV, (1, 4, 5, 5))  # 4 channels for a 3-channel conv


def test_a_torch_module_goes_through_the_bridge():
    torch = pytest.importorskip("torch")
    module = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU())
    assert assert_counts(10_800 + 200, module, SHAPE) == OpCounts(mul=5400, add=5400, cmp=200)
