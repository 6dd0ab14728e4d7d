"""Every tool's rule for data movement: Identity, Flatten, Reshape, Dropout in inference,
Permute, Transpose, Contiguous, ChannelShuffle, Expand, Parameter (a tensor read in forward).

Nothing is computed, and no tool counts anything. nnref's counts:
:func:`nnref.formulas.reshape.reshape`.
"""
from __future__ import annotations

from ._registry import hook_only, rule, zero

CLASSES = ("Identity", "Flatten", "Reshape", "Dropout")
MOVES = ("Permute", "Transpose", "Contiguous", "ChannelShuffle")

rule("thop", "Identity")(zero("no rule for nn.Identity: 0"))
rule("thop", "Dropout")(zero("zero_ops: 0"))
rule("thop", "Flatten")(zero("no rule for nn.Flatten (or torch.flatten, not a module): 0"))
rule("thop", "Reshape")(zero("a reshape is no module: 0"))
rule("thop", *MOVES)(zero("no rule (a tensor method, or nn.ChannelShuffle): 0"))
rule("ptflops", *CLASSES, *MOVES)(hook_only(zero("no hook: 0")))
rule("ptflops_aten", *CLASSES, *MOVES)(zero("no aten.mm/addmm/bmm/convolution: 0"))
rule("fvcore", "Identity")(zero("no aten op: 0"))
rule("fvcore", "Dropout")(zero("aten::dropout: ignored op, 0"))
rule("fvcore", "Flatten")(zero("aten::flatten: ignored op, 0"))
rule("fvcore", "Reshape")(zero("aten::reshape/view: ignored op, 0"))
rule("fvcore", "Permute")(zero("aten::permute: ignored op, 0"))
rule("fvcore", "Transpose")(zero("aten::transpose: ignored op, 0"))
rule("fvcore", "Contiguous")(zero("aten::contiguous: ignored op, 0"))
rule("fvcore", "ChannelShuffle")(zero("aten::channel_shuffle: unsupported op, 0"))
rule("torch", *CLASSES, *MOVES)(zero("no flop formula registered: 0"))
rule("tf", *CLASSES, *MOVES)(zero("Reshape/Transpose/Identity: not registered, 0"))

# a tensor read in forward (fx's get_attr) is no module and no op: no hook, no aten op, no
# formula; torch.Tensor.expand is a view (aten::expand), counted by no tool
rule("thop", "Parameter")(zero("an attribute read is no module call: no hook, 0"))
rule("thop", "Expand")(zero("x.expand is a tensor method: no hook, 0"))
rule("ptflops", "Parameter", "Expand")(hook_only(zero("no hook: 0")))
rule("ptflops_aten", "Parameter", "Expand")(
    zero("no aten.mm/addmm/bmm/convolution (reading a tensor runs no op; aten.expand): 0"))
rule("fvcore", "Parameter")(zero("reading a tensor runs no aten op: 0"))
rule("fvcore", "Expand")(zero("aten::expand: ignored op (jit_analysis._IGNORED_OPS), 0"))
rule("torch", "Parameter", "Expand")(zero("no op (attribute read), aten.expand: no flop "
                                          "formula registered, 0"))
rule("tf", "Parameter", "Expand")(zero("a variable read (ReadVariableOp) and BroadcastTo: not "
                                       "registered, 0"))
