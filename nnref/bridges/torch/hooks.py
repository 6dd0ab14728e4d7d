"""The fallback for models ``torch.fx`` cannot trace (control flow on tensor values).

:class:`Hooked` keeps the torch module and an nnref layer for each of its leaf modules
nnref takes. Called like every nnref model, it runs the torch module with forward hooks
on those leaves: each hook computes the leaf with nnref's counted kernels on the leaf's
input and returns nnref's output in place of torch's, so the control flow, and every
function, method and operator between the leaves, run in torch and are not counted. The
conversion warns once, naming what is not counted (seen on the example input).
"""
from __future__ import annotations

import copy
import warnings
from collections import Counter

import numpy as np
from torch.overrides import TorchFunctionMode

from ...core.report import LayerRecord, Report
from ...core.validate import check_array, check_shape
from ...models.graph import Container
from ...models.run import Step
from ._common import Unsupported, array, callable_name, module_target, tensor, torch, torch_dtype
from .modules import from_module, lookup

#: Calls that only read a tensor's metadata or drive Python: never listed as uncounted.
QUIET = frozenset({"__get__", "size", "dim", "numel", "__len__", "__bool__", "__iter__",
                   "__index__", "__format__", "__repr__", "item", "tolist", "__hash__",
                   "__getitem__", "__setstate__", "__reduce_ex__", "__deepcopy__"})


def _name(func) -> str:
    qual = getattr(func, "__qualname__", "")
    if qual.split(".")[0] in ("Tensor", "TensorBase", "_TensorBase"):
        return f"Tensor.{func.__name__}"
    return callable_name(func)


class Hooked(Container):
    """A torch module counted through forward hooks on its leaf modules (see the module)."""

    def __init__(self, module):
        super().__init__()
        self.torch_module = module
        self.leaves, self.unsupported, inside = [], [], []
        for qualname, m in module.named_modules():
            if not qualname or any(qualname.startswith(p + ".") for p in inside):
                continue
            if lookup(m) is not None:
                try:
                    self.leaves.append((qualname, from_module(m), module_target(type(m))))
                    inside.append(qualname)
                    continue
                except Unsupported as e:
                    self.unsupported.append(f"{qualname} ({type(m).__name__}: {e})")
            elif not list(m.children()):
                self.unsupported.append(f"{qualname} ({module_target(type(m))})")
        self._copies = {}
        self._assign_names()
        self.name = type(module).__name__

    @property
    def kind(self) -> str:
        return "Hooked"

    def named_children(self):
        return [(name, layer) for name, layer, _ in self.leaves]

    def _torch(self, dtype):
        """The torch module in ``dtype`` (a copy, made once per dtype), in eval mode."""
        key = np.dtype(dtype).name
        if key not in self._copies:
            self._copies[key] = copy.deepcopy(self.torch_module).to(torch_dtype(dtype)).eval()
        return self._copies[key]

    def _run(self, x, on_leaf):
        """Run the torch copy of x's dtype on ``x`` (an array), ``on_leaf(name, layer, target,
        input, output)`` returning each leaf's replacement output; the output as an array."""
        model = self._torch(x.dtype)
        mods = dict(model.named_modules())
        handles = []
        for name, layer, target in self.leaves:
            def hook(m, inputs, output, name=name, layer=layer, target=target):
                if len(inputs) != 1:
                    return None
                return on_leaf(name, layer, target, inputs[0], output)

            handles.append(mods[name].register_forward_hook(hook))
        try:
            with torch.no_grad():
                y = model(tensor(x))
        finally:
            for h in handles:
                h.remove()
        if not isinstance(y, torch.Tensor):
            raise ValueError(f"{self.title}: forward returns {type(y).__name__}; expected one "
                             "tensor")
        return array(y)

    def __call__(self, x, progress=None):
        """Run the model on ``x``; return ``(y, report)`` (see :meth:`Container.__call__`)."""
        x = check_array(x, self.title)
        if progress is not None and not callable(progress):
            raise TypeError(f"{self.title}: progress={progress!r} is invalid; expected a callable")
        records = []

        def leaf(name, layer, target, t, output):
            y, ops = layer(array(t))
            record = LayerRecord(name, layer.kind, tuple(y.shape), layer.num_params, ops,
                                 "module", target)
            records.append(record)
            if progress is not None:
                progress(record)
            out = tensor(y)
            return (out,) + tuple(output[1:]) if isinstance(output, tuple) else out

        y = self._run(x, leaf)
        return y, Report(model=self.title, input_shape=tuple(x.shape), dtype=str(x.dtype),
                         params=self.num_params, layers=tuple(records))

    def _plan(self, input_shape):
        """The steps of a run on zeros of ``input_shape`` (control flow may depend on values)."""
        shape = check_shape(input_shape, self.title)
        steps = []

        def leaf(name, layer, target, t, output):
            out = output[0] if isinstance(output, tuple) else output
            steps.append(Step(name, layer, tuple(t.shape), tuple(out.shape), "module", target))

        dtype = next((p.dtype for p in self.torch_module.parameters()), torch.float32)
        try:
            y = self._run(np.zeros(shape, str(dtype).replace("torch.", "")), leaf)
        except ValueError:
            raise
        except Exception as e:  # noqa: BLE001  (torch's message names the problem)
            raise ValueError(f"{self.title} cannot take input shape {shape}: "
                             f"{' '.join(str(e).split())[:200]}") from None
        return steps, tuple(y.shape)

    def uncounted(self, x) -> Counter:
        """The torch calls made outside the leaves on a run on ``x``, by name and count."""
        seen, depth = Counter(), [0]

        class Watch(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):
                name = _name(func)
                if depth[0] == 0 and name.rsplit(".", 1)[-1] not in QUIET:
                    seen[name] += 1
                return func(*args, **(kwargs or {}))

        def enter(m, inputs):
            depth[0] += 1

        def leave(m, inputs, output):
            depth[0] -= 1

        mods = dict(self.torch_module.named_modules())
        handles = [h for name, _, _ in self.leaves for h in (
            mods[name].register_forward_pre_hook(enter), mods[name].register_forward_hook(leave))]
        try:
            with torch.no_grad(), Watch():
                self.torch_module(x)
        finally:
            for h in handles:
                h.remove()
        return seen


def hooked(module, x, error) -> Hooked:
    """The :class:`Hooked` model of ``module``, with one warning naming what is not counted."""
    model = Hooked(module)
    calls = model.uncounted(x)
    missed = [f"{name} x{n}" for name, n in calls.most_common()] + model.unsupported
    reason = " ".join(str(error).split())[:200]
    warnings.warn(
        f"from_torch: torch.fx cannot trace {type(module).__name__} ({type(error).__name__}: "
        f"{reason}); falling back to forward hooks on its {len(model.leaves)} leaf modules "
        "nnref takes, which are counted. Not counted: "
        + (", ".join(missed) if missed else "nothing else was called") + ".",
        UserWarning, stacklevel=3)
    return model
