"""Every tool's rule for MaxPool1d/2d/3d and AvgPool1d/2d/3d (torch's ``nn.MaxPool*d``,
``nn.AvgPool*d``).

THOP counts 1 per output of an average pool, ptflops the input numel (twice: module
hook and patched functional), TF the kernel area per output. nnref's counts:
:func:`nnref.formulas.pool.max_pool`, :func:`nnref.formulas.pool.avg_pool`.
"""
from __future__ import annotations

from ._common import numel
from ._registry import rule, zero

MAX = ("MaxPool1d", "MaxPool2d", "MaxPool3d")
AVG = ("AvgPool1d", "AvgPool2d", "AvgPool3d")


def functional(layer) -> str:
    """The ``torch.nn.functional`` call of a pooling layer: ``F.max_pool2d``, ..."""
    base = {"Max": "max_pool", "Avg": "avg_pool", "AdaptiveMax": "adaptive_max_pool",
            "AdaptiveAvg": "adaptive_avg_pool"}[layer.kind.split("Pool")[0]]
    return f"F.{base}{layer.kind[-2:]}"


rule("thop", *MAX)(zero("zero_ops: max pooling counted 0"))


@rule("thop", *AVG)
def thop_avg(layer, shape_in, shape_out):
    return numel(shape_out), "count_avgpool: 1 per output (kernel ignored)"


@rule("ptflops", *MAX, *AVG)
def ptflops(layer, shape_in, shape_out, call):
    """The pool hook counts the input numel, and the module's forward calls the patched
    ``F.*pool*`` wrapper, which counts it again; a functional call counts only the latter."""
    if call != "module":
        return 0, f"called as {functional(layer)}, no module hook", functional(layer)
    return numel(shape_in), "pool hook: input numel", functional(layer)


rule("ptflops_aten", *MAX, *AVG)(zero("no aten.mm/addmm/bmm/convolution: 0"))


@rule("fvcore", *MAX, *AVG)
def fvcore(layer, shape_in, shape_out):
    op = f"aten::{'max' if 'Max' in layer.kind else 'avg'}_pool{layer.kind[-2:]}"
    return 0, f"{op}: unsupported op, 0"


rule("torch", *MAX, *AVG)(zero("no flop formula registered: 0"))


@rule("tf", *MAX, *AVG)
def tf(layer, shape_in, shape_out):
    kind = layer.kind
    if kind.endswith("3d"):
        return 0, f"{kind[:3]}Pool3D: not registered, 0"
    return (numel(layer.kernel_size) * numel(shape_out),
            f"{kind[:3]}Pool: kernel area × out numel (padding taps included)")
