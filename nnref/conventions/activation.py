"""Every tool's rule for the activations ReLU, ReLU6, Hardtanh, LeakyReLU, Sigmoid, Tanh,
SiLU, Hardsigmoid, Hardswish, GELU, ELU, PReLU, Softplus, Mish.

THOP, fvcore and torch count (almost) none of them (THOP counts PReLU's numel), TF only
the arithmetic ops they are built of (SiLU's two Muls, Hardtanh's Minimum and Maximum, Hardsigmoid's AddV2 and RealDiv,
GELU's Muls and Adds, ...), and ptflops counts the output numel of the modules it hooks,
twice for ReLU, GELU, ELU and PReLU (module hook and patched F.relu, F.gelu, ...), not at
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


@rule("tf", "Hardtanh")
def tf_hardtanh(layer, shape_in, shape_out):
    """keras.ops.clip → tf.clip_by_value, which TF 2 builds as Minimum then Maximum (not the
    ClipByValue op): both registered, 1 per element each."""
    return 2 * numel(shape_in), "ops.clip: Minimum + Maximum per element"


@rule("tf", "Hardsigmoid")
def tf_hardsigmoid(layer, shape_in, shape_out):
    return 2 * numel(shape_in), "keras hard_sigmoid, relu6(x + 3) / 6: AddV2 + RealDiv per element"


@rule("tf", "Hardswish")
def tf_hardswish(layer, shape_in, shape_out):
    return 3 * numel(shape_in), "keras hard_silu, x·hard_sigmoid(x): AddV2 + RealDiv + Mul per element"


# -- GELU, ELU, PReLU, Softplus, Mish --------------------------------------------------------
# Checked live against THOP, ptflops, fvcore and FlopCounterMode in
# tests/test_conventions_norm_activation.py; the TF rules against the profiler (TF 2.21,
# Keras 3.15: tests/data/tf_profiler.json).

MORE = ("GELU", "ELU", "PReLU", "Softplus", "Mish")

rule("thop", "GELU", "ELU", "Softplus", "Mish")(zero("no rule for the module: 0"))


@rule("thop", "PReLU")
def thop_prelu(layer, shape_in, shape_out):
    return numel(shape_in), "count_prelu (eval): input numel"


def _hook_and_patched(function: str):
    """ptflops: the relu hook on the module, and ``function`` patched, which its forward calls."""

    def ptflops_rule(layer, shape_in, shape_out, call):
        if call != "module":
            return 0, f"called as {function}, no module hook", function
        return numel(shape_out), "relu hook: output numel", function

    return ptflops_rule


rule("ptflops", "GELU")(_hook_and_patched("F.gelu"))
rule("ptflops", "ELU")(_hook_and_patched("F.elu"))
rule("ptflops", "PReLU")(_hook_and_patched("F.prelu"))
rule("ptflops", "Softplus")(hook_only(zero("no hook (F.softplus not patched): 0")))
rule("ptflops", "Mish")(hook_only(zero("no hook (F.mish not patched): 0")))
rule("ptflops_aten", *MORE)(zero("no aten.mm/addmm/bmm/convolution: 0"))
for _name, _op in (("GELU", "gelu"), ("ELU", "elu"), ("PReLU", "prelu"), ("Softplus", "softplus"),
                   ("Mish", "mish")):
    rule("fvcore", _name)(zero(f"aten::{_op}: unsupported op, 0"))
rule("torch", *MORE)(zero("no flop formula registered: 0"))


@rule("tf", "GELU")
def tf_gelu(layer, shape_in, shape_out):
    """tf.nn.gelu (keras.activations.gelu): 0.5·x·erfc(−x / √2), or
    0.5·x·(1 + tanh(0.797…·(x + 0.044715·x³))); Erfc and Tanh are not registered."""
    n = numel(shape_in)
    if layer.approximate == "tanh":
        return 7 * n, "tf.nn.gelu(approximate=True): Pow, Mul ×4, AddV2 ×2 per element"
    return 4 * n, "tf.nn.gelu: Neg, Mul ×3 per element (Erfc not registered)"


@rule("tf", "ELU")
def tf_elu(layer, shape_in, shape_out):
    """Keras 3: tf.nn.elu (Elu, not registered), and for α ≠ 1 where(x > 0, elu, α·elu)."""
    if layer.alpha == 1:
        return 0, "Elu: not registered, 0"
    return 2 * numel(shape_in), "Elu, then Greater and Mul per element (α != 1)"


@rule("tf", "PReLU")
def tf_prelu(layer, shape_in, shape_out):
    """Keras 3's PReLU: relu(x) + (−α)·relu(−x), α of shape (1, ..., C) or shared."""
    return (3 * numel(shape_in) + layer.num_parameters,
            "Neg, Mul, AddV2 per element, Neg per slope (Relu not registered)")


@rule("tf", "Softplus")
def tf_softplus(layer, shape_in, shape_out):
    """tf.math.softplus (Softplus, not registered, with its own threshold); a β other than 1
    as softplus(β·x) / β."""
    if layer.beta == 1:
        return 0, "Softplus: not registered, 0"
    return 2 * numel(shape_in), "Mul, Softplus, RealDiv per element (β != 1)"


@rule("tf", "Mish")
def tf_mish(layer, shape_in, shape_out):
    """keras.activations.mish: x · tanh(softplus(x))."""
    return numel(shape_in), "Softplus, Tanh (not registered), Mul per element"
