"""Every tool's rule for Embedding (torch's ``nn.Embedding``): a gather.

No tool counts it, except TF, whose Keras Embedding counts two integer ops per index
(Keras 3's ``take`` maps negative indices: Less and AddV2, before GatherV2). nnref's
counts: :func:`nnref.formulas.embedding.embedding`. Checked live against THOP, ptflops,
fvcore and FlopCounterMode in tests/test_conventions_norm_activation.py; the TF rule
(Keras 3's ``take`` in ``keras/src/backend/tensorflow/numpy.py``) against the profiler,
TF 2.21 and Keras 3.15 (``tests/data/tf_profiler.json``).
"""
from __future__ import annotations

from ._common import numel
from ._registry import hook_only, rule, zero

rule("thop", "Embedding")(zero("no rule for nn.Embedding: 0"))
rule("ptflops", "Embedding")(hook_only(zero("no hook (F.embedding not patched): 0")))
rule("ptflops_aten", "Embedding")(zero("no aten.mm/addmm/bmm/convolution: 0"))
rule("fvcore", "Embedding")(zero("aten::embedding: unsupported op, 0"))
rule("torch", "Embedding")(zero("no flop formula registered: 0"))


@rule("tf", "Embedding")
def tf(layer, shape_in, shape_out):
    """keras.layers.Embedding: ops.take, where(i < 0, i + rows, i) then GatherV2."""
    return 2 * numel(shape_in), "Less, AddV2 per index (integer ops), GatherV2 not registered"
