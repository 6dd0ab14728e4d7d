"""ptflops (``pip install ptflops``, 0.7.5), "MACs", with its two backends.

``pytorch`` backend (``ptflops/pytorch_engine.py``, ``ptflops/pytorch_ops.py``): forward
hooks on the modules of ``MODULES_MAPPING``, plus, with ``count_functional=True`` (the
default), wrappers patched over some ``torch.nn.functional`` calls (``FUNCTIONAL_MAPPING``).
``nn.ReLU.forward`` calls ``F.relu`` and the pools call ``F.max_pool2d``,
``F.adaptive_avg_pool2d``, ...: both the module hook and the functional wrapper fire, so
those layers count twice. ``nn.ReLU6`` (``F.hardtanh``), ``nn.LeakyReLU``
(``F.leaky_relu``) and ``nn.BatchNorm`` (``F.batch_norm``) call unpatched functions and
count once; ``nn.SiLU`` and ``nn.Softmax`` have no module hook, only the functional one.
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
"""
from __future__ import annotations

from types import MappingProxyType

from ._common import (ADAPTIVE_AVG, ADAPTIVE_MAX, AVG_POOL, CONV, DENSE, LAYER_TYPES, MAX_POOL,
                      NORM, RECURRENT, SHAPE_ONLY, LayerCount, ToolCount, check_names, check_plan,
                      conv_macs, count_plan, gates, has_bias, numel, steps_times_batch, summed, zero)

TOOL = "ptflops 0.7.5"
BACKENDS = ("pytorch", "aten")


def _conv(layer, shape_in, shape_out):
    positions = numel(shape_out) // int(layer.out_channels)
    filters = layer.out_channels // layer.groups
    per_position = numel(layer.kernel_size) * layer.in_channels * filters
    bias = layer.out_channels * positions if has_bias(layer) else 0
    return per_position * positions + bias, ("conv hook: out numel × Cin/g × ∏k"
                                             + (" + bias 1 per output" if bias else ""))


def _linear(layer, shape_in, shape_out):
    rows = numel(shape_in[:-1])
    bias = layer.out_features if has_bias(layer) else 0
    per_row = layer.in_features * layer.out_features + bias
    return rows * per_row, ("linear hook: rows × I × O" + (" + bias 1 per output" if has_bias(layer)
                                                           else ""))


def _norm(layer, shape_in, shape_out):
    if layer.affine:
        return 2 * numel(shape_in), "bn hook: 2 × numel with affine"
    return numel(shape_in), "bn hook: numel without affine"


def _pool(layer, shape_in, shape_out):
    return numel(shape_in), "pool hook: input numel"


def _relu(why: str):
    return lambda layer, shape_in, shape_out: (numel(shape_out), f"relu hook: output numel{why}")


def _recurrent(layer, shape_in, shape_out):
    """rnn_flops per layer and step, × input.shape[0] × input.shape[1] (NLH assumed)."""
    i, h, g = layer.input_size, layer.hidden_size, gates(layer)
    extra = {"RNN": h, "GRU": 7 * h, "LSTM": 10 * h}[type(layer).__name__]
    per_step = g * h * (i + h) + extra + (2 * g * h if has_bias(layer) else 0)
    factor = int(shape_in[0]) * int(shape_in[1])
    return per_step * factor, (f"rnn hook: {g}H·(I+H) + {extra // h}H (+{2 * g}H bias) per step, "
                               "× input.shape[0]·shape[1]; sigmoid/tanh ignored")


def _pool_fn(kind: str) -> str:
    base = {"Max": "max_pool", "Avg": "avg_pool", "AdaptiveMax": "adaptive_max_pool",
            "AdaptiveAvg": "adaptive_avg_pool"}[kind.split("Pool")[0]]
    return f"F.{base}{kind[-2:]}"


POOLS = MAX_POOL + AVG_POOL + ADAPTIVE_MAX + ADAPTIVE_AVG

#: Module-hook rules of the pytorch backend: f(layer, input_shape, output_shape) -> (count, rule).
MODULE_RULES = MappingProxyType({
    **dict.fromkeys(CONV, _conv),
    **dict.fromkeys(DENSE, _linear),
    **dict.fromkeys(NORM, _norm),
    **dict.fromkeys(POOLS, _pool),
    **dict.fromkeys(RECURRENT, _recurrent),
    "ReLU": _relu(""),
    "ReLU6": _relu(" (nn.ReLU6 calls F.hardtanh, not patched)"),
    "LeakyReLU": _relu(" (F.leaky_relu not patched)"),
    **dict.fromkeys(("SiLU", "Softmax"), zero("no module hook")),
    "Sigmoid": zero("no hook (torch.sigmoid is not patched): 0"),
    "Tanh": zero("no hook (torch.tanh is not patched): 0"),
    **dict.fromkeys(SHAPE_ONLY, zero("no hook: 0")),
    "Add": zero("tensor + is not patched (torch.add would count numel): 0"),
})

#: The torch.nn.functional call of a layer, where ptflops patches it (input numel per call).
PATCHED = MappingProxyType({"ReLU": "F.relu", "ReLU6": "F.relu6", "SiLU": "F.silu",
                            "Softmax": "F.softmax", **{k: _pool_fn(k) for k in POOLS}})
#: Layers whose torch module calls its patched function, so that module and wrapper both count.
MODULE_CALLS_PATCHED = frozenset(PATCHED) - {"ReLU6"}


