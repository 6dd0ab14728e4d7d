"""Every tool's rule for AdaptiveMaxPool1d/2d/3d and AdaptiveAvgPool1d/2d/3d.

THOP estimates the average's window from the sizes, fvcore counts one per input
element (2-D only), ptflops the input numel twice, TF a Mean for global pooling.
nnref's counts: :mod:`nnref.formulas.adaptive`.
"""
from __future__ import annotations

from ..core.shapes import adaptive_total
from ._common import numel
from ._registry import rule, zero
from .pool import ptflops

MAX = ("AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d")
AVG = ("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d")

rule("thop", *MAX)(zero("zero_ops: max pooling counted 0"))


@rule("thop", *AVG)
def thop_avg(layer, shape_in, shape_out):
    """(∏ in/out as float64 + 1) × out numel, truncated by int(), as THOP computes it."""
    kernel = 1.0
    for i, o in zip(shape_in[2:], shape_out[2:], strict=True):
        kernel *= float(i) / float(o)
    return (int((kernel + 1.0) * numel(shape_out)),
            "count_adap_avgpool: (∏(in/out) adds + 1 div) × out numel")


rule("ptflops", *MAX, *AVG)(ptflops)  # as every pool: hook on the input numel + F.adaptive_*
rule("ptflops_aten", *MAX, *AVG)(zero("no aten.mm/addmm/bmm/convolution: 0"))


@rule("fvcore", *MAX, *AVG)
def fvcore(layer, shape_in, shape_out):
    if layer.kind == "AdaptiveAvgPool2d":
        return numel(shape_in), "aten::adaptive_avg_pool2d: 1 per input element"
    op = f"aten::adaptive_{'max' if 'Max' in layer.kind else 'avg'}_pool{layer.kind[-2:]}"
    return 0, f"{op}: unsupported op, 0"


rule("torch", *MAX, *AVG)(zero("no flop formula registered: 0"))


def _keras_adaptive(shape_in, shape_out, n) -> int | None:
    """Float ops of Keras 3's ``Adaptive{Average,Max}Pooling{n}D`` (TF backend), or None
    where Keras cannot take the sizes.

    Keras pools each axis in turn with two stride-1 windows, small = ⌈in/out⌉ and
    big = small + 1, then gathers the windows torch would use; the gather indices come
    from 9 float ops per output position of the axis (Mul, RealDiv and Minimum twice,
    Sub, Equal, AddV2). A 2-d pool op counts kernel area × out numel; 1-d ones run as
    2-d; AvgPool3D/MaxPool3D are not registered (0). Keras fails ("negative dimension")
    when the big window is wider than the input.
    """
    shape = list(shape_in)
    ops = 0
    for a in range(len(shape) - n, len(shape)):
        i, o = shape[a], shape_out[a]
        small = -(-i // o)
        if small + 1 > i:
            return None
        ops += 9 * o
        if n < 3:
            for w in (small, small + 1):
                ops += w * numel(shape[:a] + [i - w + 1] + shape[a + 1:])
        shape[a] = o
    return ops


@rule("tf", *MAX, *AVG)
def tf(layer, shape_in, shape_out):
    """The ops of a Keras 3 port: global pooling (every output size 1) as Keras'
    GlobalAverage/GlobalMaxPooling (Mean, or Max: not registered); sizes that divide as
    Average/MaxPooling with kernel = stride = in/out; other sizes as Keras 3's
    AdaptiveAverage/AdaptiveMaxPooling (:func:`_keras_adaptive`). Checked against TF 2.21
    (tests/data/tf_profiler.json)."""
    n = len(layer.output_size)
    is_max = "Max" in layer.kind
    pool = "MaxPool" if is_max else "AvgPool"
    if all(o == 1 for o in shape_out[-n:]):
        return ((0, "global pooling → Max: not registered, 0") if is_max else
                (numel(shape_in), "global pooling → Mean: 1 per input element"))
    if all(i % o == 0 for i, o in zip(shape_in[-n:], shape_out[-n:], strict=True)):
        if n == 3:
            return 0, f"{pool}3D (kernel = stride = in/out): not registered, 0"
        return numel(shape_in), f"{pool} with kernel = stride = in/out: kernel area × out numel"
    keras = _keras_adaptive(shape_in, shape_out, n)
    if keras is not None:
        return keras, (f"Keras' Adaptive{'Max' if is_max else 'Average'}Pooling{n}D: two "
                       f"stride-1 {pool}s per axis (⌈in/out⌉ and one wider), 9 index ops "
                       "per output position" + (" (the 3-d pools are not registered)"
                                                if n == 3 else ""))
    taps = numel(shape_in[:-n])  # no Keras port: Σ of the window sizes, one pool per output
    for i, o in zip(shape_in[-n:], shape_out[-n:], strict=True):
        taps *= adaptive_total(i, o)
    return taps, (f"no Keras port (its adaptive pooling fails when ⌈in/out⌉ + 1 > in): one "
                  f"{pool} per output, its window size each")
