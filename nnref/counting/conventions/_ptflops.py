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

Versions differ: 0.6.9 and 0.7.0 have no functional patching (``count_functional=False``
reproduces them); 0.7.1 also patches ``F.linear``, counting Linear twice (not modelled);
0.7.2 to 0.7.5 count as here.

``aten`` backend (``ptflops/aten_engine.py``, ``ptflops/aten_ops.py``): a
``__torch_dispatch__`` mode counting only aten.mm/matmul/addmm/bmm/convolution, bias
included, for the whole batch.
"""
from __future__ import annotations

from ._common import (ADAPTIVE_AVG, ADAPTIVE_MAX, AVG_POOL, CONV, DENSE, MAX_POOL, NORM,
                      LAYER_TYPES, RECURRENT, SHAPE_ONLY, LayerCount, ToolCount, check_plan,
                      conv_macs, count_plan, gates, has_bias, numel, steps_times_batch, zero)

TOOL = "ptflops 0.7.5"
BACKENDS = ("pytorch", "aten")


def _rule(module: int, functional: int, module_rule: str, functional_rule: str = ""):
    """A pytorch-backend count: (module-hook count, functional-hook count, rules of each)."""
    return module, functional, module_rule, functional_rule


def _none(why: str):
    return lambda layer, shape_in, shape_out: _rule(0, 0, why)


def _conv(layer, shape_in, shape_out):
    positions = numel(shape_out) // int(layer.out_channels)
    per_position = numel(layer.kernel_size) * layer.in_channels * (layer.out_channels // layer.groups)
    bias = layer.out_channels * positions if has_bias(layer) else 0
    return _rule(per_position * positions + bias, 0, "conv hook: out numel × Cin/g × ∏k"
                 + (" + bias 1 per output" if bias else ""))


def _linear(layer, shape_in, shape_out):
    bias = layer.out_features if has_bias(layer) else 0
    return _rule(numel(shape_in) * layer.out_features + bias, 0, "linear hook: in numel × "
                 "out_features" + (" + out_features (bias once, not per row)" if bias else ""))


def _norm(layer, shape_in, shape_out):
    if layer.affine:
        return _rule(2 * numel(shape_in), 0, "bn hook: 2 × numel with affine (F.batch_norm unpatched)")
    return _rule(numel(shape_in), 0, "bn hook: numel without affine")


def _twice(fn: str, what: str):
    """Module hook counting ``what`` numel, and the patched ``fn`` counting input numel."""
    def rule(layer, shape_in, shape_out):
        n = numel(shape_out if what == "output" else shape_in)
        return _rule(n, numel(shape_in), f"module hook: {what} numel",
                     f"patched {fn}: input numel again")
    return rule


def _module(what: str):
    return lambda layer, shape_in, shape_out: _rule(numel(shape_out), 0, what)


def _functional(fn: str):
    return lambda layer, shape_in, shape_out: _rule(0, numel(shape_in), "no module hook (0)",
                                                    f"patched {fn}: input numel")


def _pool_fn(kind: str) -> str:
    base = {"Max": "max_pool", "Avg": "avg_pool", "AdaptiveMax": "adaptive_max_pool",
            "AdaptiveAvg": "adaptive_avg_pool"}[kind.split("Pool")[0]]
    return f"F.{base}{kind[-2:]}"


def _recurrent(layer, shape_in, shape_out):
    """rnn_flops per layer and step, × input.shape[0] × input.shape[1] (NLH assumed)."""
    i, h, g = layer.input_size, layer.hidden_size, gates(layer)
    extra = {"RNN": h, "GRU": 7 * h, "LSTM": 10 * h}[type(layer).__name__]
    per_step = g * h * (i + h) + extra + (2 * g * h if has_bias(layer) else 0)
    factor = int(shape_in[0]) * int(shape_in[1])
    return _rule(per_step * factor, 0, f"rnn hook: {g}H·(I+H) + {extra // h}H (+{2 * g}H bias) "
                 "per step, × input.shape[0]·shape[1]; sigmoid/tanh ignored")


PYTORCH_RULES = {
    **dict.fromkeys(CONV, _conv),
    **dict.fromkeys(DENSE, _linear),
    **dict.fromkeys(NORM, _norm),
    **{k: _twice(_pool_fn(k), "input") for k in MAX_POOL + AVG_POOL + ADAPTIVE_MAX + ADAPTIVE_AVG},
    **dict.fromkeys(RECURRENT, _recurrent),
    "ReLU": _twice("F.relu", "output"),
    "ReLU6": _module("relu hook: output numel (nn.ReLU6 calls F.hardtanh, unpatched)"),
    "LeakyReLU": _module("relu hook: output numel (F.leaky_relu unpatched)"),
    "SiLU": _functional("F.silu"),
    "Softmax": _functional("F.softmax"),
    "Sigmoid": _none("no hook (torch.sigmoid is not patched): 0"),
    "Tanh": _none("no hook (torch.tanh is not patched): 0"),
    **dict.fromkeys(SHAPE_ONLY, _none("no hook: 0")),
    "Add": _none("tensor + is not patched (torch.add would count numel): 0"),
}


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
    i, h, g = layer.input_size, layer.hidden_size, gates(layer)
    rows = steps_times_batch(layer, shape_in)
    macs = rows * g * h * (i + h)
    if has_bias(layer):
        return macs + 2 * rows * g * h, "aten.addmm for W_ih·x and W_hh·h, bias 1 per output; gates 0"
    return macs, "aten.mm for W_ih·x and W_hh·h; gates 0"


ATEN_RULES = {
    **dict.fromkeys(LAYER_TYPES, zero("no aten.mm/addmm/bmm/convolution: 0")),
    **dict.fromkeys(CONV, _aten_conv),
    **dict.fromkeys(DENSE, _aten_linear),
    **dict.fromkeys(RECURRENT, _aten_recurrent),
}


def ptflops(plan, backend: str = "pytorch", count_functional: bool = True) -> ToolCount:
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
        count ReLU and every pool a second time; False gives ptflops 0.6.9 / 0.7.0.

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
        raise TypeError(f"ptflops: count_functional={count_functional!r} is invalid; expected a bool")
    steps = check_plan(plan, "ptflops")
    if backend == "aten":
        layers = count_plan(steps, ATEN_RULES, "ptflops")
        return ToolCount(f"{TOOL} (aten)", "MACs", "MACs", tuple(layers), sum(c.count for c in layers))
    layers, modules, functional = [], 0, 0
    for name, layer, shape_in, shape_out in steps:
        kind = type(layer).__name__
        if kind not in PYTORCH_RULES:
            raise TypeError(f"ptflops: layer {name!r} has type {kind!r}, for which nnref has no "
                            f"rule; expected one of {sorted(PYTORCH_RULES)}")
        m, f, module_rule, functional_rule = PYTORCH_RULES[kind](layer, shape_in, shape_out)
        f = f if count_functional else 0
        rule = f"{module_rule} + {functional_rule}" if f else module_rule
        modules, functional = modules + m, functional + f
        layers.append(LayerCount(name, kind, m + f, rule))
    batch = steps[0][2][0] if steps and steps[0][2] else 1
    total = int(modules / batch + functional)
    note = (f"module hooks ({modules:,}) are divided by the batch size {batch}; functional "
            f"hooks ({functional:,}) are not") if batch != 1 else ""
    name = f"{TOOL} (pytorch{'' if count_functional else ', count_functional=False'})"
    return ToolCount(name, "MACs", "MACs", tuple(layers), total, note)
