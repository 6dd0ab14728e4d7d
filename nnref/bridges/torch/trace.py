"""``from_torch``: a torch module, traced by ``torch.fx``, as an nnref :class:`~nnref.models.Graph`.

The module is traced symbolically, so functional calls, tensor methods and operators are
captured beside modules; it is also run once on the example input (in eval mode) for
the shapes of every call. Each call becomes a graph node with the same dotted name
(a module's qualified name; a function's name in the scope of the module whose forward
makes it, ``layer1.0.add``), its call kind and torch target. Sizes computed from
``x.size()`` or ``x.shape`` are folded into the node that uses them; the graph then takes
only the example's input shape, and says so. Every unsupported call is collected, and
one ``NotImplementedError`` lists them all.
"""
from __future__ import annotations

import operator
import re
from dataclasses import replace

from ...layers import LAYERS
from ...models.dag import Node
from ._common import Unsupported, array, callable_name, module_target, torch
from .functions import METHODS, Attr, Pieces, Ref, bind, lookup_function
from .functions_more import selected_axis
from .modules_more import MODULE_CALLS, module_call_options
from .modules import TUPLE_OUTPUT, from_module, lookup

#: Calls that read a tensor's shape, not its values: folded into constants.
SHAPE_METHODS = frozenset({"size", "dim", "numel", "ndimension", "nelement"})
SHAPE_ATTRIBUTES = frozenset({"shape", "ndim", "dtype", "device", "is_cuda"})
#: Methods sized by another tensor's shape (the example's): folded too.
SHAPED_LIKE = frozenset({"expand_as", "view_as", "reshape_as"})
#: Python operations on folded constants (sizes): folded too.
FOLDABLE = frozenset({operator.getitem, operator.add, operator.sub, operator.mul,
                      operator.floordiv, operator.truediv, operator.mod, operator.neg, len, int,
                      getattr, operator.eq, operator.ne, operator.not_, operator.is_,
                      operator.is_not,
                      # fx's guards on the arguments of forward given their defaults
                      torch._assert, torch.fx._symbolic_trace._assert_is_none})


class Tracer(torch.fx.Tracer):
    """fx's tracer, keeping as leaves the modules nnref takes, and their subclasses that
    keep torch's forward; it records where each call is made."""

    def __init__(self):
        super().__init__()
        self.record_stack_traces = True

    def is_leaf_module(self, m, qualname):
        return lookup(m) is not None or super().is_leaf_module(m, qualname)


class ModuleTuple(tuple):
    """The tuple a recurrent module returns: item 0 is its nnref layer's output."""


def _meta(value):
    """What conversion keeps of a traced value: a tensor's shape and dtype, else the value."""
    if isinstance(value, torch.Tensor):
        return ("tensor", tuple(value.shape), str(value.dtype).replace("torch.", ""))
    if isinstance(value, (tuple, list)) and any(isinstance(v, torch.Tensor) for v in value):
        return ("tensors", tuple(_meta(v) for v in value))
    return ("value", value)


def concrete(gm, x) -> dict:
    """fx node -> :func:`_meta` of its value, from one run of the traced module on ``x``."""
    found = {}

    class Recorder(torch.fx.Interpreter):
        def run_node(self, n):
            result = super().run_node(n)
            found[n] = _meta(result)
            return result

    with torch.no_grad():
        Recorder(gm).run(x)
    return found


def where(node) -> str:
    """``"in layer1.0 (Bottleneck), model.py:42"``: the module whose forward makes the call
    and the line of user code, from fx's records."""
    stack = list((node.meta.get("nn_module_stack") or {}).values())
    if node.op == "call_module":
        stack = stack[:-1]  # the module itself: where it is called from is its parent
    scope, cls = stack[-1] if stack else ("", None)
    place = f"in {scope} ({getattr(cls, '__name__', cls)})" if scope else "at the top level"
    frames = re.findall(r'File "([^"]+)", line (\d+), in', node.stack_trace or "")
    torch_dir = torch.__file__.rsplit("/", 1)[0]
    user = [f"{path}:{line}" for path, line in frames if not path.startswith(torch_dir)]
    return place + (f", {user[-1]}" if user else "")


def scope_of(node) -> str:
    """The qualified name of the module whose forward makes a function call ("" at the top)."""
    stack = node.meta.get("nn_module_stack") or {}
    return next(reversed(stack.values()), ("",))[0]


