"""The tool drivers: each applies one tool's rules to a plan, as that tool would.

The rules themselves live in the family modules (``conv.py``, ``pool.py``, ...), one per
tool; a driver adds what is the tool's own and not a layer's: THOP's and ptflops' hooks
see modules only, ptflops divides its module hooks by the batch size. Each docstring
gives the tool version and the sources the rules were read from.
"""
from __future__ import annotations

from ._common import LayerCount, ToolCount, check_plan, count_plan, first, numel, summed
from ._registry import TOOL_RULES

PTFLOPS_BACKENDS = ("pytorch", "aten")


def thop(plan, functional=()) -> ToolCount:
    """What THOP's ``profile(model, (x,))`` returns for ``plan``, per call and in total.

    THOP (``pip install thop``, 0.1.1.post2209072238): forward hooks on leaf modules, "MACs".

    Rules from ``thop/profile.py`` (``register_hooks``), ``thop/vision/basic_hooks.py``,
    ``thop/vision/calc_func.py`` and ``thop/rnn_hooks.py``. A module type without a rule
    counts 0, and the lookup is by exact type: a subclass of ``nn.Conv2d`` counts 0 too.
    A call that is no module call (``F.adaptive_avg_pool2d``, ``torch.flatten``, a tensor
    ``+``) has no hook: 0. Hooks fire on every call, so a module called three times counts
    three times.

    Parameters
    ----------
    plan : list of Step
        From ``model.plan(input_shape)``; each step's ``call`` (and ``target``) says how the
        torch model makes the call. A 4-tuple ``(name, layer, input_shape, output_shape)``
        is a module call.
    functional : collection of str
        Names of steps to read as function calls whatever their ``call`` (for plans
        without call kinds).

    Returns
    -------
    ToolCount
        ``unit="MACs"``; the total is the sum of the calls (THOP returns it as a float).
    """
    layers = []
    for s in check_plan(plan, "thop", functional):
        if s.call != "module":
            c = LayerCount(s.name, s.layer.kind, 0, f"{_called(s)}, not a module: no hook, 0")
        elif not exact_module(s.target):
            c = LayerCount(s.name, s.layer.kind, 0, f"{s.target}: no rule for the exact type, 0")
        else:
            c = count_plan([s], TOOL_RULES["thop"], "thop")[0]
        layers.append(c)
    return summed("THOP 0.1.1", "MACs", "MACs", layers)


def exact_module(target: str) -> bool:
    """Whether a module call's ``target`` is a torch.nn class itself ("" means it is): the
    hook tables of THOP and ptflops are looked up by exact type."""
    return not target or target.startswith("nn.")


def _called(step) -> str:
    """How a step is called, for the rule text: ``"called as F.relu"``, ``"a tensor method"``."""
    if step.target:
        return f"called as {step.target}"
    return {"function": "called as a function", "method": "a tensor method",
            "operator": "an operator", "attribute": "an attribute read"}.get(step.call,
                                                                             "a module")


