"""The graph: Sequential, Residual, Concat, names, records, plan, state."""
import numpy as np
import pytest
from conftest import rand, with_threads

from nnref import formulas
from nnref.core.opcounts import OpCounts
from nnref.layers.activation import ReLU, Sigmoid, Tanh
from nnref.layers.conv import Conv2d
from nnref.layers.dense import Linear
from nnref.layers.reshape import Flatten
from nnref.layers.norm import BatchNorm2d
from nnref.models.graph import Concat, Model, Reshape, Residual, Sequential


def names_of(report):
    return [r.name for r in report.layers]


def formula_total(model, shape):
    """Sum of the closed forms over the plan's leaf calls (Reshape: no arithmetic)."""
    return sum((OpCounts() if isinstance(s.layer, Reshape) else formulas.for_layer(s.layer, s.input_shape)
                for s in model.plan(shape)), OpCounts())


# -- Sequential and names ---------------------------------------------------------------
def test_sequential_positional_names():
    a, b, c = Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1)
    m = Sequential(a, b, c)
    assert [n for n, _ in m.named_layers()] == ["0", "1", "2"]
    assert (a.name, b.name, c.name) == ("0", "1", "2")


def test_sequential_dict_and_nested_names():
    m = Model({"stem": Linear(3, 4, rng=0), "block": Sequential(Linear(4, 4, rng=1), ReLU())}, name="toy")
    assert [n for n, _ in m.named_layers()] == ["stem", "block.0", "block.1"]
    assert list(m.parameters()) == ["stem.weight", "stem.bias", "block.0.weight", "block.0.bias"]
    assert m["block"][1].name == "block.1"


def test_sequential_output_equals_layers_composed():
    a, b, c = Linear(3, 4, rng=0), Tanh(), Linear(4, 2, rng=1)
    x = rand((5, 3))
    y, _ = Sequential(a, b, c)(x)
    expected = c(b(a(x)[0])[0])[0]
    np.testing.assert_array_equal(y, expected)


def test_outermost_container_names_win():
    inner = Sequential(ReLU(), Tanh())
    Model({"features": inner}, name="m")
    assert [layer.name for _, layer in inner.named_layers()] == ["features.0", "features.1"]


def test_inlined_child_is_named_in_parent_scope():
    m = Sequential([("a", ReLU()), (None, Sequential({"b": Tanh(), "c": Sigmoid()}))])
    assert [n for n, _ in m.named_layers()] == ["a", "b", "c"]


def test_shared_layer_recorded_per_call_params_counted_once():
    fc, relu = Linear(4, 4, rng=0), ReLU()
    m = Sequential([("fc", fc), ("relu", relu), ("fc", fc), ("relu", relu)])
    y, report = m(rand((2, 4)))
    assert names_of(report) == ["fc", "relu", "fc", "relu"]
    assert m.num_params == report.params == 4 * 4 + 4  # hand count: one weight, one bias
    expected = formulas.for_layer(fc, (2, 4)) * 2 + formulas.for_layer(relu, (2, 4)) * 2
    assert report.total == expected


def test_shared_layer_keeps_first_name():
    relu = ReLU()
    m = Sequential({"a": relu, "x": Tanh(), "b": relu})
    _, report = m(rand((3,)))
    assert names_of(report) == ["a", "x", "a"]


def test_two_layers_with_one_key_rejected():
    with pytest.raises(ValueError, match="key 'a'"):
        Sequential([("a", ReLU()), ("a", ReLU())])


def test_two_layers_with_one_dotted_name_rejected():
    with pytest.raises(ValueError, match="both named 'a'"):
        Sequential([(None, Sequential({"a": ReLU()})), ("a", ReLU())])


def test_leaf_inlined_at_top_level_has_no_name():
    with pytest.raises(ValueError, match="no name"):
        Sequential([(None, ReLU())]).plan((2,))


@pytest.mark.parametrize("bad", [3, "relu", np.ones(3)])
def test_rejects_non_layer_child(bad):
    with pytest.raises(TypeError, match="child"):
        Sequential(ReLU(), bad)


@pytest.mark.parametrize("key", ["a.b", "", 3])
def test_rejects_bad_key(key):
    with pytest.raises(ValueError, match="name"):
        Sequential({key: ReLU()})


