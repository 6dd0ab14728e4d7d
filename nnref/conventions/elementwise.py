"""Every tool's rule for Add (a tensor ``+``, as in a residual join).

A ``+`` is no module, so THOP and ptflops' hooks never see it; fvcore reports aten::add
as unsupported; TF counts an AddV2, 1 per output element. nnref's counts:
:func:`nnref.formulas.elementwise.add`.
"""
from __future__ import annotations

from ._common import numel
from ._registry import hook_only, rule, zero

rule("thop", "Add")(zero("a tensor + is no module: 0"))
rule("ptflops", "Add")(hook_only(zero("tensor + is not patched (torch.add would count numel): 0")))
rule("ptflops_aten", "Add")(zero("no aten.mm/addmm/bmm/convolution: 0"))
rule("fvcore", "Add")(zero("aten::add: unsupported op, 0"))
rule("torch", "Add")(zero("no flop formula registered: 0"))


@rule("tf", "Add")
def tf(layer, shape_in, shape_out):
    return numel(shape_out), "AddV2: 1 per output element"
