"""Every tool's rule for Upsample, UpsamplingNearest2d and UpsamplingBilinear2d (torch's
``nn.Upsample``, its two subclasses, and ``F.interpolate`` called as a function).

Upsampling is counted five ways. THOP multiplies the output numel by 1 (nearest), 5
(linear) or 11 (bilinear), and counts trilinear and nearest-exact as 0. ptflops' module
hook (``nn.Upsample`` only, by exact type) counts the numel of the first sample's output,
and its patched ``F.interpolate``, which ``nn.Upsample.forward`` calls, counts again from
the call's arguments, in floats. fvcore counts 1 (nearest) or 4 (bilinear) per output of
the 2-D ops only. torch counts nothing, and the TF profiler only the scalar Mul of
each ``ops.repeat`` of Keras' nearest UpSampling. nnref's counts:
:func:`nnref.formulas.upsample.interpolate`.
"""
from __future__ import annotations

import numpy as np

from ._common import numel
from ._registry import rule, zero

CLASSES = ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d")
#: THOP's calculate_upsample: per output element, by mode (others: 0).
THOP = {"nearest": 1, "linear": 5, "bilinear": 11}
#: fvcore's handles: per output element, by aten op.
FVCORE = {("nearest", 2): 1, ("bilinear", 2): 4}


@rule("thop", *CLASSES)
def thop(layer, shape_in, shape_out):
    per = THOP.get(layer.mode, 0)
    if not per:
        return 0, f"count_upsample: mode {layer.mode!r} not implemented, 0"
    return per * numel(shape_out), f"count_upsample: {per} × out numel ({layer.mode})"


def _interpolate_wrapper(layer, shape_in) -> float:
    """ptflops' ``_interpolate_functional_flops_hook`` on the F.interpolate call (floats)."""
    nd = len(shape_in) - 2
    if layer.size is not None:
        size = layer.size
        return (numel(size) if isinstance(size, tuple) else size ** nd) * numel(shape_in[:2])
    sf = layer.scale_factor
    if isinstance(sf, tuple) and len(sf) == nd:
        return numel(shape_in) * int(np.prod(sf, dtype=np.int64))  # each factor truncated
    return numel(shape_in) * sf ** nd


@rule("ptflops", *CLASSES)
def ptflops(layer, shape_in, shape_out, call):
    """nn.Upsample's hook: numel(output[0]); every call runs the patched F.interpolate."""
    wrapper = ("F.interpolate", _interpolate_wrapper(layer, shape_in))
    how = "; F.interpolate: ∏size·N·C (size), in numel × factor^dims (scale)"
    if call != "module" or layer.kind != "Upsample":
        return (0, "no module hook (by exact type: nn.Upsample only)" + how, *wrapper)
    return (numel(shape_out[1:]), "upsample hook: numel(output[0])" + how, *wrapper)


rule("ptflops_aten", *CLASSES)(zero("aten.upsample_*: not counted, 0"))


@rule("fvcore", *CLASSES)
def fvcore(layer, shape_in, shape_out):
    nd = len(shape_in) - 2
    per = FVCORE.get((layer.mode, nd), 0)
    op = f"aten::upsample_{layer.mode.replace('-', '_')}{nd}d"
    if not per:
        return 0, f"{op}: unsupported op, 0"
    return per * numel(shape_out), f"{op}: {per} per output element"


rule("torch", *CLASSES)(zero("aten.upsample_*: no flop formula, 0"))
@rule("tf", *CLASSES)
def tf(layer, shape_in, shape_out):
    """Measured (TF 2.21, Keras 3.15): nearest with integer factors is Keras'
    UpSampling1D/2D/3D, one ``ops.repeat`` per spatial axis, each a scalar Mul (repeats ×
    the axis size) beside the unregistered Tile/Reshape: 1 per spatial axis. Bilinear
    (UpSampling2D's ``ops.image.resize``, its new size from static Python ints), a ``size``
    that is no integer multiple (``ops.image.resize``) and align_corners
    (``resize_bilinear``): ResizeNearestNeighbor/ResizeBilinear, not registered, 0."""
    nd = len(shape_in) - 2
    whole = all(o >= i and o % i == 0 for o, i in zip(shape_out[2:], shape_in[2:]))
    if layer.mode == "nearest" and whole:
        return nd, f"UpSampling{nd}D: ops.repeat per axis, 1 scalar Mul each ({nd})"
    return 0, "ResizeNearestNeighbor/ResizeBilinear (ops.image.resize): not registered, 0"
