"""Every tool's rule for Add, Sub, Mul, Div (a tensor ``+``, ``torch.mul``, ``x / 6``, ...).

None is a module, so THOP and ptflops' module hooks never see them; ptflops patches
``torch.add``, ``Tensor.add``, ``torch.mul`` and ``Tensor.mul`` (not the operators ``+``,
``*``, nor sub or div), fvcore reports aten::add/sub/mul/div as unsupported, torch has no
formula, TF counts one AddV2/Sub/Mul/RealDiv per output element. nnref's counts:
:func:`nnref.formulas.elementwise.binary`.
"""
from __future__ import annotations

from ._common import numel
from ._registry import rule, zero

CLASSES = ("Add", "Sub", "Mul", "Div")
_ATEN = {"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div"}
_TF = {"Add": "AddV2", "Sub": "Sub", "Mul": "Mul", "Div": "RealDiv"}

rule("thop", *CLASSES)(zero("a tensor operation is no module: 0"))
rule("ptflops_aten", *CLASSES)(zero("no aten.mm/addmm/bmm/convolution: 0"))
rule("torch", *CLASSES)(zero("no flop formula registered: 0"))


def _ptflops_numel(shape_in, shape_out) -> int:
    """ptflops' ``_elementwise_tensor_flops_hook``: the numel of a tensor and a number; for
    two tensors, per axis the larger size, axes aligned from the left (as its code does)."""
    if len(shape_in) != 2 or not isinstance(shape_in[0], tuple):
        return numel(shape_out)
    a, b = shape_in
    return numel(max(a[i] if i < len(a) else 1, b[i] if i < len(b) else 1)
                 for i in range(max(len(a), len(b))))


@rule("ptflops", *CLASSES)
def ptflops(layer, shape_in, shape_out, call):
    """No module; ``torch.add``/``Tensor.add``/``torch.mul``/``Tensor.mul`` are patched."""
    name = _ATEN[layer.kind]
    if layer.kind in ("Add", "Mul") and call in ("function", "method"):
        patched = f"torch.{name}" if call == "function" else f"Tensor.{name}"
        return 0, "no module hook", patched, _ptflops_numel(shape_in, shape_out)
    return 0, f"{'an operator' if call == 'operator' else name} is not patched: 0", None


@rule("fvcore", *CLASSES)
def fvcore(layer, shape_in, shape_out):
    return 0, f"aten::{_ATEN[layer.kind]}: unsupported op, 0"


@rule("tf", *CLASSES)
def tf(layer, shape_in, shape_out):
    return numel(shape_out), f"{_TF[layer.kind]}: 1 per output element"
