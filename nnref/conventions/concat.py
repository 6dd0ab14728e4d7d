"""Every tool's rule for Cat, Chunk and Split (``torch.cat``, ``x.chunk``, ``x.split``).

Nothing is computed, and no tool counts the data movement: they are no modules, fvcore
ignores aten::cat, chunk and split, TF's ConcatV2, Split and SplitV are not registered;
TF counts only the integer Subs that turn unequal pieces' cut indices into sizes. nnref's counts:
:func:`nnref.formulas.concat.concat`.
"""
from __future__ import annotations

from ._registry import hook_only, rule, zero

CLASSES = ("Cat", "Chunk", "Split")

rule("thop", *CLASSES)(zero("a tensor function is no module: 0"))
rule("ptflops", *CLASSES)(hook_only(zero("no hook, not patched: 0")))
rule("ptflops_aten", *CLASSES)(zero("no aten.mm/addmm/bmm/convolution: 0"))
rule("fvcore", "Cat")(zero("aten::cat: ignored op, 0"))
rule("fvcore", "Chunk")(zero("aten::chunk: ignored op, 0"))
rule("fvcore", "Split")(zero("aten::split: ignored op, 0"))
rule("torch", *CLASSES)(zero("no flop formula registered: 0"))
rule("tf", "Cat")(zero("ConcatV2: not registered, 0"))


@rule("tf", "Chunk", "Split")
def tf(layer, shape_in, shape_out):
    """Equal pieces: ``keras.ops.split(x, pieces, axis)`` → Split, not registered (0).
    Unequal ones: ``ops.split(x, indices, axis)``, whose TF backend turns the k − 1 cut
    indices into k sizes with ``total − indices[-1:]`` and ``diff(indices)``: k − 1 scalar
    Subs (integer), before a SplitV (not registered)."""
    d = layer.bounds(shape_in)[0]
    sizes = layer._sizes(shape_in[d], shape_in)
    if len(set(sizes)) == 1:
        return 0, "ops.split(x, pieces): Split not registered, 0"
    return len(sizes) - 1, "ops.split(x, indices): 1 Sub per cut (piece sizes), SplitV 0"
