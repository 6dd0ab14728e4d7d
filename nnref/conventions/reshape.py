"""Every tool's rule for data movement: Identity, Flatten, Reshape and Dropout in inference.

Nothing is computed, and no tool counts anything. nnref's counts:
:func:`nnref.formulas.reshape.reshape`.
"""
from __future__ import annotations

from ._registry import hook_only, rule, zero

CLASSES = ("Identity", "Flatten", "Reshape", "Dropout")

rule("thop", "Identity")(zero("no rule for nn.Identity: 0"))
rule("thop", "Dropout")(zero("zero_ops: 0"))
rule("thop", "Flatten")(zero("no rule for nn.Flatten (or torch.flatten, not a module): 0"))
rule("thop", "Reshape")(zero("a reshape is no module: 0"))
rule("ptflops", *CLASSES)(hook_only(zero("no hook: 0")))
rule("ptflops_aten", *CLASSES)(zero("no aten.mm/addmm/bmm/convolution: 0"))
rule("fvcore", "Identity")(zero("no aten op: 0"))
rule("fvcore", "Dropout")(zero("aten::dropout: ignored op, 0"))
rule("fvcore", "Flatten")(zero("aten::flatten: ignored op, 0"))
rule("fvcore", "Reshape")(zero("aten::reshape: ignored op, 0"))
rule("torch", *CLASSES)(zero("no flop formula registered: 0"))
rule("tf", *CLASSES)(zero("Reshape/Identity: not registered, 0"))
