"""The real THOP, ptflops, fvcore and FlopCounterMode, run live on a torch module.

    >>> live = run_tools(torch_twin(layer), torch.zeros(shape))
    >>> live["thop"].total, live["thop"].modules          # 5400, {"": 5400}

Each runner calls the tool's public entry point, as its README says, and returns a
:class:`LiveCount`: the total the tool reports, and the tool's number for every leaf
module (by dotted name), summed over the module's calls. Whatever a tool counts outside
any leaf module (a functional call in a container's ``forward``, such as torchvision
MobileNetV2's ``F.adaptive_avg_pool2d``) is under the name ``""``, so that the
per-module numbers always sum to what the tool counted. :func:`per_module` groups
nnref's reproduction (:mod:`nnref.conventions`) the same way, for an exact comparison.

Versions checked: thop 0.1.1.post2209072238, ptflops 0.7.5, fvcore 0.1.5.post20221221,
torch 2.13 (``pip install 'nnref[compare]'``).
"""
from __future__ import annotations

import contextlib
import inspect
import io
import logging
import warnings
from collections import Counter
from dataclasses import dataclass, field
from types import FunctionType, MappingProxyType


@dataclass(frozen=True)
class LiveCount:
    """What one real tool reported for one forward pass.

    ``modules`` maps each leaf module's dotted name (``""`` for whatever was counted
    outside any leaf module) to its count. For ptflops it is the module hook's count
    plus the patched functional calls made inside the module, before ptflops divides
    the module hooks by ``batch``; ``total`` is what ptflops returns.
    """

    tool: str
    total: int
    modules: dict
    unit: str = "MACs"
    batch: int = 1
    extra: dict = field(default_factory=dict)


def _torch():
    import torch

    return torch


def _inputs(inputs) -> tuple:
    torch = _torch()
    if not isinstance(inputs, (torch.Tensor, tuple, list)):
        raise TypeError(f"inputs={inputs!r} is invalid; expected a tensor or a tuple of tensors")
    items = (inputs,) if isinstance(inputs, torch.Tensor) else tuple(inputs)
    if not all(isinstance(t, torch.Tensor) for t in items):  # () for a module of no input
        raise TypeError(f"inputs={inputs!r} is invalid; expected a tensor or a tuple of tensors")
    return items


def _check(module, inputs) -> tuple:
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"module={module!r} is invalid; expected a torch.nn.Module")
    return _inputs(inputs)


def leaf_names(module) -> tuple:
    """The dotted names of ``module``'s leaf modules (``""`` if it is a leaf itself): those
    without children, and those nnref converts as one layer although torch gives them
    children (``nn.MultiheadAttention`` and its ``out_proj``), whose children are not."""
    torch = _torch()
    held = (torch.nn.MultiheadAttention,)
    out, inside = [], ()
    for n, m in module.named_modules():
        if inside and any(n.startswith(p + ".") or p == "" for p in inside):
            continue
        if isinstance(m, held):
            out.append(n)
            inside += (n,)
        elif not any(True for _ in m.children()):
            out.append(n)
    return tuple(out)


def _leaves_and_rest(total: int, counts: dict, leaves) -> dict:
    """``{leaf: count}`` for every leaf, and ``""``: what the total holds beyond them."""
    out = {name: int(counts.get(name, 0)) for name in leaves}
    rest = total - sum(out.values())
    if "" in out:
        out[""] += rest
    elif rest:
        out[""] = rest
    return out


@contextlib.contextmanager
def _quiet():
    """Silence the tools' prints, warnings and log lines (unsupported ops, tracer)."""
    log = logging.getLogger("fvcore")
    level, log.level = log.level, logging.CRITICAL
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        log.setLevel(level)


def run_thop(module, inputs) -> LiveCount:
    """``thop.profile(module, inputs, ret_layer_info=True)``: MACs, per leaf module."""
    from thop import profile

    inputs = _check(module, inputs)
    with _quiet(), _torch().no_grad():
        total, _, info = profile(module, inputs, verbose=False, ret_layer_info=True)
    counts = {}

    def walk(tree, scope):
        for name, (ops, _, children) in tree.items():
            full = f"{scope}.{name}" if scope else name
            if children:
                walk(children, full)
            else:
                counts[full] = ops

    walk(info, "")
    if leaf_names(module) == ("",):  # the module is a leaf: THOP's total is its own count
        counts[""] = total
    if total != int(total):  # pragma: no cover - THOP sums float64 tensors of ints
        raise AssertionError(f"THOP returned a fractional total {total}")
    return LiveCount("thop", int(total), _leaves_and_rest(int(total), counts, leaf_names(module)))


