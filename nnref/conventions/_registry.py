"""The tools' rule tables and the decorator that fills them.

Each tool has one :class:`~nnref.core.registry.Registry` from layer class name to a rule.
A family module (``conv.py``, ``pool.py``, ...) registers its rule for each tool where
the rule is written::

    @rule("thop", "Conv1d", "Conv2d", "Conv3d")
    def _thop(layer, shape_in, shape_out):
        return conv_macs(layer, shape_out), "count_convNd: out numel × Cin/g × ∏k"

A rule returns ``(count, why)``. A ptflops rule also takes how the call was made
(``"module"``, ``"function"``, ...) and returns ``(module_hook_count, why, patched)``:
``patched`` names the ``torch.nn.functional`` wrapper the call runs through, if ptflops
patches it (it counts the input numel once more), else None (see :func:`hook_only`); a
fourth item is the wrapper's count when it counts by its own formula (``torch.matmul``:
input numel × other.shape[-1]; ``torch.add``: output numel).
:mod:`nnref.conventions` freezes the tables once every family module is imported.
"""
from __future__ import annotations

from types import MappingProxyType

from ..core.registry import Registry

#: The tools, and the tables of their rules. ``ptflops_aten`` is ptflops' aten backend.
TOOL_RULES = MappingProxyType({tool: Registry(f"{tool} rules") for tool in
                               ("thop", "ptflops", "ptflops_aten", "fvcore", "torch", "tf")})


def rule(tool: str, *names: str):
    """Register the decorated rule of ``tool`` for the layer classes ``names``."""
    return TOOL_RULES[tool].register(*names)


def same_as(model: str, *names: str) -> None:
    """Give the classes ``names`` every tool's rule of class ``model``.

    For layers that every tool sees as the same torch module as ``model``: nnref's
    DepthwiseConv2d and PointwiseConv2d are torch's ``nn.Conv2d``.
    """
    for table in TOOL_RULES.values():
        table.register(*names, entry=table[model])


def hook_only(f):
    """A ptflops rule from ``f(layer, shape_in, shape_out) -> (count, why)``, a module hook
    with no patched functional: a call made as a function counts 0."""

    def ptflops_rule(layer, shape_in, shape_out, call):
        if call != "module":
            return 0, "called as a function: no module hook, not patched: 0", None
        count, why = f(layer, shape_in, shape_out)
        return count, why, None

    ptflops_rule.__name__ = ptflops_rule.__qualname__ = f.__name__
    ptflops_rule.__module__, ptflops_rule.__doc__ = f.__module__, f.__doc__
    return ptflops_rule


def zero(why: str):
    """A rule for a layer the tool does not count: ``(0, why)``."""
    return lambda layer, shape_in, shape_out: (0, why)
