"""Every tool's rule for Cat, Chunk and Split (``torch.cat``, ``x.chunk``, ``x.split``).

Nothing is computed, and no tool counts anything: they are no modules, fvcore ignores
aten::cat, chunk and split, TF's ConcatV2 and Split are not registered. nnref's counts:
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
rule("tf", *CLASSES)(zero("ConcatV2/Split: not registered, 0"))
