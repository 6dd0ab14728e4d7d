"""Every tool's rule for the activations ReLU, ReLU6, Hardtanh, LeakyReLU, Sigmoid, Tanh,
SiLU, Hardsigmoid, Hardswish.

THOP, fvcore and torch count none of them, TF only its arithmetic ops (SiLU's two Muls,
Hardsigmoid's AddV2 and RealDiv, Hardswish's Mul too), and ptflops counts the output
numel of the modules it hooks, twice for ReLU (module hook and patched F.relu), not at
all for Hardtanh, Hardsigmoid, Hardswish (no hook, unpatched functions).
nnref's counts: :func:`nnref.formulas.activation.activation`.
"""
from __future__ import annotations

from ._common import numel
from ._registry import hook_only, rule, zero

RELUS = ("ReLU", "ReLU6", "LeakyReLU")
SMOOTH = ("Sigmoid", "Tanh", "SiLU")
HARD = ("Hardtanh", "Hardsigmoid", "Hardswish")

rule("thop", "ReLU", "ReLU6")(zero("zero_ops: 0"))
rule("thop", "LeakyReLU")(zero("count_relu → calculate_relu_flops: 0"))
rule("thop", *SMOOTH, *HARD)(zero("no rule for the module: 0"))


@rule("ptflops", "ReLU")
def ptflops_relu(layer, shape_in, shape_out, call):
    """The relu hook counts the output numel; nn.ReLU's forward calls the patched F.relu."""
    if call != "module":
        return 0, "called as F.relu, no module hook", "F.relu"
    return numel(shape_out), "relu hook: output numel", "F.relu"


@rule("ptflops", "ReLU6")
def ptflops_relu6(layer, shape_in, shape_out, call):
    """nn.ReLU6 calls F.hardtanh (not patched); a call of F.relu6 is patched."""
    if call != "module":
        return 0, "called as F.relu6, no module hook", "F.relu6"
    return numel(shape_out), "relu hook: output numel (nn.ReLU6 calls F.hardtanh, not patched)", None


rule("ptflops", "LeakyReLU")(hook_only(
    lambda layer, shape_in, shape_out: (numel(shape_out),
                                        "relu hook: output numel (F.leaky_relu not patched)")))


@rule("ptflops", "SiLU")
def ptflops_silu(layer, shape_in, shape_out, call):
    """No module hook; nn.SiLU's forward (or a direct call) runs the patched F.silu."""
    return 0, "no module hook", "F.silu"


rule("ptflops", "Sigmoid")(hook_only(zero("no hook (torch.sigmoid is not patched): 0")))
rule("ptflops", "Tanh")(hook_only(zero("no hook (torch.tanh is not patched): 0")))
rule("ptflops", *HARD)(hook_only(zero("no hook (F.hardtanh, F.hardsigmoid, F.hardswish are "
                                     "not patched): 0")))
rule("ptflops_aten", *RELUS, *SMOOTH, *HARD)(zero("no aten.mm/addmm/bmm/convolution: 0"))

rule("fvcore", "ReLU")(zero("aten::relu: ignored op, 0"))
rule("fvcore", "ReLU6")(zero("aten::hardtanh: unsupported op, 0"))
rule("fvcore", "LeakyReLU")(zero("aten::leaky_relu: unsupported op, 0"))
rule("fvcore", "Sigmoid")(zero("aten::sigmoid: unsupported op, 0"))
rule("fvcore", "Tanh")(zero("aten::tanh: unsupported op, 0"))
rule("fvcore", "SiLU")(zero("aten::silu: unsupported op, 0"))
rule("fvcore", "Hardtanh")(zero("aten::hardtanh: unsupported op, 0"))
rule("fvcore", "Hardsigmoid")(zero("aten::hardsigmoid: unsupported op, 0"))
rule("fvcore", "Hardswish")(zero("aten::hardswish: unsupported op, 0"))

rule("torch", *RELUS, *SMOOTH, *HARD)(zero("no flop formula registered: 0"))

rule("tf", "ReLU")(zero("Relu: not registered, 0"))
rule("tf", "ReLU6")(zero("Relu6: not registered, 0"))
rule("tf", "LeakyReLU")(zero("LeakyRelu: not registered, 0"))
rule("tf", "Sigmoid")(zero("Sigmoid: not registered, 0"))
rule("tf", "Tanh")(zero("Tanh: not registered, 0"))


@rule("tf", "SiLU")
def tf_silu(layer, shape_in, shape_out):
    return 2 * numel(shape_in), "tf.nn.silu, x·sigmoid(β·x): Mul 2 per element"


rule("tf", "Hardtanh")(zero("ClipByValue (keras.ops.clip): not registered, 0"))


@rule("tf", "Hardsigmoid")
def tf_hardsigmoid(layer, shape_in, shape_out):
    return 2 * numel(shape_in), "keras hard_sigmoid, relu6(x + 3) / 6: AddV2 + RealDiv per element"


@rule("tf", "Hardswish")
def tf_hardswish(layer, shape_in, shape_out):
    return 3 * numel(shape_in), "keras hard_silu, x·hard_sigmoid(x): AddV2 + RealDiv + Mul per element"