# -- Residual -------------------------------------------------------------------------
def test_residual_identity_adds_input():
    body = Sequential(Linear(4, 4, rng=0), Tanh())
    x = rand((3, 4))
    y, report = Residual(body)(x)
    np.testing.assert_array_equal(y, body(x)[0] + x)
    assert names_of(report) == ["body.0", "body.1", "add"]
    assert report.layers[-1].counts == OpCounts(add=3 * 4)  # one add per element


def test_residual_with_shortcut_body_then_shortcut_then_add():
    body, short = Linear(4, 6, rng=0), Linear(4, 6, bias=False, rng=1)
    x = rand((2, 4))
    y, report = Residual(Sequential({"conv": body}), short, body_name=None, shortcut_name="downsample")(x)
    np.testing.assert_array_equal(y, body(x)[0] + short(x)[0])
    assert names_of(report) == ["conv", "downsample", "add"]
    assert report.total == (formulas.for_layer(body, (2, 4)) + formulas.for_layer(short, (2, 4))
                            + OpCounts(add=2 * 6))


def test_residual_shape_mismatch_names_the_add():
    with pytest.raises(ValueError, match=r"'add' \(Add\).*\(2, 3\).*\(2, 4\)"):
        Residual(Linear(4, 3, rng=0)).plan((2, 4))


# -- Concat ---------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [1, -1])
def test_concat_joins_branches_without_arithmetic(dim):
    a, b = Linear(4, 3, rng=0), Linear(4, 5, rng=1)
    x = rand((2, 4))
    y, report = Concat([a, b], dim=dim)(x)
    np.testing.assert_array_equal(y, np.concatenate([a(x)[0], b(x)[0]], axis=dim))
    assert names_of(report) == ["0", "1"]
    assert report.total == formulas.for_layer(a, (2, 4)) + formulas.for_layer(b, (2, 4))


def test_concat_channels_of_images():
    c1, c3 = Conv2d(2, 3, 1, rng=0), Conv2d(2, 4, 3, padding=1, rng=1)
    x = rand((1, 2, 5, 5))
    m = Concat({"b1x1": c1, "b3x3": c3})
    y, report = m(x)
    assert y.shape == m.output_shape(x.shape) == (1, 7, 5, 5)
    assert names_of(report) == ["b1x1", "b3x3"]


def test_concat_mismatch_names_the_concat():
    m = Model({"stem": ReLU(), "cat": Concat([Linear(4, 3, rng=0), Reshape((-1, 1, 4))])}, name="m")
    with pytest.raises(ValueError, match="'cat' \\(Concat\\)"):
        m.plan((2, 4))
    with pytest.raises(ValueError, match="dim=2"):
        Concat([ReLU(), ReLU()], dim=2).plan((2, 4))


# -- plan, errors, progress, report -------------------------------------------------------
def toy():
    relu = ReLU()
    return Model({
        "conv": Conv2d(1, 2, 3, rng=0), "relu": relu,
        "res": Residual(Sequential([("conv", Conv2d(2, 2, 3, padding=1, rng=1)), ("relu", relu)])),
        "flatten": Flatten(), "fc": Linear(2 * 4 * 4, 3, rng=2),
    }, name="toy")


def test_plan_matches_the_run():
    m, shape = toy(), (2, 1, 6, 6)
    plan = m.plan(shape)
    y, report = m(rand(shape))
    assert [s.name for s in plan] == names_of(report) == [
        "conv", "relu", "res.body.conv", "relu", "res.add", "flatten", "fc"]
    assert [s.output_shape for s in plan] == [r.output_shape for r in report.layers]
    assert [s.input_shape for s in plan][1:] == [s.output_shape for s in plan][:-1]
    assert m.output_shape(shape) == y.shape == (2, 3)


def test_counts_equal_formulas_and_sum_to_total():
    m, shape = toy(), (2, 1, 6, 6)
    _, report = m(rand(shape))
    for step, record in zip(m.plan(shape), report.layers):
        assert record.counts == formulas.for_layer(step.layer, step.input_shape)
    assert report.total == formula_total(m, shape)


def test_error_names_the_first_failing_layer():
    m = Sequential(Linear(3, 4, rng=0), Linear(5, 2, rng=1), Linear(7, 1, rng=2))
    with pytest.raises(ValueError, match=r"'1' \(Linear\).*\(2, 4\)") as e:
        m.plan((2, 3))
    assert "'2'" not in str(e.value)


