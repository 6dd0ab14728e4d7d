"""``to_torch(model)``: the torch module of an nnref model or layer, same weights and names.

Each container becomes one torch module whose ``forward`` is its dataflow (an
``fx.GraphModule``), or an ``nn.Sequential`` when it is a plain chain of modules; a
container inlined in its parent (a key of None, ResNet's bottleneck body) is emitted in
the parent's forward. A leaf called as a module becomes its torch module at its dotted
name; a leaf called as a function, method or operator becomes that call in the forward
of the module that holds it (its ``target``, ``torch.flatten``, ``F.adaptive_avg_pool2d``,
``x.reshape``, ``+``). So the zoo comes back with torchvision's module structure and
calls, and the real tools can run on exactly the network nnref counts.
"""
from __future__ import annotations

import copy
import keyword
import operator
import re
from collections import OrderedDict

from ...layers.base import Layer
from ...models.graph import Container, Sequential, _key
from ...models.run import two_calls
from ._common import F, Unsupported, nn, tensor, torch, torch_dtype
from .functions import METHODS, REQUIRED, lookup_function
from .modules import TO_TORCH, to_module

#: The torch call of each nnref layer made as a function, a method or an operator, when
#: the record names no target (or torch has no module for a module call).
DEFAULT = {
    "function": {"ReLU": F.relu, "ReLU6": F.relu6, "Hardtanh": F.hardtanh,
                 "LeakyReLU": F.leaky_relu, "Sigmoid": torch.sigmoid, "Tanh": torch.tanh, "SiLU": F.silu,
                 "Hardsigmoid": F.hardsigmoid, "Hardswish": F.hardswish, "Softmax": F.softmax,
                 "LogSoftmax": F.log_softmax, "GELU": F.gelu, "ELU": F.elu,
                 "Softplus": F.softplus, "Mish": F.mish, "MatMul": torch.matmul,
                 "BatchMatMul": torch.bmm, "BAddBMM": torch.baddbmm, "FunctionalLinear": F.linear,
                 "ScaledDotProductAttention": F.scaled_dot_product_attention,
                 "Upsample": F.interpolate,
                 "Dropout": F.dropout, "Flatten": torch.flatten, "Reshape": torch.reshape,
                 "Permute": torch.permute, "Transpose": torch.transpose, "Mean": torch.mean,
                 "ChannelShuffle": F.channel_shuffle, "Cat": torch.cat, "Chunk": torch.chunk,
                 "Split": torch.split, "Add": torch.add, "Sub": torch.sub, "Mul": torch.mul,
                 "Div": torch.div,
                 **{f"{k}Pool{d}d": getattr(F, f"{f}_pool{d}d") for d in (1, 2, 3) for k, f in
                    (("Max", "max"), ("Avg", "avg"), ("AdaptiveMax", "adaptive_max"),
                     ("AdaptiveAvg", "adaptive_avg"))}},
    "method": {"ReLU": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softmax": "softmax",
               "LogSoftmax": "log_softmax",
               "Flatten": "flatten", "Reshape": "reshape", "Permute": "permute",
               "Transpose": "transpose", "Contiguous": "contiguous", "Mean": "mean",
               "Chunk": "chunk", "Split": "split", "Add": "add", "Sub": "sub", "Mul": "mul",
               "Div": "div", "Expand": "expand"},
    "operator": {"Add": operator.add, "Sub": operator.sub, "Mul": operator.mul,
                 "Div": operator.truediv, "MatMul": operator.matmul},
}
_INPLACE = {operator.add: operator.iadd, operator.sub: operator.isub,
            operator.mul: operator.imul, operator.truediv: operator.itruediv}
#: Arguments nnref's layers name differently from torch's, and fixed ones.
_ALIAS = {"split_size": "split_size_or_sections"}
_FIXED = {"training": False}
#: Layers whose tensors are their call's first arguments (as ``operand_names`` says for the
#: products).
_TENSORS_FIRST = frozenset({"ScaledDotProductAttention"})
#: Flags of a layer that say whether an optional operand is given (FunctionalLinear's bias).
_FLAG_OPERANDS = frozenset({("FunctionalLinear", "bias")})
#: Arguments passed even at their default, where torch needs them (``mean(x, None, True)``).
_ALWAYS = {("Mean", "dim")}


def callee(layer, call: str, target: str):
    """The torch callable (or method name) of a non-module call of ``layer``: its
    ``target`` if nnref knows it, else the default of :data:`DEFAULT`."""
    if target.startswith("Tensor.") and target[7:] in METHODS:
        return target[7:]
    prefix, _, name = target.partition(".")
    owner = {"F": F, "torch": torch, "operator": operator}.get(prefix)
    f = getattr(owner, name, None) if owner is not None else None
    if f is not None and lookup_function(f) is not None:
        return f
    inplace = getattr(layer, "inplace", False) and layer.kind in DEFAULT["operator"]
    for how in (call, "operator", "function", "method"):
        found = DEFAULT.get(how, {}).get(layer.kind)
        if found is not None:
            if inplace and how == "operator":
                return _INPLACE[found]
            return f"{found}_" if inplace and how == "method" else found
    raise Unsupported(f"torch has no call for {layer.kind}")


