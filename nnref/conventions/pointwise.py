"""Every tool's rule for PointwiseConv2d: each tool sees torch's ``nn.Conv2d(Cin, Co, 1)``,
so the rules are those of :mod:`.conv`.

nnref's counts: :func:`nnref.formulas.pointwise.pointwise`.
"""
from . import conv  # noqa: F401  (registers the rules copied here)
from ._registry import same_as

same_as("Conv2d", "PointwiseConv2d")
