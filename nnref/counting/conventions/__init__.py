"""What other FLOP counters would say about a model, and why each differs from nnref.

THOP, ptflops, fvcore, torch's FlopCounterMode and the TensorFlow profiler count the
same network differently: AlexNet is 714,206,912 MACs in THOP, 716,441,128 in ptflops
and 714,197,696 in fvcore, while nnref's kernels execute exactly 714,188,480
multiplications. Each function here applies one tool's rules (read from its source; see
``docs/conventions.md``) to a model plan, without needing the tool installed::

    plan = zoo.build("alexnet").plan((1, 3, 224, 224))
    thop(plan).total                    # 714206912
    print(render_compare(compare(plan)))

A plan is the list of ``(name, layer, input_shape, output_shape)`` of
``model.plan(input_shape)``; every layer type nnref has has a rule in every convention.
"""
from ._common import LAYER_TYPES, LayerCount, ToolCount
from ._compare import (TOOLS, TORCH_FUNCTIONAL, Comparison, TypeDifference, compare, exact_counts,
                       reconcile, render_compare, run_tool)
from ._fvcore import fvcore
from ._ptflops import ptflops
from ._tf import tf_profiler
from ._thop import thop
from ._torch import torch_flop_counter

__all__ = ["LAYER_TYPES", "TOOLS", "TORCH_FUNCTIONAL", "Comparison", "LayerCount", "ToolCount",
           "TypeDifference", "compare", "exact_counts", "fvcore", "ptflops", "reconcile",
           "render_compare", "run_tool", "tf_profiler", "thop", "torch_flop_counter"]
