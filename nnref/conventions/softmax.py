"""Every tool's rule for Softmax and LogSoftmax (torch's ``nn.Softmax``, ``nn.LogSoftmax``).

THOP skips the max and the subtraction, TF counts 5 per element, ptflops the input numel
through its patched F.softmax; no tool counts LogSoftmax (TF only the 2 index Subs of
its axis swap, off the last axis). nnref's counts:
:func:`nnref.formulas.softmax.softmax`, :func:`nnref.formulas.softmax.log_softmax`.
"""
from __future__ import annotations

from ._common import numel
from ._registry import hook_only, rule, zero


@rule("thop", "Softmax")
def thop(layer, shape_in, shape_out):
    if not shape_in:  # checked live: THOP's hook raises IndexError on a 0-d input
        raise ValueError(f"thop: {layer!r} on input_shape=() has no THOP count: its "
                         "count_softmax reads x.size()[dim], which a 0-d tensor does not have; "
                         "expected an input with at least one axis")
    n = shape_in[layer.dim]
    return numel(shape_in) // n * (3 * n - 1), "count_softmax: rows × (n exp + (n − 1) add + n div)"


@rule("ptflops", "Softmax")
def ptflops(layer, shape_in, shape_out, call):
    """No module hook; nn.Softmax's forward (or a direct call) runs the patched F.softmax."""
    return 0, "no module hook", "F.softmax"


rule("ptflops_aten", "Softmax")(zero("no aten.mm/addmm/bmm/convolution: 0"))
rule("fvcore", "Softmax")(zero("aten::softmax: unsupported op, 0"))
rule("torch", "Softmax")(zero("no flop formula registered: 0"))


def _last_axis(layer, shape_in) -> bool:
    return not shape_in or layer.dim % len(shape_in) == len(shape_in) - 1


@rule("tf", "Softmax")
def tf(layer, shape_in, shape_out):
    """Softmax: 5 per element; on an axis other than the last, ``tf.nn.softmax`` swaps it
    to the end first, and the index arithmetic of the swap is two scalar Subs."""
    if _last_axis(layer, shape_in):
        return 5 * numel(shape_in), "Softmax: 5 per element"
    return 5 * numel(shape_in) + 2, "Softmax: 5 per element, + 2 Sub of the axis swap"


# LogSoftmax: checked live against THOP, ptflops, fvcore and FlopCounterMode in
# tests/test_conventions_norm_activation.py; TF's measured (tests/data/tf_profiler.json).
rule("thop", "LogSoftmax")(zero("no rule for nn.LogSoftmax: 0"))
rule("ptflops", "LogSoftmax")(hook_only(zero("no hook (F.log_softmax not patched): 0")))
rule("ptflops_aten", "LogSoftmax")(zero("no aten.mm/addmm/bmm/convolution: 0"))
rule("fvcore", "LogSoftmax")(zero("aten::log_softmax: unsupported op, 0"))
rule("torch", "LogSoftmax")(zero("no flop formula registered: 0"))
@rule("tf", "LogSoftmax")
def tf_log_softmax(layer, shape_in, shape_out):
    """LogSoftmax is not registered (0); on an axis other than the last,
    ``tf.nn.log_softmax`` swaps it to the end as ``tf.nn.softmax`` does: two scalar Subs."""
    if _last_axis(layer, shape_in):
        return 0, "LogSoftmax: not registered, 0"
    return 2, "LogSoftmax: not registered, 0; + 2 Sub of the axis swap"