def emit_call(graph, layer, xs, call: str, target: str, held=None):
    """The fx node of ``layer`` called on the nodes ``xs`` as a function, method or operator,
    its arguments read from the layer's attributes (torch's argument names); ``held`` maps
    an array argument (F.layer_norm's ``weight``) to the get_attr node that reads it."""
    f = callee(layer, call, target)
    spec = METHODS[f][0] if isinstance(f, str) else lookup_function(f)[0]
    args, kwargs, tensors = [], {}, list(xs)
    other = getattr(layer, "other", None)
    positional = {}  # products and attention: the tensors are the first arguments, in order
    if hasattr(layer, "operand_names") or layer.kind in _TENSORS_FIRST:
        positional = {name.lstrip("*"): x for (name, _), x in zip(spec, tensors)}
    for name, default in spec:
        plain = name.lstrip("*")
        if plain in positional:
            value = positional[plain]
        elif (layer.kind, plain) in _FLAG_OPERANDS:  # F.linear(x, w): bias=False is no tensor
            value = None
        elif plain == "tensors":
            value = tensors
        elif plain == "input":
            value = tensors[0] if other is None or not layer.reverse else other
        elif plain == "other":
            value = tensors[1] if other is None else (tensors[0] if layer.reverse else other)
        elif plain in (held or {}):
            value = held[plain]
        else:
            value = _FIXED.get(plain, getattr(layer, _ALIAS.get(plain, plain), default))
        if name[0] == "*" or default is REQUIRED:
            args.append(value)
        elif (value is not default and value != default) or (layer.kind, plain) in _ALWAYS:
            kwargs[plain] = value
    if isinstance(f, str):
        node = graph.call_method(f, tuple(args), kwargs)
    else:
        node = graph.call_function(f, tuple(args), kwargs)
    if layer.kind in ("Chunk", "Split"):
        node = graph.call_function(operator.getitem, (node, layer.index))
    return node


def _identifier(text: str) -> str:
    name = re.sub(r"\W", "_", text) or "Model"
    return f"_{name}" if name[0].isdigit() or keyword.iskeyword(name) else name


class Emitter:
    """Emits a container's dataflow as the fx graph of one torch module (the executor of
    :meth:`Container.flow`, like :class:`nnref.models.run.Runner`)."""

    def __init__(self, names: dict, scopes: dict, scope: str):
        self.names, self.scopes, self.scope = names, scopes, scope
        self.root, self.graph, self.installed = nn.Module(), torch.fx.Graph(), set()

    def relative(self, name: str) -> str:
        if not self.scope:
            return name
        if not name.startswith(self.scope + "."):
            raise ValueError(f"to_torch: layer {name!r} is used inside {self.scope!r} but named "
                             "outside it; expected each layer in one module")
        return name[len(self.scope) + 1:]

    def owner(self, rel: str):
        """``(module, last name)`` of the dotted path ``rel`` under the root, the modules on
        the way made as empty ``nn.Module``s where missing."""
        *path, last = rel.split(".")
        owner = self.root
        for part in path:
            if not hasattr(owner, part):
                owner.add_module(part, nn.Module())
            owner = getattr(owner, part)
        return owner, last

    def install(self, rel: str, module) -> None:
        owner, last = self.owner(rel)
        owner.add_module(last, module)
        self.installed.add(rel)

    def call(self, module, *xs, call="module", target=""):
        if isinstance(module, Container):
            scope = self.scopes[id(module)]
            if scope == self.scope:  # inlined in this module's forward
                return module.flow(*xs, self)
            rel = self.relative(scope)
            if rel not in self.installed:
                self.install(rel, build(module, self.names, self.scopes, scope))
            return self.graph.call_module(rel, tuple(xs))
        if call == "module" and module.kind in TO_TORCH:
            rel = self.relative(self.names[id(module)])
            if rel not in self.installed:
                self.install(rel, to_module(module))
            kwargs = {}
            if module.kind == "MultiheadAttention":  # attn(q, k, v, need_weights=False)
                kwargs = {k: getattr(module, k) for k in ("need_weights", "average_attn_weights",
                                                          "is_causal")}
            node = self.graph.call_module(rel, tuple(xs), kwargs)
            if module.kind in ("RNN", "GRU", "LSTM", "MultiheadAttention"):  # x, _ = self.gru(x)
                node = self.graph.call_function(operator.getitem, (node, 0))
            return node
        if module.operands == 0:  # a Parameter: a tensor held at its own dotted name
            return self.graph.get_attr(self.hold(self.names[id(module)], module, "data"))
        name = self.names[id(module)]
        held = {a: self.graph.get_attr(self.hold(_key(name, module, a), module, a))
                for a in (*module.parameters(), *getattr(module, "buffer_names", ()))}
        return emit_call(self.graph, module, xs, call, target, held)

    def hold(self, key: str, layer, attr: str) -> str:
        """Register ``layer``'s array ``attr`` as a parameter (or buffer) of this module at
        the dotted ``key``, once; its path relative to this module."""
        rel = self.relative(key)
        if rel not in self.installed:
            owner, last = self.owner(rel)
            value = tensor(getattr(layer, attr))
            if attr in getattr(layer, "buffer_names", ()):
                owner.register_buffer(last, value)
            else:
                owner.register_parameter(last, nn.Parameter(value))
            self.installed.add(rel)
        return rel

    def concat(self, owner, xs, dim):
        return self.graph.call_function(torch.cat, (list(xs), dim))

    pair = two_calls  # a BatchNorm and its ReLU: two modules in torch