class Converter:
    """Walks the fx graph once, building nnref nodes and collecting every unsupported call."""

    def __init__(self, gm, meta, name: str):
        self.gm, self.meta, self.name = gm, meta, name
        self.nodes, self.env, self.used = [], {}, set()
        self.layers = {}  # module qualname -> nnref layer (a module called twice is one layer)
        self.problems, self.shape_derived, self.folded = [], set(), []
        self.pieces = {}  # (id of Pieces, index) -> Ref
        self.calls = {}  # module qualname -> calls so far
        self.input, self.output = "x", None
        self.held_names = set()  # the tensors the module holds that have their node

    # -- names ---------------------------------------------------------------------------
    def unique(self, base: str, sep: str = "_") -> str:
        name, k = base, 0
        while name in self.used or name == self.input:
            k += 1
            name = f"{base}{sep}{k}"
        self.used.add(name)
        return name

    # -- values ----------------------------------------------------------------------------
    def resolve(self, a):
        """An fx argument as a Ref, a list of Refs, or a plain value."""
        if isinstance(a, torch.fx.Node):
            v = self.env[a]
            if isinstance(v, Pieces):
                return [self.piece(v, i) for i in range(v.count)]
            return v
        if isinstance(a, (list, tuple)):
            items = [self.resolve(v) for v in a]
            return type(a)(items) if not isinstance(a, torch.Size) else tuple(items)
        if isinstance(a, dict):
            return {k: self.resolve(v) for k, v in a.items()}
        return a

    def add(self, name, layer, refs, out, call, target) -> Ref:
        """A graph node for ``layer`` on ``refs``, checked against torch's output ``out``
        (the :func:`_meta` of a tensor)."""
        shapes = [r.shape for r in refs]
        shape = tuple(layer.output_shape(tuple(shapes) if len(shapes) != 1 else shapes[0]))
        if out[0] != "tensor" or shape != out[1]:
            raise Unsupported(f"nnref's {layer!r} gives shape {shape}; torch gives {out[1:]}")
        for r in refs:
            self.held(r)
        keys = getattr(layer, "state_keys", None)
        if keys:  # F.layer_norm on a module's own weight: torch's key, relative to the scope
            scope = name.rpartition(".")[0]
            layer.state_keys = {a: k[len(scope) + 1:] if scope else k for a, k in keys.items()
                                if not scope or k.startswith(scope + ".")}
        self.nodes.append(Node(name, layer, tuple(r.name for r in refs), call, target))
        return Ref(name, shape, out[2])

    def held(self, ref):
        """A tensor the module holds, read by a layer: its Parameter node, made once, just
        before its first reader (so a get_attr no layer reads, such as F.layer_norm's
        weight, makes none), named by its dotted path as in torch's state_dict."""
        if isinstance(ref, Attr) and ref.name not in self.held_names:
            self.held_names.add(ref.name)
            self.used.add(ref.name)
            layer = LAYERS["Parameter"](ref.value, buffer=ref.buffer)
            self.nodes.append(Node(ref.name, layer, (), "attribute",
                                   "buffer" if ref.buffer else "nn.Parameter"))

    def attribute(self, node):
        """fx's ``get_attr``: a tensor the module holds, as an :class:`Attr`."""
        value = self.gm
        for part in node.target.split("."):
            value = getattr(value, part, None)
        if not isinstance(value, torch.Tensor):
            raise Unsupported(f"get_attr of {node.target!r}, a {type(value).__name__}: only a "
                              "parameter or buffer (a float tensor) can be read in forward")
        if value.dtype not in (torch.float32, torch.float64):
            raise Unsupported(f"get_attr of {node.target!r}, a tensor of dtype {value.dtype}: "
                              "expected float32 or float64")
        params = dict(self.gm.named_parameters(remove_duplicate=False))
        return Attr(node.target, tuple(value.shape), str(value.dtype).replace("torch.", ""),
                    value=array(value), buffer=node.target not in params)

    def piece(self, pieces: Pieces, i: int) -> Ref:
        key = (id(pieces), i)
        if key not in self.pieces:
            layer = pieces.make(i)
            name = self.unique(f"{pieces.name}[{i}]")
            shape = tuple(layer.output_shape(pieces.source.shape))
            self.held(pieces.source)
            self.nodes.append(Node(name, layer, (pieces.source.name,), pieces.call,
                                   pieces.target))
            self.pieces[key] = Ref(name, shape, pieces.source.dtype)
        return self.pieces[key]

    # -- nodes -------------------------------------------------------------------------------
    def convert(self):
        failed = set()
        for node in self.gm.graph.nodes:
            try:
                self.visit(node)
            except Unsupported as e:
                failed.add(node)
                self.env[node] = self.stand_in(node)
                if getattr(e, "own", True) or not failed & set(node.all_input_nodes):
                    self.problem(node, str(e))  # not a consequence of an input that failed
            except (ValueError, TypeError):
                if not failed & set(node.all_input_nodes):
                    raise
                failed.add(node)
                self.env[node] = self.stand_in(node)
        if self.problems:
            lines = [f"  - {n}: {t} ({w}): {why}" for n, t, w, why in self.problems]
            raise NotImplementedError(
                f"from_torch: {len(self.problems)} call(s) of {self.name} are not supported:\n"
                + "\n".join(lines))
        return self.nodes

    def problem(self, node, why: str):
        target, name = node.target, node.name
        if node.op == "call_module":
            target = module_target(type(self.gm.get_submodule(node.target)))
            name = node.target
        elif node.op in ("call_method", "call_function"):
            base = node.target if node.op == "call_method" else getattr(node.target, "__name__",
                                                                         "call")
            name = f"{scope_of(node)}.{base}" if scope_of(node) else base
            target = f"Tensor.{node.target}" if node.op == "call_method" else \
                callable_name(node.target)
        self.problems.append((name, target, where(node), why))

    def stand_in(self, node):
        """What later nodes read in place of a node that could not be converted."""
        kind = self.meta.get(node, ("value", None))
        return Ref(f"<{node.name}>", kind[1], kind[2]) if kind[0] == "tensor" else None

    def visit(self, node):
        op = node.op
        if op == "placeholder":
            if self.env:  # an argument of forward with a default: traced as that value
                self.env[node] = node.args[0] if node.args else None
                return
            self.input = node.target
            self.env[node] = Ref(node.target, *self.meta[node][1:])
        elif op == "get_attr":
            self.env[node] = self.attribute(node)
        elif op == "call_module":
            self.env[node] = self.module_call(node)
        elif op in ("call_function", "call_method"):
            self.env[node] = self.call(node)
        elif op == "output":
            out = self.resolve(node.args[0])
            if not isinstance(out, Ref):
                e = Unsupported(f"forward returns {type(out).__name__}; from_torch takes a "
                                "model that returns one tensor")
                e.own = out is not None  # None: the call that makes it failed
                raise e
            self.held(out)
            self.output = out.name

    def module_call(self, node):
        module = self.gm.get_submodule(node.target)
        args = [self.resolve(a) for a in node.args]
        options = {}
        if isinstance(module, tuple(MODULE_CALLS)):  # self_attention(x, x, x, need_weights=...)
            kwargs = {k: self.resolve(v) for k, v in node.kwargs.items()}
            args, options = module_call_options(module, args, kwargs)
            if not all(isinstance(a, Ref) for a in args):
                raise Unsupported(f"{type(module).__name__} called with a non-tensor operand")
        elif len(args) != 1 or node.kwargs or not isinstance(args[0], Ref):
            raise Unsupported(f"{type(module).__name__} called with {len(args)} arguments"
                              f"{' and keywords' if node.kwargs else ''} (such as an initial "
                              "state); nnref takes one input tensor")
        calls = self.calls.get(node.target, 0) + 1
        if isinstance(module, torch.nn.Softmax) and module.dim is None:  # torch's implicit dim
            layer = LAYERS["Softmax"](0 if len(args[0].shape) in (0, 1, 3) else 1)
        elif calls > 1:
            layer = self.layers[node.target]
        else:
            try:
                layer = from_module(module)
                if options:  # the call's own arguments (need_weights, ...), checked by the layer
                    layer._set_options(key_padding_mask=None, attn_mask=None,
                                       mask_mode=layer.mask_mode, **options)
            except (ValueError, TypeError) as e:  # nnref's layer refused an argument
                raise Unsupported(" ".join(str(e).split())) from None
        self.layers[node.target], self.calls[node.target] = layer, calls
        name = self.unique(node.target if calls == 1 else f"{node.target}#{calls}")
        out = self.meta[node]
        wrap = type(module) in TUPLE_OUTPUT
        ref = self.add(name, layer, args, out[1][0] if wrap else out, "module",
                       module_target(type(module)))
        if getattr(module, "inplace", False):
            self.env[node.args[0]] = ref  # later readers of the input see the result, as in torch
        return ModuleTuple((ref,)) if wrap else ref

    def call(self, node):
        f, op = node.target, node.op
        if f is operator.getitem and isinstance(node.args[0], torch.fx.Node):
            held = self.env[node.args[0]]
            if not node.users and isinstance(held, (Pieces, ModuleTuple)):
                return None  # an unused item of an unpacking (``out, _ = self.gru(x)``)
            if isinstance(held, Pieces):
                index = node.args[1]
                if isinstance(index, slice):
                    return [self.piece(held, i) for i in range(held.count)[index]]
                return self.piece(held, range(held.count)[index])  # negative too
        args = [self.resolve(a) for a in node.args]
        kwargs = {k: self.resolve(v) for k, v in node.kwargs.items()}
        out = self.meta[node]
        if f is operator.getitem and isinstance(args[0], Ref):
            return self.select(node, args[0], args[1], out)
        if f is operator.getitem and isinstance(args[0], (ModuleTuple, list)):
            if isinstance(args[0], ModuleTuple) and args[1] != 0:
                raise Unsupported(f"item {args[1]!r} of a recurrent module's output (its final "
                                  "state) is not supported; expected item 0, the output")
            return args[0][args[1]]
        if out[0] == "value":
            return self.fold(node, f, op, out[1])
        if op == "call_method":
            found, target, call = METHODS.get(f), f"Tensor.{f}", "method"
        else:
            found, target = lookup_function(f), callable_name(f)
            call = "operator" if target.startswith("operator.") else "function"
        if found is None:
            raise Unsupported(f"no nnref layer for {target}")
        spec, build = found
        try:
            bound = bind(target, spec, args, kwargs)
            bound["__out__"] = out[1] if out[0] == "tensor" else None
            made = build(bound)
        except (Unsupported, ValueError, TypeError) as e:  # nnref's layer refused an argument
            error = e if isinstance(e, Unsupported) else Unsupported(" ".join(str(e).split()))
            error.own = not any(a is None for a in args)  # None: an input that failed
            raise error from None
        base = f if op == "call_method" else getattr(f, "__name__", "call")
        scope = scope_of(node)
        name = self.unique(f"{scope}.{base}" if scope else base)
        if any(a in self.shape_derived for a in node.all_input_nodes) or (
                op == "call_method" and f in SHAPED_LIKE):  # sized by another's shape
            self.folded.append(name)
        if isinstance(made, Pieces):
            return replace(made, count=len(out[1]), name=name, call=call, target=target)
        layer, refs = made
        ref = self.add(name, layer, refs, out, call, target)
        if getattr(layer, "inplace", False) and isinstance(node.args[0], torch.fx.Node):
            self.env[node.args[0]] = ref
        return ref

    def select(self, node, x, index, out):
        """``x[:, i]``: a Split into pieces of 1 along the axis, then a Reshape dropping it."""
        axis, i = selected_axis(x, index)
        scope = scope_of(node)
        name = self.unique(f"{scope}.getitem" if scope else "getitem")
        kept = x.shape[:axis] + (1,) + x.shape[axis + 1:]
        piece = self.add(name, LAYERS["Split"](1, axis, i), [x], ("tensor", kept, x.dtype),
                         "operator", "operator.getitem")
        return self.add(self.unique(f"{name}_squeeze"), LAYERS["Reshape"](out[1]), [piece], out,
                        "operator", "operator.getitem")

    def fold(self, node, f, op, value):
        """A non-tensor value: a shape query or arithmetic on sizes, folded into a constant."""
        tensors = [a for a in node.all_input_nodes if self.meta[a][0] != "value"]
        shape_query = (op == "call_method" and f in SHAPE_METHODS) or (
            f is getattr and len(node.args) > 1 and node.args[1] in SHAPE_ATTRIBUTES)
        if tensors and not shape_query:
            raise Unsupported("a number computed from a tensor's values (such as x.item()) "
                              "is not supported; nnref would freeze the example's value")
        if op == "call_function" and f not in FOLDABLE:
            raise Unsupported(f"{callable_name(f)} on non-tensor values is not supported")
        if tensors or any(a in self.shape_derived for a in node.all_input_nodes):
            self.shape_derived.add(node)
        return value
