"""Every tool's rule for DepthwiseConv2d: each tool sees torch's ``nn.Conv2d(C, C·m, k,
groups=C)``, so the rules are those of :mod:`.conv` (TF runs DepthwiseConv2dNative).

nnref's counts: :func:`nnref.formulas.depthwise.depthwise`.
"""
from . import conv  # noqa: F401  (registers the rules copied here)
from ._registry import same_as

same_as("Conv2d", "DepthwiseConv2d")