class _Recorder(list):
    """A stand-in for ptflops' collector list: appends to it, and remembers which leaf
    module was running when each patched function was called."""

    def __init__(self, target, stack):
        super().__init__()
        self.target, self.stack = target, stack
        self.where = Counter()

    def append(self, flops):
        self.target.append(flops)
        self.where[self.stack[-1] if self.stack else ""] += flops


def _wrappers(collector):
    """ptflops' function wrappers patched over torch that append to ``collector``
    (``torch.nn.functional`` calls, torch functions, tensor methods through a closure)."""
    import torch
    from ptflops.pytorch_engine import torch_function_wrapper

    found = []
    for owner in (torch.nn.functional, torch, torch.Tensor):
        for value in list(vars(owner).values()):
            cells = [value]
            if isinstance(value, FunctionType):
                cells += [c.cell_contents for c in value.__closure__ or ()]
            found += [c for c in cells if isinstance(c, torch_function_wrapper)
                      and c.collector is collector and c not in found]
    return found


def run_ptflops(module, inputs, count_functional: bool = True) -> LiveCount:
    """``get_model_complexity_info(..., backend="pytorch", as_strings=False)``: MACs.

    The total is ptflops' own return value. The per-module numbers come from the same
    run: each supported module's ``__flops__`` (read just before ptflops deletes it), plus
    the patched ``torch.nn.functional`` calls made while that leaf module ran.
    """
    import ptflops.pytorch_engine as engine
    from ptflops import get_model_complexity_info

    inputs = _check(module, inputs)
    names = dict(module.named_modules())
    leaves = set(leaf_names(module))
    ids = {id(m): n for n, m in names.items()}
    stack, hooks_seen, recorders, batch = [], {}, [], [1]
    originals = (engine.patch_functional, engine.patch_tensor_ops,
                 engine.remove_flops_counter_variables)

    def recording(patch):
        def patch_and_record(collector):
            patch(collector)
            recorder = _Recorder(collector, stack)
            recorders.append(recorder)
            for wrapper in _wrappers(collector):
                wrapper.collector = recorder

        return patch_and_record

    def remove(m):
        if hasattr(m, "__flops__"):
            hooks_seen[ids[id(m)]] = m.__flops__
        if m is module:
            batch[0] = getattr(m, "__batch_counter__", 1)
        originals[2](m)

    def enter(m, args):
        if ids.get(id(m)) in leaves:
            stack.append(ids[id(m)])

    def leave(m, args, out):
        if ids.get(id(m)) in leaves:
            stack.pop()

    handles = [m.register_forward_pre_hook(enter) for m in names.values()]
    handles += [m.register_forward_hook(leave) for m in names.values()]
    # one input goes in positionally, as ptflops' own constructor does; several by name
    # (ptflops' only way), which its module hooks and batch counter do not see
    batch_input = inputs[0] if len(inputs) == 1 else dict(
        zip(inspect.signature(module.forward).parameters, inputs))
    engine.patch_functional, engine.patch_tensor_ops = map(recording, originals[:2])
    engine.remove_flops_counter_variables = remove
    try:
        with _quiet():
            total, _ = get_model_complexity_info(
                module, tuple(inputs[0].shape[1:]) or (1,), print_per_layer_stat=False,
                as_strings=False,
                input_constructor=lambda _: batch_input, backend="pytorch",
                backend_specific_config={"count_functional": count_functional})
    finally:
        (engine.patch_functional, engine.patch_tensor_ops,
         engine.remove_flops_counter_variables) = originals
        for h in handles:
            h.remove()
    if total is None:
        raise RuntimeError("ptflops failed on the module (it printed the exception)")
    counts = Counter({n: int(v) for n, v in hooks_seen.items()})
    for recorder in recorders:
        counts.update({n: int(v) for n, v in recorder.where.items()})
    per = {n: counts.get(n, 0) for n in leaves}
    if counts.get(""):
        per[""] = counts[""]
    return LiveCount("ptflops", int(total), per, batch=int(batch[0]))


