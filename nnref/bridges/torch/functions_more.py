"""The torch calls of the layers after the CNN era, in the table of :mod:`.functions`:
GELU, ELU, Softplus, Mish, products (``@``, ``matmul``, ``mm``, ``bmm``, ``baddbmm``,
``F.linear``), fused attention (``F.scaled_dot_product_attention``), ``F.interpolate``, and
the selection ``x[:, i]``. One line per call, as there.
"""
from __future__ import annotations

import operator

from ...layers import LAYERS
from ._common import F, Unsupported, refuse, torch
from .functions import Ref, function, method, unary


def _refs(a, *names):
    out = []
    for name in names:
        if not isinstance(a[name], Ref):
            raise refuse(name, a[name], "a tensor")
        out.append(a[name])
    if len({r.dtype for r in out}) > 1:
        raise Unsupported(f"operands of dtypes {', '.join(r.dtype for r in out)} are not "
                          "supported (torch promotes); expected one dtype")
    return out


def _product(kind: str, *names):
    def build(a):
        if a.get("out") is not None:
            raise refuse("out", "<tensor>", "None")
        return LAYERS[kind](), _refs(a, *names)

    return build


def _baddbmm(a):
    if a.get("out") is not None:
        raise refuse("out", "<tensor>", "None")
    return (LAYERS["BAddBMM"](beta=a["beta"], alpha=a["alpha"]),
            _refs(a, "input", "batch1", "batch2"))


def _linear(a):
    names = ("input", "weight") + (("bias",) if a["bias"] is not None else ())
    return LAYERS["FunctionalLinear"](a["bias"] is not None), _refs(a, *names)


def _sdpa(a):
    if a["attn_mask"] is not None:
        raise refuse("attn_mask", "<tensor>", "None (a mask computed in forward; give "
                     "is_causal=True, or build the nnref layer with the mask)")
    layer = LAYERS["ScaledDotProductAttention"](None, a["dropout_p"], a["is_causal"], a["scale"],
                                                a["enable_gqa"])
    return layer, _refs(a, "query", "key", "value")


def _interpolate(a):
    if a["antialias"]:
        raise refuse("antialias", True, "False")
    layer = LAYERS["Upsample"](a["size"], a["scale_factor"], a["mode"], a["align_corners"],
                               a["recompute_scale_factor"])
    return layer, _refs(a, "input")


function(F.gelu, "input approximate='none'", unary("GELU", "approximate"))
function(F.elu, "input alpha=1.0 inplace=False", unary("ELU", "alpha", inplace=False))
function(F.softplus, "input beta=1.0 threshold=20.0", unary("Softplus", "beta", "threshold"))
function(F.mish, "input inplace=False", unary("Mish", inplace=False))
for _f in (torch.matmul, operator.matmul):
    function(_f, "input other out=None", _product("MatMul", "input", "other"))
function(torch.mm, "input mat2 out=None", _product("MatMul", "input", "mat2"))
method("matmul", "input other", _product("MatMul", "input", "other"))
method("mm", "input mat2", _product("MatMul", "input", "mat2"))
function(torch.bmm, "input mat2 out=None", _product("BatchMatMul", "input", "mat2"))
method("bmm", "input mat2", _product("BatchMatMul", "input", "mat2"))
function(torch.baddbmm, "input batch1 batch2 beta=1 alpha=1 out=None", _baddbmm)
method("baddbmm", "input batch1 batch2 beta=1 alpha=1", _baddbmm)
function(F.linear, "input weight bias=None", _linear)
function(F.scaled_dot_product_attention, "query key value attn_mask=None dropout_p=0.0 "
         "is_causal=False scale=None enable_gqa=False", _sdpa)
function(F.interpolate, "input size=None scale_factor=None mode='nearest' align_corners=None "
         "recompute_scale_factor=None antialias=False", _interpolate)


def selected_axis(x: Ref, index) -> tuple:
    """``(axis, i)`` of ``x[index]`` when the index picks one position of one axis, every
    other axis kept whole (``x[:, 0]``, ``x[2]``, ``x[..., -1]``): the layers of that
    selection are a Split into pieces of 1 and a Reshape dropping the axis (0 arithmetic).
    Anything else (slices with bounds, tensors, None) is refused."""
    items = list(index) if isinstance(index, tuple) else [index]
    if items.count(Ellipsis) > 1:
        raise Unsupported(f"index {index!r}: expected at most one ...")
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at:at + 1] = [slice(None)] * (len(x.shape) - len(items) + 1)
    picks = [(d, i) for d, i in enumerate(items) if not (isinstance(i, slice) and i == slice(None))]
    if len(items) > len(x.shape) or len(picks) != 1 or isinstance(picks[0][1], bool) or \
            not isinstance(picks[0][1], int):
        raise Unsupported(f"indexing or slicing x[{index!r}] is not supported; expected one integer "
                          "index, the other axes whole (such as x[:, 0])")
    axis, i = picks[0]
    return axis, range(x.shape[axis])[i]  # negative too; an IndexError as torch's
