"""Closed forms for interpolation: Upsample (and UpsamplingNearest2d, UpsamplingBilinear2d).

Notes
-----
``nearest`` and ``nearest-exact`` copy one input per output: no arithmetic (their source
index is index arithmetic). The linear modes compute, once per call and per spatial axis
whose size changes (input size I, output size O ≠ I):

* the ratio r: div 1 (``1/scale_factor``, ``I/O``, or ``(I − 1)/(O − 1)`` with
  ``align_corners``; none when ``align_corners`` and O = 1, where r = 0);
* for each of the O output rows, columns or slices, the source coordinate and the two
  weights, ``s = max((j + 0.5)·r − 0.5, 0)``, ``λ₁ = max(s − ⌊s⌋, 0)``, ``λ₀ = 1 − λ₁``:
  add 1, mul 1, sub 3, cmp 2; with ``align_corners``, ``s = j·r``: mul 1, sub 2, cmp 1.
  (``⌊s⌋``, a float32 floor as in torch, and the index clamps are not counted.)

An axis whose size does not change costs nothing there (weights 1 and 0). Then every
output element blends along each of the mode's n axes, nested as torch does,
``y = t(i₀)·λ₀ + t(i₁)·λ₁``, ``t`` the blend of the next axis, also along the axes whose
size does not change (so a NaN or an infinity spreads as in torch):

    linear (n = 1): mul 2, add 1;  bilinear (n = 2): mul 6, add 3;  trilinear: mul 14, add 7

(``mul 2^(n+1) − 2``, ``add 2^n − 1``). Everything is Python ints.
"""
from math import prod

from ..core.opcounts import OpCounts
from ..core.validate import check_bool, check_shape, check_str
from ._registry import formula

NEAREST = ("nearest", "nearest-exact")
#: mode -> its number of spatial axes, and the blend of one output element.
BLEND = {"linear": (1, OpCounts(mul=2, add=1)), "bilinear": (2, OpCounts(mul=6, add=3)),
         "trilinear": (3, OpCounts(mul=14, add=7))}
#: align_corners -> the coordinate and weights of one output index.
COORDINATE = {False: OpCounts(add=1, mul=1, sub=3, cmp=2), True: OpCounts(mul=1, sub=2, cmp=1)}


def interpolate(input_shape, output_size, mode="nearest", align_corners=False) -> OpCounts:
    """Counts of interpolating an input of ``input_shape`` (N, C, *S) to spatial ``output_size``.

    Parameters
    ----------
    input_shape : tuple of int
        (N, C, *S); S has 1, 2 or 3 axes (exactly 1, 2, 3 for linear, bilinear, trilinear).
    output_size : tuple of int
        One output size per spatial axis.
    mode : {"nearest", "nearest-exact", "linear", "bilinear", "trilinear"}
    align_corners : bool

    Notes
    -----
    The module's rules give, with P = ∏ output sizes and the sum over the axes whose
    size changes,

        Σ_axes (div [not (align_corners and O = 1)] + O·coordinate) + N·C·P·blend.
    """
    owner = "interpolate"
    shape = check_shape(input_shape, owner)
    outs = check_shape(output_size, owner, "output_size")
    mode = check_str(mode, "mode", owner, NEAREST + tuple(BLEND))
    align_corners = check_bool(align_corners, "align_corners", owner)
    nd = BLEND[mode][0] if mode in BLEND else len(shape) - 2
    if len(shape) - 2 != nd or not 1 <= nd <= 3 or len(outs) != nd:
        raise ValueError(f"{owner}: input_shape={shape} and output_size={outs} are invalid for "
                         f"mode={mode!r}; expected {nd} spatial axes in both (1 to 3)")
    if mode in NEAREST:
        return OpCounts()
    coordinates = OpCounts()
    for i, o in zip(shape[2:], outs):
        if o != i:
            ratio = OpCounts() if align_corners and o == 1 else OpCounts(div=1)
            coordinates += ratio + COORDINATE[align_corners] * o
    return coordinates + BLEND[mode][1] * (shape[0] * shape[1] * prod(outs))


@formula("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d")
def upsample_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an Upsample) on ``input_shape``: :func:`interpolate`."""
    return interpolate(input_shape, layer.output_shape(input_shape)[2:], layer.mode,
                       bool(layer.align_corners))
