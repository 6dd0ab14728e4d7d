"""``from_torch(module, example_input)``: the checks, eval mode, tracing, and the fallback."""
from __future__ import annotations

import inspect
import warnings
from contextlib import contextmanager

import numpy as np

from ...models.dag import Graph
from ._common import nn, torch, torch_dtype
from .modules import TUPLE_OUTPUT, lookup
from .trace import Converter, Tracer, concrete

FLOATS = (torch.float32, torch.float64)


def check_module(module, owner: str = "from_torch"):
    """``module`` if it is a ``torch.nn.Module``; a TypeError naming it otherwise."""
    if not isinstance(module, nn.Module):
        raise TypeError(f"{owner}: module={module!r:.80} is invalid; expected a torch.nn.Module")
    return module


def check_inputs(module, owner: str = "from_torch") -> None:
    """A ValueError if ``module.forward`` needs more than one input."""
    try:
        params = list(inspect.signature(module.forward).parameters.values())
    except (TypeError, ValueError):
        return
    needed = [p.name for p in params if p.default is p.empty
              and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if len(needed) > 1 or any(p.kind == p.VAR_POSITIONAL for p in params) and len(needed) != 1:
        raise ValueError(f"{owner}: module={type(module).__name__} takes {len(needed)} inputs "
                         f"({', '.join(needed) or '*args'}); expected a model of one input "
                         "tensor (wrap it in a module whose forward takes one)")


def defaults(module) -> dict:
    """The arguments of ``module.forward`` after the first that have defaults: traced as
    those values (``forward(x, mask=None)`` is the model of one input ``x``)."""
    try:
        params = list(inspect.signature(module.forward).parameters.values())[1:]
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in params if p.default is not p.empty
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def example_tensor(example_input, module, owner: str = "from_torch") -> torch.Tensor:
    """``example_input`` (a tensor or an ndarray): a float tensor of the module's dtype, or
    an integer tensor of indices (a model that starts with an Embedding)."""
    if isinstance(example_input, np.ndarray):
        example_input = torch.from_numpy(np.array(example_input, order="C"))
    if not isinstance(example_input, torch.Tensor):
        raise TypeError(f"{owner}: example_input={example_input!r:.80} is invalid; expected a "
                        "torch tensor or a numpy array")
    if example_input.dtype in (torch.int32, torch.int64) and any(
            isinstance(m, torch.nn.Embedding) for m in module.modules()):
        return _nonempty(example_input, owner).detach()
    if example_input.dtype not in FLOATS:
        raise ValueError(f"{owner}: example_input has dtype {example_input.dtype}; expected "
                         "float32 or float64 (integer indices only for a model with an Embedding)")
    dtypes = {p.dtype for p in list(module.parameters()) + list(module.buffers())
              if p.is_floating_point()}
    if dtypes and dtypes != {example_input.dtype}:
        raise ValueError(f"{owner}: example_input has dtype {example_input.dtype}, but "
                         f"{type(module).__name__}'s parameters are "
                         f"{', '.join(sorted(str(d) for d in dtypes))}; expected an example "
                         "input of the model's dtype")
    return _nonempty(example_input, owner).detach()


def _nonempty(example_input, owner):
    if any(s == 0 for s in example_input.shape):
        raise ValueError(f"{owner}: example_input has shape {tuple(example_input.shape)}; "
                         "expected no zero-sized axis")
    return example_input


@contextmanager
def eval_mode(module, name: str, owner: str = "from_torch"):
    """``module`` in eval mode, every submodule's mode restored afterwards; one warning
    if it was training."""
    modes = {m: m.training for m in module.modules()}
    if any(modes.values()):
        warnings.warn(f"{owner}: {name} is in training mode; it is converted "
                      "as in eval (dropout off, batch norm on its running statistics)",
                      UserWarning, stacklevel=4)
    module.eval()
    try:
        yield module
    finally:
        for m, mode in modes.items():
            m.training = mode


def run_once(module, x, name: str, owner: str = "from_torch"):
    """torch's output of ``module`` on ``x``; a ValueError naming example_input if it fails."""
    try:
        with torch.no_grad():
            return module(x)
    except Exception as e:  # a wrong shape, usually: torch's own message says which
        message = " ".join(str(e).split())[:300]
        raise ValueError(f"{owner}: {name} cannot run on example_input of "
                         f"shape {tuple(x.shape)} ({type(e).__name__}: {message}); expected an "
                         "input the model takes") from None


class Single(nn.Module):
    """One torch leaf module as the child of a root, so that fx keeps it a module call; the
    child is named after its class, as nnref names a lone layer (``conv2d``)."""

    def __init__(self, module):
        super().__init__()
        self.key = type(module).__name__.lower()
        self.add_module(self.key, module)
        self.training = module.training
        self.tuple_output = type(module) in TUPLE_OUTPUT

    def forward(self, x):
        out = getattr(self, self.key)(x)
        return out[0] if self.tuple_output else out  # an RNN's output, not its final state


def from_torch(module, example_input) -> Graph:
    """An nnref model equal to the torch ``module``: same weights, dotted names and outputs.

    Parameters
    ----------
    module : torch.nn.Module
        Converted as in eval mode (a module in training mode is converted as in eval,
        with one warning); it is not changed.
    example_input : torch.Tensor or ndarray of float32 or float64
        One input the model takes, of the model's dtype: the sizes of every call are
        read from a run on it.

    Returns
    -------
    Graph
        Called like every nnref model, ``y, report = model(x_numpy)``. Each record says
        how the torch model makes the call (``"module"``, ``"function"``, ``"method"``,
        ``"operator"``) and its target (``"nn.Conv2d"``, ``"F.relu"``, ...). Sizes read
        with ``x.size()`` or ``x.shape`` are folded in: the graph then takes only the
        example's input shape (its plan says so for any other).

    Raises
    ------
    TypeError
        ``module`` is no torch module, ``example_input`` no tensor or array.
    ValueError
        The model needs several inputs, or ``example_input`` has the wrong shape or dtype.
    NotImplementedError
        Calls nnref has no layer for (or arguments it cannot honour): every one is listed,
        with its name, its target and where it is made.

    Notes
    -----
    Tracing uses ``torch.fx`` symbolic tracing. A model fx cannot trace (control flow on
    tensor values) falls back to forward hooks on its leaf modules, with one warning
    naming what is not counted (see :mod:`.hooks`).
    """
    module = check_module(module)
    check_inputs(module)
    x = example_tensor(example_input, module)
    title = type(module).__name__
    if lookup(module) is not None:  # one leaf: fx traces a root's forward, so wrap it
        module = Single(module)
    with eval_mode(module, title):
        run_once(module, x, title)
        try:
            graph = Tracer().trace(module, concrete_args=defaults(module) or None)
            gm = torch.fx.GraphModule(module, graph, title)
        except Exception as e:  # noqa: BLE001  (any failure of fx: fall back to hooks)
            from .hooks import hooked

            return hooked(module, x, e)
        meta = concrete(gm, x)
        converter = Converter(gm, meta, title)
        nodes = converter.convert()
    shaped = converter.folded
    note = (f"sizes read from the input's shape are folded in at {', '.join(shaped[:3])}"
            f"{' ...' if len(shaped) > 3 else ''}; convert again with an example input of the "
            "shape you need") if shaped else ""
    return Graph(nodes, name=title, input=converter.input,
                 output=converter.output, input_shape=tuple(x.shape) if shaped else None,
                 shape_note=note)


def float_dtype(module) -> torch.dtype:
    """The dtype of a module's floating parameters (float32 if it has none)."""
    for p in list(module.parameters()) + list(module.buffers()):
        if p.is_floating_point():
            return p.dtype
    return torch_dtype(np.float32)