# -- aten backend ------------------------------------------------------------------------
def _aten_conv(layer, shape_in, shape_out):
    bias = numel(shape_out) if has_bias(layer) else 0
    return (conv_macs(layer, shape_out) + bias,
            "aten.convolution: out numel × Cin/g × ∏k" + (" + bias 1 per output" if bias else ""))


def _aten_linear(layer, shape_in, shape_out):
    macs = numel(shape_in) * layer.out_features
    if has_bias(layer):
        return macs + numel(shape_out), "aten.addmm: rows × I × O + bias 1 per output"
    return macs, "aten.mm: rows × I × O"


def _aten_recurrent(layer, shape_in, shape_out):
    """ATen's CPU RNN/GRU: one linear over all steps for W_ih·x, one addmm/mm per step for W_hh·h.

    The W_ih·x linear folds into addmm (bias counted) only for a contiguous input; a
    batch_first input is a transposed view, so it runs as mm + add (bias not counted).
    The CPU LSTM runs as one aten.mkldnn_rnn_layer (oneDNN), which ptflops does not count.
    """
    if type(layer).__name__ == "LSTM":
        return 0, "aten.mkldnn_rnn_layer (oneDNN CPU LSTM): not counted, 0"
    i, h, g = layer.input_size, layer.hidden_size, gates(layer)
    rows = steps_times_batch(layer, shape_in)
    macs = rows * g * h * (i + h)
    if not has_bias(layer):
        return macs, "aten.mm for W_ih·x and W_hh·h; gates 0"
    folded = not layer.batch_first or len(shape_in) == 2 or 1 in shape_in[:2]
    if folded:
        return macs + 2 * rows * g * h, ("aten.addmm for W_ih·x and W_hh·h, bias 1 per output; "
                                         "gates 0")
    return macs + rows * g * h, ("aten.mm for W_ih·x (batch_first view: bias by an uncounted add), "
                                 "aten.addmm for W_hh·h with bias; gates 0")


ATEN_RULES = MappingProxyType({
    **dict.fromkeys(LAYER_TYPES, zero("no aten.mm/addmm/bmm/convolution: 0")),
    **dict.fromkeys(CONV, _aten_conv),
    **dict.fromkeys(DENSE, _aten_linear),
    **dict.fromkeys(RECURRENT, _aten_recurrent),
})


def ptflops(plan, backend: str = "pytorch", count_functional: bool = True,
            functional=()) -> ToolCount:
    """What ptflops' ``get_model_complexity_info`` returns for ``plan``, per call and in total.

    Parameters
    ----------
    plan : list of (name, layer, input_shape, output_shape)
    backend : {"pytorch", "aten"}
        ``"pytorch"`` is the module-hook backend (the default of 0.7.5's code, which gives
        the widely quoted AlexNet 716,441,128); ``"aten"`` the dispatch-mode one.
    count_functional : bool
        pytorch backend only: ``backend_specific_config={"count_functional": ...}``.
        True (ptflops 0.7.2–0.7.5) adds the patched ``torch.nn.functional`` wrappers, which
        count ReLU and every pool a second time; False turns them off (ptflops 0.6.9 and
        0.7.0 had none, and match False on batch-1 CNNs).
    functional : collection of str
        Names of calls that the PyTorch model makes as functions, not modules (torchvision's
        MobileNetV2 calls ``F.adaptive_avg_pool2d``): no module hook for them.

    Returns
    -------
    ToolCount
        ``unit="MACs"``. Pytorch backend: total = int(module hooks / N + functional hooks)
        with N = ``plan[0]``'s input_shape[0] (ptflops' batch counter); per-call counts
        are before that division.
    """
    if backend not in BACKENDS:
        raise ValueError(f"ptflops: backend={backend!r} is invalid; expected one of {BACKENDS}")
    if not isinstance(count_functional, bool):
        raise TypeError(f"ptflops: count_functional={count_functional!r} is invalid; "
                        "expected a bool")
    functional = check_names(functional, "ptflops")
    steps = check_plan(plan, "ptflops")
    if backend == "aten":
        return summed(f"{TOOL} (aten)", "MACs", "MACs", count_plan(steps, ATEN_RULES, "ptflops"))
    layers, modules, wrapped = [], 0, 0
    for name, layer, shape_in, shape_out in steps:
        kind = type(layer).__name__
        if kind not in MODULE_RULES:
            raise TypeError(f"ptflops: layer {name!r} has type {kind!r}, for which nnref has no "
                            f"rule; expected one of {sorted(MODULE_RULES)}")
        if name in functional:
            m, rule = 0, f"called as {PATCHED.get(kind, 'a function')}, no module hook"
            calls = kind in PATCHED
        else:
            m, rule = MODULE_RULES[kind](layer, shape_in, shape_out)
            calls = kind in MODULE_CALLS_PATCHED
        f = numel(shape_in) if count_functional and calls else 0
        if f:
            rule += f" + patched {PATCHED[kind]}: input numel"
        elif not m and not rule.endswith(": 0"):
            rule += ": 0"
        modules, wrapped = modules + m, wrapped + f
        layers.append(LayerCount(name, kind, m + f, rule))
    batch = steps[0][2][0] if steps and steps[0][2] else 1
    total = int(modules / batch + wrapped)
    note = (f"module hooks ({modules:,}) are divided by the batch size {batch}; functional "
            f"wrappers ({wrapped:,}) are not") if batch != 1 else ""
    name = f"{TOOL} (pytorch{'' if count_functional else ', count_functional=False'})"
    return ToolCount(name, "MACs", "MACs", tuple(layers), total, note)

