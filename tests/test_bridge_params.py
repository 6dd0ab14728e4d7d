"""from_torch and to_torch on tensors a module reads directly in forward (fx's get_attr):
a ViT-style stem (class token expanded and joined, a position embedding added), a
ConvNeXt-style block (layer scale), torchvision's LayerNorm2d (F.layer_norm on the
module's own weight and bias) and F.group_norm likewise. Outputs equal torch's (float64
to 1e-10, float32 to 1e-4), counts equal the closed forms and the traced reference,
state_dict keys are torch's, the real tools equal nnref's reproduction, and a round trip
through to_torch keeps names, counts and outputs."""
import re

import numpy as np
import pytest
from conftest import need, torch
from test_bridge import assert_like_torch, assert_traced, convert

import nnref
from nnref.bridges.torch.trace import Converter

nn, F = torch.nn, torch.nn.functional
TOL = {torch.float64: dict(rtol=1e-10, atol=1e-12), torch.float32: dict(rtol=1e-4, atol=1e-5)}


class Encoder(nn.Module):
    def __init__(self, seq, dim):
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.empty(1, seq, dim))
        self.ln = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, input):
        input = input + self.pos_embedding
        return self.ln(input)


class ViTStem(nn.Module):
    """torchvision's VisionTransformer up to its encoder's first norm."""

    def __init__(self, image=32, patch=16, dim=12):
        super().__init__()
        self.patch_size = patch
        self.conv_proj = nn.Conv2d(3, dim, patch, stride=patch)
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.encoder = Encoder((image // patch) ** 2 + 1, dim)

    def forward(self, x):
        n = x.shape[0]
        x = self.conv_proj(x)
        x = x.flatten(2).transpose(1, 2)
        batch_class_token = self.class_token.expand(n, -1, -1)
        x = torch.cat([batch_class_token, x], dim=1)
        return self.encoder(x)


class Permute(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return torch.permute(x, self.dims)


class CNBlock(nn.Module):
    """torchvision's ConvNeXt block (stochastic depth is the identity in eval)."""

    def __init__(self, dim=8):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim), Permute([0, 2, 3, 1]),
            nn.LayerNorm(dim, eps=1e-6), nn.Linear(dim, 4 * dim), nn.GELU(),
            nn.Linear(4 * dim, dim), Permute([0, 3, 1, 2]))
        self.layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * 1e-6)

    def forward(self, input):
        result = self.layer_scale * self.block(input)
        return result + input


class LayerNorm2d(nn.LayerNorm):
    """torchvision.models.convnext.LayerNorm2d, verbatim."""

    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        x = x.permute(0, 3, 1, 2)
        return x


class Downsample(nn.Module):
    """ConvNeXt's stage transition: LayerNorm2d, then a strided conv."""

    def __init__(self):
        super().__init__()
        self.norm = LayerNorm2d(8, eps=1e-6)
        self.conv = nn.Conv2d(8, 16, 2, stride=2)

    def forward(self, x):
        return self.conv(self.norm(x))


class GroupNormed(nn.Module):
    """F.group_norm on held weights, and F.layer_norm with no weight (None)."""

    def __init__(self):
        super().__init__()
        self.weight, self.bias = nn.Parameter(torch.ones(6)), nn.Parameter(torch.zeros(6))

    def forward(self, x):
        x = F.group_norm(x, 3, self.weight, self.bias, 1e-4)
        return F.layer_norm(x, x.shape[-2:])


MODELS = {"vit_stem": (ViTStem, (2, 3, 32, 32)), "cn_block": (CNBlock, (2, 8, 9, 9)),
          "layer_norm2d": (Downsample, (2, 8, 6, 6)), "group_norm": (GroupNormed, (2, 6, 4, 5))}


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_outputs_counts_and_keys_equal_torch(name, dtype):
    def close(y, y_torch):
        assert y.dtype == y_torch.numpy().dtype
        np.testing.assert_allclose(y, y_torch.numpy(), **TOL[dtype])

    assert_like_torch(*MODELS[name], dtype, close)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_counts_equal_the_traced_reference(name):
    assert_traced(*MODELS[name])


def test_vit_stem_nodes_names_and_calls():
    _, x, graph = convert(ViTStem, (2, 3, 32, 32))
    steps = graph.plan(tuple(x.shape))
    got = [(s.name, s.layer.kind, s.input_shape, s.call, s.target) for s in steps]
    assert got == [
        ("conv_proj", "Conv2d", (2, 3, 32, 32), "module", "nn.Conv2d"),
        ("flatten", "Flatten", (2, 12, 2, 2), "method", "Tensor.flatten"),
        ("transpose", "Transpose", (2, 12, 4), "method", "Tensor.transpose"),
        ("class_token", "Parameter", (), "attribute", "nn.Parameter"),
        ("expand", "Expand", (1, 1, 12), "method", "Tensor.expand"),
        ("cat", "Cat", ((2, 1, 12), (2, 4, 12)), "function", "torch.cat"),
        ("encoder.pos_embedding", "Parameter", (), "attribute", "nn.Parameter"),
        ("encoder.add", "Add", ((2, 5, 12), (1, 5, 12)), "operator", "operator.add"),
        ("encoder.ln", "LayerNorm", (2, 5, 12), "module", "nn.LayerNorm")]
    # n = x.shape[0] is folded into the expand: the graph takes the example's shape only
    with pytest.raises(ValueError, match=r"expand"):
        graph.plan((3, 3, 32, 32))
    _, report = graph(x.numpy())
    assert [r.call for r in report.layers][3] == "attribute"
    assert report.layers[3].params == 12