def test_call_validates_before_any_arithmetic():
    calls = []
    m = toy()
    with pytest.raises(ValueError, match=r"'conv' \(Conv2d\).*\(1, 3, 6, 6\)"):
        m(rand((1, 3, 6, 6)), progress=calls.append)
    with pytest.raises(ValueError, match=r"'conv' \(Conv2d\).*\(1, 1, 2, 2\)"):
        m(rand((1, 1, 2, 2)), progress=calls.append)  # too small for the 3×3 kernel
    assert calls == []


def test_progress_called_once_per_leaf_call():
    calls = []
    m = toy()
    _, report = m(rand((1, 1, 6, 6)), progress=calls.append)
    assert tuple(calls) == report.layers and len(calls) == len(m.plan((1, 1, 6, 6))) == 7


def test_progress_must_be_callable():
    with pytest.raises(TypeError, match="progress"):
        toy()(rand((1, 1, 6, 6)), progress=3)


def test_report_fields():
    x = rand((2, 1, 6, 6))
    _, report = toy()(x)
    conv_params = 2 * 1 * 9 + 2 + 2 * 2 * 9 + 2
    assert (report.model, report.input_shape, report.dtype) == ("toy", (2, 1, 6, 6), "float64")
    assert report.params == conv_params + 32 * 3 + 3
    assert Sequential(ReLU())(x)[1].model == "Sequential"


@pytest.mark.parametrize("bad", [np.ones((2, 1, 6, 6), int), np.ones((2, 1, 6, 6), bool)])
def test_rejects_non_float_input(bad):
    with pytest.raises(TypeError, match="dtype"):
        toy()(bad)


def test_counts_do_not_depend_on_threads():
    m, x = toy(), rand((2, 1, 6, 6), np.float32)
    assert with_threads(1, m, x)[1].total == with_threads(2, m, x)[1].total


# -- parameters, buffers, state ---------------------------------------------------------
def bn_model():
    return Model({"conv": Conv2d(2, 3, 1, bias=False, rng=0), "bn": BatchNorm2d(3)}, name="cb")


def test_parameters_buffers_and_state_dict_keys():
    m = bn_model()
    assert list(m.parameters()) == ["conv.weight", "bn.weight", "bn.bias"]
    assert list(m.buffers()) == ["bn.running_mean", "bn.running_var"]
    assert list(m.state_dict()) == list(m.parameters()) + list(m.buffers())
    assert m.num_params == 3 * 2 + 3 + 3  # running stats are buffers, not parameters


def test_load_state_sets_arrays():
    m, rng = bn_model(), np.random.default_rng(1)
    state = {k: rng.uniform(0.5, 1.5, np.shape(v)) for k, v in m.state_dict().items()}
    m.load_state(state)
    x = rand((1, 2, 2, 2))
    y, _ = m(x)
    s = state
    conv = np.einsum("oi,nihw->nohw", s["conv.weight"][:, :, 0, 0], x)
    scale = (s["bn.weight"] / np.sqrt(s["bn.running_var"] + 1e-5))[:, None, None]
    expected = (conv - s["bn.running_mean"][:, None, None]) * scale + s["bn.bias"][:, None, None]
    np.testing.assert_allclose(y, expected, rtol=1e-10)


def test_load_state_rejects_unknown_missing_and_misshapen():
    m = bn_model()
    state = m.state_dict()
    with pytest.raises(ValueError, match="unknown keys \\['bn.num_batches_tracked'\\]"):
        m.load_state({**state, "bn.num_batches_tracked": np.zeros(())})
    with pytest.raises(ValueError, match="missing keys \\['conv.weight'\\]"):
        m.load_state({k: v for k, v in state.items() if k != "conv.weight"})
    m.load_state({"bn.bias": np.ones(3)}, strict=False)
    with pytest.raises(ValueError, match="bn.bias"):
        m.load_state({**state, "bn.weight": np.full(3, 7.0), "bn.bias": np.ones(4)})
    assert not np.any(m.parameters()["bn.weight"] == 7.0)  # nothing set when one key fails


def test_repr_shows_names():
    text = repr(toy())
    assert "(res): Residual(" in text and "(conv): Conv2d(" in text