def ptflops(plan, backend: str = "pytorch", count_functional: bool = True,
            functional=()) -> ToolCount:
    """What ptflops' ``get_model_complexity_info`` returns for ``plan``, per call and in total.

    ptflops (``pip install ptflops``, 0.7.5), "MACs", with its two backends.

    ``pytorch`` backend (``ptflops/pytorch_engine.py``, ``ptflops/pytorch_ops.py``): forward
    hooks on the modules of ``MODULES_MAPPING``, plus, with ``count_functional=True`` (the
    default), wrappers patched over some ``torch.nn.functional`` calls (``FUNCTIONAL_MAPPING``).
    ``nn.ReLU.forward`` calls ``F.relu`` and the pools call ``F.max_pool2d``,
    ``F.adaptive_avg_pool2d``, ...: both the module hook and the functional wrapper fire, so
    those layers count twice. ``nn.ReLU6`` (``F.hardtanh``), ``nn.LeakyReLU``
    (``F.leaky_relu``) and ``nn.BatchNorm`` (``F.batch_norm``) call unpatched functions and
    count once; ``nn.SiLU`` and ``nn.Softmax`` have no module hook, only the functional one.
    The same switch patches some tensor ops (``torch.matmul``, ``Tensor.matmul``, ``mm``,
    ``bmm``, ``addmm``, ``baddbmm``; not the ``@`` operator), each wrapper counting by its
    own formula (``TENSOR_OPS_MAPPING``).
    The module-hook sum is divided by the batch size (len of the model input); the
    functional sum is not.

    Versions differ (checked on torchvision's AlexNet, ResNet-50, MobileNetV2, VGG-16): 0.7.2
    to 0.7.5 count as here. 0.6.9 and 0.7.0 have no functional patching and count a Linear
    bias once, not once per row (the same on batch-1 CNNs as ``count_functional=False``);
    0.7.1 also patches ``F.linear``, counting every Linear twice (not modelled).

    ``aten`` backend (``ptflops/aten_engine.py``, ``ptflops/aten_ops.py``): a
    ``__torch_dispatch__`` mode counting only aten.mm/matmul/addmm/bmm/convolution, bias
    included when it is part of the op (addmm, convolution), for the whole batch. Which ops
    run depends on ATen's CPU kernels (torch 2.13 checked): a Linear on a contiguous input is
    one addmm; an LSTM is one aten.mkldnn_rnn_layer, not counted.

    Parameters
    ----------
    plan : list of Step
        Each step's ``call`` and ``target`` decide which hooks fire: a module hook for a
        module call of a torch.nn class, the patched wrapper for a call of that wrapper.
    backend : {"pytorch", "aten"}
        ``"pytorch"`` is the module-hook backend (the default of 0.7.5's code, which gives
        the widely quoted AlexNet 716,441,128); ``"aten"`` the dispatch-mode one.
    count_functional : bool
        pytorch backend only: ``backend_specific_config={"count_functional": ...}``.
        True (ptflops 0.7.2–0.7.5) adds the patched ``torch.nn.functional`` wrappers, which
        count ReLU and every pool a second time; False turns them off (ptflops 0.6.9 and
        0.7.0 had none, and match False on batch-1 CNNs).
    functional : collection of str
        Names of steps to read as function calls whatever their ``call`` (for plans
        without call kinds): no module hook for them.

    Returns
    -------
    ToolCount
        ``unit="MACs"``. Pytorch backend: total = int(module hooks / N + functional hooks)
        with N = ``plan[0]``'s input_shape[0] (ptflops' batch counter: the first axis of the
        model's first input; for operands of their own shapes, the first's); per-call counts
        are before that division.
    """
    if backend not in PTFLOPS_BACKENDS:
        raise ValueError(f"ptflops: backend={backend!r} is invalid; expected one of "
                         f"{PTFLOPS_BACKENDS}")
    if not isinstance(count_functional, bool):
        raise TypeError(f"ptflops: count_functional={count_functional!r} is invalid; "
                        "expected a bool")
    steps = check_plan(plan, "ptflops", functional)
    if backend == "aten":
        return summed("ptflops 0.7.5 (aten)", "MACs", "MACs",
                      count_plan(steps, TOOL_RULES["ptflops_aten"], "ptflops"))
    layers, modules, wrapped = [], 0, 0
    for s in steps:
        rule = TOOL_RULES["ptflops"].resolve(s.layer, f"ptflops: layer {s.name!r}")
        m, why, patched, *count = rule(s.layer, s.input_shape, s.output_shape, s.call)
        if s.call == "module" and not exact_module(s.target) and m:
            m, why = 0, f"{s.target}: no hook for the exact type"
        if s.call != "module" and s.target and patched not in (None, s.target):
            why, patched = f"{s.target} is not patched: 0", None
        f = (count[0] if count else numel(first(s.input_shape))) if count_functional and patched else 0
        if f:
            why += f" + patched {patched}: " + (f"{count[0]:,}" if count else "input numel")
        elif not m and not why.endswith(": 0"):
            why += ": 0"
        modules, wrapped = modules + m, wrapped + f
        layers.append(LayerCount(s.name, s.layer.kind, int(m + f), why))  # a wrapper may count in floats
    fed = [s for s in steps if s.layer.operands]  # a Parameter reads no model input
    batch = first(fed[0].input_shape)[0] if fed and first(fed[0].input_shape) else 1
    total = int(modules / batch + wrapped)
    note = (f"module hooks ({modules:,}) are divided by the batch size {batch}; functional "
            f"wrappers ({wrapped:,}) are not") if batch != 1 else ""
    tool = f"ptflops 0.7.5 (pytorch{'' if count_functional else ', count_functional=False'})"
    return ToolCount(tool, "MACs", "MACs", tuple(layers), total, note)


