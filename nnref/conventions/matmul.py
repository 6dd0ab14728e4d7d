"""Every tool's rule for MatMul, BatchMatMul, BAddBMM and FunctionalLinear (torch's
``matmul``/``@``/``mm``, ``bmm``, ``baddbmm`` and ``F.linear``), checked live.

None is a module, so THOP never sees them. ptflops 0.7.5 patches ``torch.matmul``,
``Tensor.matmul``, ``mm``, ``bmm`` and ``torch.baddbmm`` (with ``count_functional``), each
counting ``input numel × other.shape[-1]``, which misses the broadcast of ``other`` over
``input``'s batch; the ``@`` operator and ``F.linear`` are not patched. fvcore's
``aten::matmul`` handle counts the same ``input numel × N``, fails with an IndexError on a
1-D right operand, and has no ``aten::baddbmm`` handle. torch's FlopCounterMode and
ptflops' aten backend see the ATen ops ``matmul`` dispatches to: ``mm`` and ``bmm`` (the
broadcast expanded) are counted, ``mv`` and ``dot`` (a 1-D right operand, or a 1-D weight
of ``F.linear``) are not. A layer whose call kind is not known (``"module"``) is taken as
the function call (``torch.matmul``). nnref's counts: :mod:`nnref.formulas.matmul`.
"""
from __future__ import annotations

from ..core.shapes import matmul_out
from ._common import numel
from ._registry import rule, zero

CLASSES = ("MatMul", "BatchMatMul", "BAddBMM", "FunctionalLinear")

rule("thop", *CLASSES)(zero("not a module: no hook, 0"))


def _operands(layer, shape_in) -> tuple:
    """(input, other) of the product: the last two operands of BAddBMM."""
    return tuple(shape_in[-2:]) if layer.kind == "BAddBMM" else tuple(shape_in[:2])


def macs(layer, shape_in) -> int:
    """The exact products: output numel × inner size (F.linear: rows × I × O)."""
    if layer.kind == "FunctionalLinear":
        x, w = shape_in[:2]
        return numel(x) * numel(w[:-1])
    *_, k, _, out = matmul_out(layer.kind, *_operands(layer, shape_in))
    return numel(out) * k


def _wrapper(a, b) -> int:
    """ptflops' ``_matmul_tensor_flops_hook``: ``input numel × other.shape[-1]``."""
    return numel(a) * b[-1]


@rule("ptflops", "MatMul")
def ptflops_matmul(layer, shape_in, shape_out, call):
    if call == "operator":
        return 0, "a @ b: Tensor.__matmul__ is not patched, 0", None
    a, b = shape_in
    return 0, "no module; torch.matmul: input numel × other.shape[-1]", "torch.matmul", _wrapper(a, b)


@rule("ptflops", "BatchMatMul")
def ptflops_bmm(layer, shape_in, shape_out, call):
    a, b = shape_in
    return 0, "no module; torch.bmm: input numel × mat2.shape[-1]", "torch.bmm", _wrapper(a, b)


@rule("ptflops", "BAddBMM")
def ptflops_baddbmm(layer, shape_in, shape_out, call):
    """``_addmm_tensor_flops_hook``: batch1 numel × batch2.shape[-1], + input numel unless
    beta = 0; ``Tensor.baddbmm`` is not patched."""
    if call == "method":
        return 0, "x.baddbmm(...): Tensor.baddbmm is not patched, 0", None
    c, a, b = shape_in
    count = _wrapper(a, b) + (numel(c) if layer.beta != 0 else 0)
    return (0, "no module; torch.baddbmm: batch1 numel × P + input numel if beta ≠ 0",
            "torch.baddbmm", count)


@rule("ptflops", "FunctionalLinear")
def ptflops_linear(layer, shape_in, shape_out, call):
    return 0, "F.linear is not patched (its wrapper is commented out in 0.7.5): 0", None


def _dispatched(layer, shape_in) -> bool:
    """Whether ATen runs the product as mm/bmm/addmm (counted), not mv or dot (not counted)."""
    return len(shape_in[1]) > 1 if layer.kind != "BAddBMM" else True


@rule("ptflops_aten", "MatMul", "BatchMatMul")
def ptflops_aten_matmul(layer, shape_in, shape_out):
    if not _dispatched(layer, shape_in):
        return 0, "aten.mv/aten.dot (1-D other): not counted, 0"
    return macs(layer, shape_in), "aten.mm/aten.bmm (broadcast expanded): out numel × K"


rule("ptflops_aten", "BAddBMM")(zero("aten.baddbmm: not counted, 0"))


@rule("ptflops_aten", "FunctionalLinear")
def ptflops_aten_linear(layer, shape_in, shape_out):
    if not _dispatched(layer, shape_in):
        return 0, "aten.mv (1-D weight): not counted, 0"
    if layer.bias:
        return macs(layer, shape_in) + numel(shape_out), "aten.addmm: rows·I·O + bias 1 per output"
    return macs(layer, shape_in), "aten.mm: rows·I·O"


@rule("fvcore", "MatMul")
def fvcore_matmul(layer, shape_in, shape_out):
    a, b = shape_in
    if len(b) == 1:
        return 0, ("aten::matmul: matmul_flop_jit reads other.shape[-2] of a 1-D other and "
                   "raises IndexError: the analysis fails")
    return numel(a) * b[-1], "aten::matmul: input numel × N (other's broadcast missed)"


@rule("fvcore", "BatchMatMul")
def fvcore_bmm(layer, shape_in, shape_out):
    return macs(layer, shape_in), "aten::bmm: B·N·M·P"


rule("fvcore", "BAddBMM")(zero("aten::baddbmm: unsupported op, 0"))


@rule("fvcore", "FunctionalLinear")
def fvcore_linear(layer, shape_in, shape_out):
    x, w = shape_in[:2]
    return numel(x) * w[0], "aten::linear: input numel × weight.shape[0]; bias ignored"


@rule("torch", *CLASSES)
def torch(layer, shape_in, shape_out):
    if not _dispatched(layer, shape_in):
        return 0, "aten.mv/aten.dot: no flop formula, 0"
    return 2 * macs(layer, shape_in), "aten.mm/bmm/addmm/baddbmm: 2 per MAC; bias, alpha, beta 0"


@rule("tf", "MatMul", "BatchMatMul")
def tf_matmul(layer, shape_in, shape_out):
    return 2 * macs(layer, shape_in), "MatMul/BatchMatMulV2: 2 × K × out numel (1-D expanded)"


@rule("tf", "BAddBMM")
def tf_baddbmm(layer, shape_in, shape_out):
    """A port writing nnref's blend, ``beta * c + alpha * ops.matmul(a, b)`` (measured, TF
    2.21): BatchMatMulV2 2 × K × out numel; Mul by alpha unless 1, 1 per output element; Mul
    by beta unless 0 or 1, 1 per element of c itself (before the broadcast); AddV2 unless
    beta = 0, 1 per output element."""
    n, c = numel(shape_out), numel(shape_in[0])
    blend = n * ((layer.alpha != 1) + (layer.beta != 0)) + c * (layer.beta not in (0, 1))
    return 2 * macs(layer, shape_in) + blend, ("BatchMatMulV2 2 × K × out numel + Mul α, AddV2 "
                                               "per output + Mul β per element of c")


@rule("tf", "FunctionalLinear")
def tf_linear(layer, shape_in, shape_out):
    b = numel(shape_out) if layer.bias else 0
    why = "ops.matmul(x, ops.transpose(w)): MatMul 2 × rows × I × O"
    return 2 * macs(layer, shape_in) + b, why + (" + AddV2 of b 1 per output" if b else "")