def _scopes(container) -> dict:
    """``id(container) -> dotted scope`` of every container under ``container`` (itself "")."""
    out = {}

    def visit(m, scope):
        if isinstance(m, Container) and id(m) not in out:
            out[id(m)] = scope
            for key, child in m.named_children():
                visit(child, scope if key is None else (f"{scope}.{key}" if scope else key))

    visit(container, "")
    return out


def _plain_sequential(container) -> bool:
    """A Sequential torch can hold as ``nn.Sequential``: distinct keyed module children."""
    items = container.named_children()
    return (type(container) is Sequential and len({k for k, _ in items}) == len(items)
            and len({id(m) for _, m in items}) == len(items)
            and all(k is not None and (isinstance(m, Container) or m.kind in TO_TORCH)
                    for k, m in items))


def build(container, names: dict, scopes: dict, scope: str):
    """The torch module of ``container`` placed at ``scope``."""
    if _plain_sequential(container):
        children = OrderedDict()
        for key, m in container.named_children():
            child = f"{scope}.{key}" if scope else key
            children[key] = (build(m, names, scopes, child) if isinstance(m, Container)
                             else to_module(m))
        return nn.Sequential(children)
    em = Emitter(names, scopes, scope)
    x = em.graph.placeholder(getattr(container, "input", "x"))
    em.graph.output(container.flow(x, em))
    name = ({"Sequential": "Block", "Model": "Block"}.get(container.kind, container.kind)
            if scope else container.name or container.kind)
    gm = torch.fx.GraphModule(em.root, em.graph, _identifier(name))
    for key, child in em.root.named_children():  # the real containers, not fx's copies
        setattr(gm, key, child)
    return gm


def to_torch(model, *, dtype=None):
    """The torch module of an nnref model or layer: same weights, names, calls and outputs.

    Parameters
    ----------
    model : Layer or container
        An nnref layer (its torch module, or a module making its functional call), a
        container (a Graph, a zoo model, a Sequential, ...), or a model ``from_torch``
        converted through hooks (its torch module).
    dtype : {None, "float32", "float64"}
        Keyword only: cast the result; None keeps the dtype of the nnref parameters.

    Returns
    -------
    torch.nn.Module
        In eval mode. Its ``state_dict`` keys are the nnref model's (plus batch norm's
        ``num_batches_tracked``), and ``from_torch(to_torch(m), x)`` counts and outputs
        what ``m`` does.
    """
    from .hooks import Hooked

    if isinstance(model, Hooked):
        module = copy.deepcopy(model.torch_module)
    elif isinstance(model, Container):
        module = build(model, model._names(), _scopes(model), "")
    elif isinstance(model, Layer):
        if model.kind in TO_TORCH:
            module = to_module(model)
        elif model.operands == 0:  # a Parameter: a module holding it, as ``data``
            em = Emitter({id(model): "data"}, {}, "")
            em.graph.output(em.call(model, call="attribute"))
            module = torch.fx.GraphModule(em.root, em.graph, model.kind)
        else:
            graph = torch.fx.Graph()
            xs = [graph.placeholder(f"x{i}" if model.operands > 1 else "x")
                  for i in range(model.operands)]
            graph.output(emit_call(graph, model, xs, "function", ""))
            module = torch.fx.GraphModule(nn.Module(), graph, model.kind)
    else:
        raise TypeError(f"to_torch: model={model!r:.80} is invalid; expected an nnref layer or "
                        "model")
    if dtype is not None:
        if dtype not in ("float32", "float64"):
            raise ValueError(f"to_torch: dtype={dtype!r} is invalid; expected None, 'float32' "
                             "or 'float64'")
        module = module.to(torch_dtype(dtype))
    return module.eval()
