"""The zoo models written as torch modules (nnref.bridges.zoo): their table, their torch
modules (torchvision's parameter counts), and nnref's count of them through from_torch."""
import json

import numpy as np
import pytest
from conftest import assert_close_torch, torch

import nnref
from nnref import formulas
from nnref.core.opcounts import OpCounts
from nnref.bridges import zoo as torch_zoo
from nnref.bridges.torch.zoo import FACTORIES, torch_module
from nnref.bridges.torch.zoo.convnext import ConvNeXt
from nnref.bridges.torch.zoo.gpt2 import Block
from nnref.bridges.torch.zoo.vit import VisionTransformer
from nnref.cli import main

#: torchvision's parameter counts (vit_b_16, convnext_tiny) and GPT-2 small's per block:
#: 4·768² + 4·768 (attention) + 8·768² + 5·768 (MLP) + 4·768 (two LayerNorms)
PUBLISHED = {"vit_b_16": 86_567_656, "convnext_tiny": 28_589_128,
             "gpt2_small_block": 12 * 768 * 768 + 13 * 768}


def test_the_table_lists_every_factory_with_its_published_parameter_count():
    assert set(torch_zoo.MODELS) == set(FACTORIES) == set(PUBLISHED)
    for name, (_, params, _) in torch_zoo.MODELS.items():
        assert params == PUBLISHED[name]
        with torch.device("meta"):
            module = FACTORIES[name]()
        assert sum(p.numel() for p in module.parameters()) == params, name


def test_nnref_models_lists_them(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in PUBLISHED) and "86,567,656" in out


def test_bad_names_and_seeds():
    with pytest.raises(ValueError, match="unknown model 'vit'"):
        torch_zoo.build("vit")
    with pytest.raises(TypeError, match="seed='0'"):
        torch_module("vit_b_16", seed="0")


def test_the_seed_decides_the_weights():
    a, b = torch_module("gpt2_small_block", 1), torch_module("gpt2_small_block", 1)
    c = torch_module("gpt2_small_block", 2)
    assert torch.equal(a.attn.c_attn.weight, b.attn.c_attn.weight)
    assert not torch.equal(a.attn.c_attn.weight, c.attn.c_attn.weight)


SMALL = {  # the same code at a size a test can run: outputs against torch
    "vit": (lambda: VisionTransformer(32, 8, 2, 4, 32, 64, 10), (2, 3, 32, 32)),
    "gpt2": (lambda: Block(32, 4), (2, 16, 32)),
    "convnext": (lambda: ConvNeXt(((8, 16, 1), (16, None, 2)), 0.1, 10), (2, 3, 32, 32)),
}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_small_versions_convert_and_compute_what_torch_computes(name):
    factory, shape = SMALL[name]
    torch.manual_seed(0)
    module = factory().double().eval()
    x = torch.randn(shape, dtype=torch.float64)
    graph = nnref.from_torch(module, x)
    y, report = graph(x.numpy())
    with torch.no_grad():
        assert_close_torch(y, module(x))
    assert set(graph.state_dict()) == set(module.state_dict())
    closed = sum((formulas.for_layer(s.layer, s.input_shape) for s in graph.plan(shape)),
                 OpCounts())
    assert report.total == closed and np.isfinite(y).all()


@pytest.mark.parametrize("name", sorted(SMALL))
def test_the_real_tools_on_the_small_versions_are_what_nnref_reproduces(name):
    """THOP, ptflops, fvcore and FlopCounterMode on the torch module: each total and each
    leaf module's number equal nnref's reproduction on the converted graph (MHA's fast
    path, SDPA, LayerNorm, GELU and the layer scale included)."""
    from conftest import need
    from test_tools_live import assert_reproduced

    for tool in ("thop", "ptflops", "fvcore"):
        need(tool)
    factory, shape = SMALL[name]
    torch.manual_seed(0)
    module = factory().eval()
    x = torch.randn(shape)
    assert_reproduced(nnref.from_torch(module, x).plan(shape), module, x)


def test_the_cli_counts_one_by_name_at_another_input_shape(capsys):
    """GPT-2's block at 16 tokens, every mul by the README's rules: the products (c_attn
    3·768², c_proj 768², the MLP 8·768² per token; QKᵀ and A·V 2·64 per score of 12·16·16,
    dense), the score scale (1 per score), two LayerNorms with γ (3 per element) and
    GELU(tanh) (7 per element of 16·3072)."""
    assert main(["count", "gpt2_small_block", "--input", "1,16,768", "--format", "json"]) == 0
    out = capsys.readouterr().out
    scores = 12 * 16 * 16
    products = 16 * 12 * 768 * 768 + 2 * 64 * scores
    want = products + scores + 2 * 3 * 16 * 768 + 7 * 16 * 3072
    assert json.loads(out)["total"]["mul"] == want
    assert main(["count", "gpt2_small_block", "--input", "1,16,7"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nnref: error: from_torch: Block cannot run") and "\n" not in err
