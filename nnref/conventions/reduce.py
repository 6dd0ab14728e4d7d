"""Every tool's rule for Mean (``x.mean(dims)``, ``torch.mean``).

No tool but TF counts it: it is no module (THOP, ptflops' hooks), ptflops does not patch
it, fvcore reports aten::mean as unsupported, torch has no formula; TF's Mean counts one
per input element. nnref's counts: :func:`nnref.formulas.reduce.mean`.
"""
from __future__ import annotations

from ._common import numel
from ._registry import hook_only, rule, zero

rule("thop", "Mean")(zero("a tensor mean is no module: 0"))
rule("ptflops", "Mean")(hook_only(zero("no module hook (mean is not patched): 0")))
rule("ptflops_aten", "Mean")(zero("no aten.mm/addmm/bmm/convolution: 0"))
rule("fvcore", "Mean")(zero("aten::mean: unsupported op, 0"))
rule("torch", "Mean")(zero("no flop formula registered: 0"))


@rule("tf", "Mean")
def tf(layer, shape_in, shape_out):
    return numel(shape_in), "Mean: 1 per input element (n − 1 adds + 1 div per output)"