def fvcore(plan) -> ToolCount:
    """What fvcore's ``FlopCountAnalysis(model, x).total()`` returns for ``plan``.

    fvcore (``pip install fvcore``, 0.1.5.post20221221): ``FlopCountAnalysis`` on a JIT trace.

    Rules from ``fvcore/nn/flop_count.py`` (``_DEFAULT_SUPPORTED_OPS``),
    ``fvcore/nn/jit_handles.py`` and ``fvcore/nn/jit_analysis.py`` (``_IGNORED_OPS``). It
    counts one fused multiply-add as one "flop", so its unit is MACs. Ops without a handle
    are either silently ignored (relu, dropout, flatten, view, ...) or reported as
    "unsupported" and counted 0 (max_pool2d, hardtanh, sigmoid, add, gru, ...).

    Parameters
    ----------
    plan : list of Step (or of (name, layer, input_shape, output_shape) tuples)

    Returns
    -------
    ToolCount
        ``unit="MACs"`` (fvcore calls them flops: "one fused multiply-add as one flop").
    """
    return summed("fvcore 0.1.5", "MACs", "flops (1 per fused multiply-add)",
                  count_plan(plan, TOOL_RULES["fvcore"], "fvcore"))


def torch_flop_counter(plan) -> ToolCount:
    """What ``FlopCounterMode().get_total_flops()`` returns around a forward pass of ``plan``.

    PyTorch's ``torch.utils.flop_counter.FlopCounterMode`` (torch 2.x), "FLOPs".

    Rules from ``torch/utils/flop_counter.py``: formulas are registered only for matrix
    products (aten.mm, addmm, bmm, baddbmm, ...), convolutions and attention; each counts
    2 FLOPs per multiply-accumulate ("should be 2·k − 1 technically", says the source) and
    ignores the bias. Every other aten op (relu, max_pool2d, add, batch_norm, sigmoid, ...)
    counts 0. On CPU (torch 2.13 checked) an RNN or GRU decomposes into matrix products for
    W_ih·x and W_hh·h, its gate arithmetic counting 0; an LSTM runs as one
    aten.mkldnn_rnn_layer (oneDNN), which has no formula and counts 0.

    Parameters
    ----------
    plan : list of Step (or of (name, layer, input_shape, output_shape) tuples)

    Returns
    -------
    ToolCount
        ``unit="FLOPs"``: 2 per multiply-accumulate of a convolution or matrix product.
    """
    return summed("torch FlopCounterMode", "FLOPs", "FLOPs",
                  count_plan(plan, TOOL_RULES["torch"], "torch_flop_counter"))


def tf_profiler(plan) -> ToolCount:
    """The TF profiler's float_ops for the tf.keras graph of ``plan``.

    The TensorFlow profiler's static "flops" (``tf.compat.v1.profiler`` with
    ``float_operation()``), for the graph a Keras port of the model would build.

    Rules from the ``@ops.RegisterStatistics(op, "flops")`` registrations in
    ``tensorflow/python/profiler/internal/flops_registry.py`` (MatMul, Add/AddV2, Mul, Sub,
    Neg, Rsqrt, Mean, Softmax, MaxPool, AvgPool, ...) and ``tensorflow/python/ops/nn_ops.py``
    (Conv2D, Conv3D, DepthwiseConv2dNative, BiasAdd, Dilation2D), TensorFlow 2.21. Ops
    without a registration (Relu, Relu6, LeakyRelu, Sigmoid, Tanh, FusedBatchNormV3,
    MaxPool3D, AvgPool3D, Max, Reshape, Identity) count 0. Matrix products count 2 per
    multiply-accumulate; the bias is a separate BiasAdd op, 1 per element.

    nnref maps each layer to the ops Keras 3 emits for it (NHWC; Conv1D and the 1-D pools run
    as 2-D ops on an expanded axis; BatchNormalization as AddV2/Rsqrt/Mul/Sub). TensorFlow is
    not needed: these are the registry rules applied to those ops' shapes (checked against
    TF 2.21's profiler on Keras 3.15 ports: tests/data/tf_profiler.json). Recurrent layers
    keep Keras' default ``unroll=False``: the static profiler counts step 0 (run once for
    its shape) and the ``tf.while_loop`` body once, skipping ops without static shapes, so
    the figure does not grow with T (``recurrent.tf_unrolled`` is ``unroll=True``).

    Parameters
    ----------
    plan : list of Step (or of (name, layer, input_shape, output_shape) tuples)

    Returns
    -------
    ToolCount
        ``unit="FLOPs"``: 2 per multiply-accumulate, 1 per bias add or elementwise add.
    """
    return summed("TF profiler", "FLOPs", "float_ops", count_plan(plan, TOOL_RULES["tf"],
                                                                  "tf_profiler"))