def run_ptflops_aten(module, inputs) -> LiveCount:
    """``get_model_complexity_info(..., backend="aten", as_strings=False)``: MACs of the ATen
    ops ptflops' dispatch mode counts (convolution, mm, bmm, addmm, ...); total only."""
    from ptflops import get_model_complexity_info

    inputs = _check(module, inputs)
    batch_input = inputs[0] if len(inputs) == 1 else dict(
        zip(inspect.signature(module.forward).parameters, inputs))
    with _quiet():
        total, _ = get_model_complexity_info(
            module, tuple(inputs[0].shape[1:]) or (1,), print_per_layer_stat=False,
            as_strings=False, input_constructor=lambda _: batch_input, backend="aten")
    if total is None:
        raise RuntimeError("ptflops failed on the module (it printed the exception)")
    return LiveCount("ptflops_aten", int(total), {"": int(total)})


def run_fvcore(module, inputs) -> LiveCount:
    """``FlopCountAnalysis(module, inputs).total()`` and ``.by_module()``: MACs ("flops")."""
    inputs = _check(module, inputs)
    with _quiet(), _torch().no_grad():
        from fvcore.nn import FlopCountAnalysis  # its import warns (torch.jit.script)

        analysis = FlopCountAnalysis(module, inputs)
        analysis.unsupported_ops_warnings(False)
        analysis.uncalled_modules_warnings(False)
        analysis.tracer_warnings("none")
        total, by_module = int(analysis.total()), dict(analysis.by_module())
        unsupported = dict(analysis.unsupported_ops())
    leaves = leaf_names(module)
    counts = {n: by_module.get(n, 0) for n in leaves if n}
    return LiveCount("fvcore", total, _leaves_and_rest(total, counts, leaves),
                     extra={"unsupported": unsupported})


def run_flop_counter(module, inputs) -> LiveCount:
    """torch's ``FlopCounterMode``: ``get_total_flops()`` and ``get_flop_counts()``: FLOPs."""
    torch = _torch()
    from torch.utils.flop_counter import FlopCounterMode

    inputs = _check(module, inputs)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(*inputs)
    total = int(counter.get_total_flops())
    root = type(module).__name__
    by_name = {name[len(root) + 1:]: sum(ops.values())
               for name, ops in counter.get_flop_counts().items() if name.startswith(root + ".")}
    leaves = leaf_names(module)
    counts = {n: by_name.get(n, 0) for n in leaves if n}
    return LiveCount("torch", total, _leaves_and_rest(total, counts, leaves), unit="FLOPs")


#: tool -> runner(module, inputs) -> LiveCount; the keys are those of nnref.conventions.TOOLS.
RUNNERS = MappingProxyType({
    "thop": run_thop,
    "ptflops": run_ptflops,
    "fvcore": run_fvcore,
    "torch": run_flop_counter,
})


def run_tools(module, inputs, tools=None) -> dict:
    """Every tool of ``tools`` (default: all of :data:`RUNNERS`) on one module: ``{tool: LiveCount}``."""
    inputs = _check(module, inputs)
    names = list(RUNNERS) if tools is None else list(tools)
    unknown = [t for t in names if t not in RUNNERS]
    if unknown:
        raise ValueError(f"run_tools: tools={tools!r} names unknown tool {unknown[0]!r}; "
                         f"expected a subset of {list(RUNNERS)}")
    module.eval()
    return {t: RUNNERS[t](module, inputs) for t in names}


def per_module(counts, leaves) -> dict:
    """nnref's reproduction (a :class:`~nnref.conventions.ToolCount`) grouped as a live run.

    Each call's count goes to its name if the torch module has a leaf module of that name
    (calls of a module add up), else to ``""`` (a functional call, a tensor method or an
    operator in some ``forward``), exactly as :class:`LiveCount` groups what the tool saw.
    fvcore and FlopCounterMode see the module an op runs in: a call in the forward of a
    leaf module (``norm.layer_norm`` in torchvision's LayerNorm2d) goes to that leaf.
    """
    leaves = set(leaves)
    scoped = counts.tool.split()[0] in ("fvcore", "torch")
    out = Counter({n: 0 for n in leaves})
    for c in counts.layers:
        name = c.name
        while scoped and name not in leaves and "." in name:
            name = name.rpartition(".")[0]
        out[name if name in leaves else ""] += c.count
    if "" in out and not out[""] and "" not in leaves:
        del out[""]
    return dict(out)
