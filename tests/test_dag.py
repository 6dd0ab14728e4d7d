"""The Graph container (nnref/models/dag.py): named inputs, shared layers, call kinds in
records and plans, freeing, the one-shape guard, bad graphs named."""
import numpy as np
import pytest
from conftest import rand

from nnref import OpCounts, formulas
from nnref.layers import Add, Conv2d, Flatten, Linear, Mul, ReLU, Reshape
from nnref.models import Graph, Node, Sequential


def toy():
    relu = ReLU()
    return Graph([
        Node("conv", Conv2d(2, 2, 3, padding=1, rng=0)),
        Node("relu", relu),
        Node("add", Add(), ("relu", "x"), "operator", "operator.add"),
        Node("relu#2", relu),
        Node("block.scale", Mul(0.5), call="operator"),
        Node("flatten", Flatten(), call="function", target="torch.flatten"),
        Node("head", Sequential(Linear(2 * 4 * 4, 3, rng=1))),
    ], name="toy")


def test_records_are_calls_in_node_order_with_their_call_kinds():
    g = toy()
    y, report = g(rand((1, 2, 4, 4)))
    assert [(r.name, r.call, r.target) for r in report.layers] == [
        ("conv", "module", ""), ("relu", "module", ""), ("add", "operator", "operator.add"),
        ("relu", "module", ""), ("block.scale", "operator", ""),
        ("flatten", "function", "torch.flatten"), ("head.0", "module", "")]
    plan = g.plan((1, 2, 4, 4))
    assert [(s.name, s.call) for s in plan] == [(r.name, r.call) for r in report.layers]
    assert report.total == sum((formulas.for_layer(s.layer, s.input_shape) for s in plan),
                               OpCounts())
    assert y.shape == (1, 3) and g.num_params == 2 * 2 * 9 + 2 + 32 * 3 + 3


def test_outputs_equal_the_layers_composed_by_hand():
    g, x = toy(), rand((2, 2, 4, 4))
    layers = dict(g.named_layers())
    h = layers["relu"](layers["conv"](x)[0])[0]
    h = layers["relu"](h + x)[0] * 0.5
    expected = layers["head.0"](h.reshape(2, -1))[0]
    np.testing.assert_allclose(g(x)[0], expected, rtol=1e-12)


def test_arrays_are_freed_after_their_last_reader_but_not_the_output():
    g = Graph([Node("a", ReLU()), Node("b", ReLU()), Node("c", ReLU()), Node("d", ReLU())])
    assert g._free == {0: ["x"], 1: ["a"], 2: ["b"], 3: ["c"]}
    g = Graph([Node("a", ReLU()), Node("b", ReLU()), Node("c", Add(), ("a", "b"))], output="a")
    assert g._free == {0: ["x"], 2: ["b"]}  # "a" is the output: kept
    x = rand((3,))
    np.testing.assert_array_equal(g(x)[0], np.maximum(x, 0))


def test_dotted_names_state_dict_and_getitem():
    g = toy()
    assert list(g.state_dict()) == ["conv.weight", "conv.bias", "head.0.weight", "head.0.bias"]
    assert g["block.scale"].other == 0.5 and len(g) == 7
    with pytest.raises(KeyError, match="no node 'nope'"):
        g["nope"]
    assert "add(relu, x) [operator.add]: Add()" in repr(g)


def test_a_graph_of_one_input_shape_refuses_another():
    g = Graph([Node("reshape", Reshape((2, -1)), call="method")], input_shape=(2, 3),
              shape_note="sizes folded in")
    assert g.plan((2, 3))[0].output_shape == (2, 3)
    with pytest.raises(ValueError, match=r"input_shape=\(3, 2\) is invalid; expected \(2, 3\).*"
                                         r"sizes folded in"):
        g(rand((3, 2)))


@pytest.mark.parametrize("nodes,error,match", [
    ([], ValueError, r"nodes=\[\] is invalid"),
    ("relu", TypeError, "nodes='relu' is invalid"),
    ([Node("a", ReLU()), Node("a", ReLU())], ValueError, "node 'a' is defined twice"),
    ([Node("x", ReLU())], ValueError, "node 'x' is defined twice .*input"),
    ([Node("a", ReLU(), ("b",))], ValueError, r"reads \['b'\], which are not earlier nodes"),
    ([Node("a", Add())], ValueError, "has 1 inputs .*Add takes 2"),
    ([Node("a", "relu")], TypeError, "module='relu' is invalid"),
    ([Node("a", ReLU(), call="lambda")], ValueError, "call='lambda' is invalid"),
    ([Node("a", Sequential(ReLU()), call="function")], ValueError, "invalid for a container"),
    ([Node("a..b", ReLU())], ValueError, "node name 'a..b' is invalid"),
    ([Node("a", ReLU(), "x")], TypeError, "inputs='x' is invalid"),
])
def test_bad_graphs_are_named(nodes, error, match):
    with pytest.raises(error, match=match):
        Graph(nodes)


def test_bad_output_and_shapes_are_named():
    with pytest.raises(ValueError, match="output='z' names no node"):
        Graph([Node("a", ReLU())], output="z")
    g = Graph([Node("a", Linear(3, 2, rng=0)), Node("b", Add(), ("a", "x"))])
    with pytest.raises(ValueError, match=r"'b' \(Add\) cannot take inputs of shapes "
                                         r"\(\(4, 2\), \(4, 3\)\)"):
        g.plan((4, 3))
