"""What other FLOP counters would say about a model, and why each differs from nnref.

THOP, ptflops, fvcore, torch's FlopCounterMode and the TensorFlow profiler count the
same network differently: AlexNet is 714,206,912 MACs in THOP, 716,441,128 in ptflops
and 714,197,696 in fvcore, while nnref's kernels execute exactly 714,188,480
multiplications. Each tool's rules (read from its source; see ``docs/conventions.md``)
apply to a model plan, without needing the tool installed::

    plan = zoo.build("alexnet").plan((1, 3, 224, 224))
    thop(plan).total                    # 714206912
    print(render_compare(compare(plan)))

A plan is the list of :class:`~nnref.models.Step` of ``model.plan(input_shape)``:
``(name, layer, input_shape, output_shape, call, target)``, where ``call`` says how the
torch model makes the call (module, function, method or operator; hook-based tools see
module calls only). A 4-tuple without ``call`` is a module call. The rules of a layer
family for every tool sit in the family's module (``conv.py``, ``pool.py``, ...),
registered with ``@rule(tool, ...)``; the drivers that add what is each tool's own are
in :mod:`._tools`. Conventions import
only :mod:`nnref.core` and :mod:`nnref.formulas`.
"""
from ..core.registry import import_families
from ._common import LayerCount, ToolCount
from ._compare import (TOOLS, Comparison, TypeDifference, compare, exact_counts, reconcile,
                       render_compare, run_tool)
from ._layers import LayerComparison, Reconciliation, compare_layers
from ._registry import TOOL_RULES
from ._tools import fvcore, ptflops, tf_profiler, thop, torch_flop_counter

FAMILIES = import_families(__name__, __path__)
for _table in TOOL_RULES.values():
    _table.freeze()
del _table

#: Every layer type with rules (the same in every tool; tests check this).
LAYER_TYPES = TOOL_RULES["thop"].names()

__all__ = ["FAMILIES", "LAYER_TYPES", "TOOLS", "TOOL_RULES", "Comparison", "LayerComparison",
           "LayerCount", "Reconciliation", "ToolCount", "TypeDifference", "compare",
           "compare_layers", "exact_counts", "fvcore", "ptflops", "reconcile", "render_compare",
           "run_tool", "tf_profiler", "thop", "torch_flop_counter"]