def test_layer_norm2d_is_a_function_call_holding_the_modules_weights():
    _, _, graph = convert(Downsample, (1, 8, 6, 6))
    kinds = [(n.name, n.module.kind, n.call) for n in graph.nodes]
    assert kinds == [("norm.permute", "Permute", "method"),
                     ("norm.layer_norm", "LayerNorm", "function"),
                     ("norm.permute_1", "Permute", "method"), ("conv", "Conv2d", "module")]
    assert list(graph.state_dict())[:2] == ["norm.weight", "norm.bias"]  # no Parameter nodes


@pytest.mark.parametrize("name", sorted(MODELS))
def test_to_torch_round_trips_names_counts_and_outputs(name):
    cls, shape = MODELS[name]
    module, x, graph = convert(cls, shape)
    back = nnref.to_torch(graph)
    assert set(back.state_dict()) == set(module.state_dict())
    with torch.no_grad():
        np.testing.assert_allclose(back(x).numpy(), module(x).numpy(), **TOL[torch.float64])
    again = nnref.from_torch(back, x)
    # to_torch makes a flat graph's calls in the root's forward: a call made in a
    # submodule's forward (encoder.add) comes back named without its scope (add)
    def kept(g):
        return [(n.name if n.call in ("module", "attribute") else
                 re.sub(r"_\d+$", "", n.name.rpartition(".")[2]), n.module.kind, n.call,
                 n.target) for n in g.nodes]

    assert kept(again) == kept(graph)
    y, report = graph(x.numpy())
    y2, report2 = again(x.numpy())
    np.testing.assert_array_equal(y2, y)
    assert [(r.type, r.counts, r.params) for r in report2.layers] == \
        [(r.type, r.counts, r.params) for r in report.layers]
    assert set(again.state_dict()) == set(graph.state_dict())


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_real_tools_equal_nnrefs_reproduction(name):
    for tool in ("thop", "ptflops", "fvcore"):
        need(tool)
    from test_tools_live import assert_reproduced

    cls, shape = MODELS[name]
    module, x, graph = convert(cls, shape, torch.float32)
    assert_reproduced(graph.plan(shape), module, x)
    back = nnref.to_torch(graph)  # its calls are made in its root's forward
    assert_reproduced(nnref.from_torch(back, x).plan(shape), back, x)


def test_a_buffer_read_in_forward_is_a_buffer():
    class Shifted(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("shift", torch.full((3,), 0.5, dtype=torch.float64))

        def forward(self, x):
            return x - self.shift

    module, x, graph = convert(Shifted, (2, 3))
    assert graph.num_params == 0 and list(graph.buffers()) == ["shift"]
    assert graph.nodes[0].target == "buffer"
    back = nnref.to_torch(graph)
    assert list(back.state_dict()) == ["shift"] and not list(back.parameters())
    np.testing.assert_array_equal(back(x).numpy(), module(x).numpy())


# -- bad input ------------------------------------------------------------------------------
def test_a_get_attr_of_a_non_tensor_is_listed_as_unsupported():
    graph = torch.fx.Graph()
    x = graph.placeholder("x")
    graph.output(graph.call_function(torch.add, (x, graph.get_attr("scale"))))
    root = nn.Module()
    root.scale = torch.ones(1)
    gm = torch.fx.GraphModule(root, graph)
    del gm._buffers["scale"]
    gm.scale = 2.0  # what an fx graph may hold: the get_attr then reads no tensor
    meta = {n: ("tensor", (2, 3), "float32") if n.op != "get_attr" else ("value", 2.0)
            for n in graph.nodes}
    with pytest.raises(NotImplementedError, match="get_attr of 'scale', a float"):
        Converter(gm, meta, "M").convert()


def test_an_integer_buffer_read_in_forward_is_listed_as_unsupported():
    class Indexed(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("offset", torch.ones(3, dtype=torch.int64))

        def forward(self, x):
            return x + self.offset

    with pytest.raises(NotImplementedError, match="offset.*int64"):
        nnref.from_torch(Indexed(), torch.ones(2, 3))


def test_expand_to_an_incompatible_size_is_a_value_error():
    with pytest.raises(ValueError, match=r"shape \(2, 3\) cannot be expanded to sizes=\(2, 4\)"):
        nnref.Expand(2, 4).output_shape((2, 3))
    with pytest.raises(ValueError, match="no -1 for a new leading axis"):
        nnref.Expand(-1, 3).output_shape((3,))
    with pytest.raises(TypeError, match="sizes="):
        nnref.Expand(2.5)
    with pytest.raises(ValueError, match="input_shape=\\(2, 3\\) is invalid; expected \\(\\)"):
        nnref.Parameter(np.ones(3)).output_shape((2, 3))
    with pytest.raises(TypeError, match="takes no input arrays"):
        nnref.Parameter(np.ones(3))(np.ones(3))


def test_layer_norm_with_a_weight_computed_in_forward_is_refused_by_name():
    class Computed(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.ones(4))

        def forward(self, x):
            return F.layer_norm(x, (4,), self.w * 2)

    with pytest.raises(NotImplementedError, match="weight=.*computed in forward"):
        nnref.from_torch(Computed(), torch.ones(2, 4))
