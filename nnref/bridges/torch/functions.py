"""torch functions, tensor methods and operators as nnref layers: the one table of the
non-module calls ``from_torch`` takes.

Each entry is one line: the torch callable (or the method name), its arguments in
torch's order with their defaults, and the builder of the nnref layer. A builder gets
the bound arguments (tensors as :class:`Ref`, everything else as plain values) and
returns ``(layer, operands)``, or a :class:`Pieces` for a call returning a tuple of
tensors (``x.chunk``, ``x.split``); an argument nnref cannot honour raises
:class:`~._common.Unsupported` naming it.
"""
from __future__ import annotations

import ast
import operator
from dataclasses import dataclass, field
from types import MappingProxyType

from ...layers import LAYERS
from ._common import F, Unsupported, refuse, torch


@dataclass(frozen=True)
class Ref:
    """A tensor of the graph being built: the node (or graph input) that holds it."""

    name: str
    shape: tuple
    dtype: str


@dataclass(frozen=True)
class Attr(Ref):
    """A tensor the module holds (fx's ``get_attr``) at the dotted path ``name``: a
    Parameter node once a layer takes it as an operand (weights of F.layer_norm are not)."""

    value: object = field(default=None, compare=False, repr=False)  # the ndarray (copied)
    buffer: bool = False


@dataclass(frozen=True)
class Pieces:
    """A call returning a tuple of tensors: ``make(i)`` is the layer of piece ``i``; its
    nodes are named ``name[i]``, with the call's kind and target."""

    make: object
    source: Ref
    count: int = 0
    name: str = ""
    call: str = "method"
    target: str = ""


REQUIRED = object()


def _spec(text: str) -> tuple:
    """``"input dim=None keepdim=False"`` as ``(("input", REQUIRED), ("dim", None), ...)``."""
    out = []
    for item in text.split():
        name, _, default = item.partition("=")
        out.append((name, ast.literal_eval(default) if default else REQUIRED))
    return tuple(out)


def bind(owner: str, spec: tuple, args, kwargs) -> dict:
    """torch's arguments by name, defaults filled in; an unknown or missing one is refused."""
    names = [n for n, _ in spec]
    if names and names[-1].startswith("*"):  # x.view(2, 3) and x.view((2, 3)) alike
        rest = args[len(names) - 1:]
        rest = rest[0] if len(rest) == 1 and isinstance(rest[0], (tuple, list)) else rest
        if names[-1][1:] in kwargs:
            rest = kwargs.pop(names[-1][1:])
        args = tuple(args[:len(names) - 1]) + (tuple(rest),)
        names = names[:-1] + [names[-1][1:]]
    if len(args) > len(names):
        raise Unsupported(f"{owner} got {len(args)} positional arguments; expected at most "
                          f"{len(names)} ({', '.join(names)})")
    bound = dict(zip(names, args))
    for key, value in kwargs.items():
        if key not in names:
            raise refuse(key, value, f"only the arguments {', '.join(names)}")
        bound[key] = value
    for name, default in zip(names, [d for _, d in spec]):
        if name not in bound:
            if default is REQUIRED:
                raise Unsupported(f"{owner} is missing its argument {name!r}")
            bound[name] = default
    return bound


def _tensor(a, name="input") -> Ref:
    if not isinstance(a[name], Ref):
        raise refuse(name, a[name], "a tensor")
    return a[name]


def _is(value, name: str, want):
    if value != want:
        raise refuse(name, value, repr(want))


# -- builders --------------------------------------------------------------------------------
def unary(kind: str, *attrs, inplace=None):
    """A one-tensor layer whose constructor takes the torch arguments ``attrs``."""

    def build(a):
        kw = {n: a[n] for n in attrs}
        if inplace is not None:
            kw["inplace"] = inplace or a.get("inplace", False)
        return LAYERS[kind](**kw), [_tensor(a)]

    return build


def binary(kind: str, inplace=False, swap=False):
    """Add, Sub, Mul, Div of two tensors, or of a tensor and a number on either side."""

    def build(a):
        x, y = (a["other"], a["input"]) if swap else (a["input"], a["other"])
        if a.get("alpha", 1) != 1:
            raise refuse("alpha", a["alpha"], "1 (alpha scales the other operand)")
        if a.get("rounding_mode") is not None:
            raise refuse("rounding_mode", a["rounding_mode"], "None (true division)")
        if a.get("out") is not None:
            raise refuse("out", "<tensor>", "None")
        cls = LAYERS[kind]
        if isinstance(x, Ref) and isinstance(y, Ref):
            if x.dtype != y.dtype:
                raise Unsupported(f"operands of dtypes {x.dtype} and {y.dtype} are not "
                                  "supported (torch promotes); expected one dtype")
            return cls(inplace=inplace), [x, y]
        for value in (x, y):
            if not isinstance(value, Ref) and (isinstance(value, bool) or not isinstance(
                    value, (int, float))):
                raise refuse("other", value, "a tensor or a real number")
        if isinstance(x, Ref):
            return cls(float(y), inplace=inplace), [x]
        return cls(float(x), reverse=True), [y]

    return build


def _reshape(a):
    return LAYERS["Reshape"](tuple(a["shape"])), [_tensor(a)]


def _mean(a):
    if a["dtype"] is not None:
        raise refuse("dtype", a["dtype"], "None (the input's dtype)")
    dim = a["dim"]
    return LAYERS["Mean"](tuple(dim) if isinstance(dim, (list, tuple)) else dim,
                          a["keepdim"]), [_tensor(a)]


def _softmax_like(kind: str):
    def build(a):
        if a.get("dtype") is not None:
            raise refuse("dtype", a["dtype"], "None (the input's dtype)")
        x, dim = _tensor(a), a["dim"]
        if dim is None:  # torch's deprecated implicit choice (F._get_softmax_dim)
            dim = 0 if len(x.shape) in (0, 1, 3) else 1
        return LAYERS[kind](dim), [x]

    return build


_softmax, _log_softmax = _softmax_like("Softmax"), _softmax_like("LogSoftmax")


def _dropout(a):
    if a["training"]:
        raise refuse("training", True, "False, as in eval (pass training=self.training)")
    return LAYERS["Dropout"](float(a["p"]), a.get("inplace", False)), [_tensor(a)]


def _pool(kind: str):
    def build(a):
        if a.get("return_indices"):
            raise refuse("return_indices", True, "False (nnref returns the pooled values only)")
        if a.get("divisor_override") is not None:
            raise refuse("divisor_override", a["divisor_override"], "None")
        if kind.startswith("Adaptive"):
            return LAYERS[kind](a["output_size"]), [_tensor(a)]
        if kind.startswith("Max"):
            return LAYERS[kind](a["kernel_size"], a["stride"] or None, a["padding"],
                                a["dilation"], a["ceil_mode"]), [_tensor(a)]
        return LAYERS[kind](a["kernel_size"], a["stride"] or None, a["padding"], a["ceil_mode"],
                            a["count_include_pad"]), [_tensor(a)]

    return build


def _cat(a):
    tensors = a["tensors"]
    if not isinstance(tensors, (list, tuple)) or not all(isinstance(t, Ref) for t in tensors):
        raise refuse("tensors", tensors, "a list of tensors")
    if len({t.dtype for t in tensors}) > 1:
        raise Unsupported("tensors of several dtypes are not supported; expected one dtype")
    return LAYERS["Cat"](a["dim"], len(tensors)), list(tensors)


def _pieces(kind: str, size: str):
    """Chunk or Split: the pieces' layers (their count is the call's, set by the caller)."""

    def build(a):
        x = _tensor(a)
        return Pieces(lambda i: LAYERS[kind](a[size], a["dim"], i), x)

    return build


_transpose = unary("Transpose", "dim0", "dim1")


def _t(a):
    x = _tensor(a)
    return (LAYERS["Transpose"](0, 1) if len(x.shape) == 2 else LAYERS["Identity"]()), [x]


def _contiguous(a):
    if a["memory_format"] not in (None, torch.contiguous_format):
        raise refuse("memory_format", a["memory_format"], "torch.contiguous_format")
    return LAYERS["Contiguous"](), [_tensor(a)]


def _to_shape(a):
    """squeeze, unsqueeze, view_as: a reshape to the call's output shape."""
    return LAYERS["Reshape"](a["__out__"]), [_tensor(a)]


def _expand(a):
    """``x.expand(*sizes)``, or ``x.expand_as(other)``: to the call's output shape."""
    sizes = tuple(a["sizes"]) if "sizes" in a else (_tensor(a, "other") and a["__out__"])
    return LAYERS["Expand"](sizes), [_tensor(a)]


def _held(a, name: str):
    """A weight or bias argument: None, or a tensor the module holds (an :class:`Attr`)."""
    if a[name] is not None and not isinstance(a[name], Attr):
        raise refuse(name, "<a tensor computed in forward>", "None or a parameter or buffer "
                     "the module holds (nnref's layer holds its own)")
    return a[name]


def _affine(layer, a):
    """``layer`` with the held arrays; ``state_keys``: their paths (the converter makes them
    relative to the call's scope)."""
    layer.state_keys = {}
    for name in ("weight", "bias"):
        if a[name] is not None:
            setattr(layer, name, a[name].value.copy())
            layer.state_keys[name] = a[name].name
    return layer


def _layer_norm(a):
    weight, bias = _held(a, "weight"), _held(a, "bias")
    if bias is not None and weight is None:
        raise refuse("bias", "<tensor>", "None without a weight (nnref's β comes with γ)")
    return _affine(LAYERS["LayerNorm"](tuple(a["normalized_shape"]), a["eps"], weight is not None,
                                       bias is not None), a), [_tensor(a)]


def _group_norm(a):
    if (_held(a, "weight") is None) != (_held(a, "bias") is None):
        raise refuse("weight", a["weight"] is not None, "weight and bias both given or both "
                     "None (nnref's affine GroupNorm has both)")
    x, affine = _tensor(a), a["weight"] is not None
    channels = x.shape[1] if len(x.shape) > 1 else 0  # (N, C, *): GroupNorm names a bad one
    return _affine(LAYERS["GroupNorm"](a["num_groups"], channels or 1, a["eps"], affine),
                   a), [x]


def _stochastic_depth(a):
    if a["training"] and a["p"] > 0:
        raise refuse("training", True, "False, as in eval (stochastic depth is the identity)")
    return LAYERS["Identity"](), [_tensor(a)]


# -- the table ----------------------------------------------------------------------------------
_ACT = {"relu": ("ReLU", ""), "relu6": ("ReLU6", ""), "silu": ("SiLU", ""),
        "hardswish": ("Hardswish", ""), "hardsigmoid": ("Hardsigmoid", ""),
        "hardtanh": ("Hardtanh", "min_val=-1.0 max_val=1.0"),
        "leaky_relu": ("LeakyReLU", "negative_slope=0.01")}
_POOL = "input kernel_size stride=None padding=0"
_BINARY = {"add": "Add", "sub": "Sub", "mul": "Mul", "div": "Div"}

_FUNCTIONS: dict = {}  # callable -> (spec, builder)
_METHODS: dict = {}  # method name -> (spec, builder)
FUNCTIONS, METHODS = MappingProxyType(_FUNCTIONS), MappingProxyType(_METHODS)  # read-only


def function(f, spec: str, build):  # torch's aliases (F.relu_ is torch.relu_) may repeat
    _FUNCTIONS[f] = (_spec(spec), build)


def method(name: str, spec: str, build):
    _METHODS[name] = (_spec(spec), build)


for _name, (_kind, _extra) in _ACT.items():
    function(getattr(F, _name), f"input {_extra} inplace=False", unary(_kind, *(
        p.split("=")[0] for p in _extra.split()), inplace=False))
function(F.relu_, "input", unary("ReLU", inplace=True))
function(torch.relu, "input", unary("ReLU", inplace=False))
function(torch.relu_, "input", unary("ReLU", inplace=True))
method("relu", "input", unary("ReLU", inplace=False))
method("relu_", "input", unary("ReLU", inplace=True))
for _f in (torch.sigmoid, F.sigmoid):
    function(_f, "input", unary("Sigmoid"))
for _f in (torch.tanh, F.tanh):
    function(_f, "input", unary("Tanh"))
method("sigmoid", "input", unary("Sigmoid"))
method("tanh", "input", unary("Tanh"))
function(F.softmax, "input dim=None _stacklevel=3 dtype=None", _softmax)
function(torch.softmax, "input dim dtype=None", _softmax)
method("softmax", "input dim dtype=None", _softmax)
function(F.log_softmax, "input dim=None _stacklevel=3 dtype=None", _log_softmax)
function(torch.log_softmax, "input dim dtype=None", _log_softmax)
method("log_softmax", "input dim dtype=None", _log_softmax)
for _f in (F.dropout, F.dropout1d, F.dropout2d, F.dropout3d, F.alpha_dropout,
           F.feature_alpha_dropout):
    function(_f, "input p=0.5 training=True inplace=False", _dropout)

for _d in (1, 2, 3):
    function(getattr(F, f"max_pool{_d}d"),
             f"{_POOL} dilation=1 ceil_mode=False return_indices=False", _pool(f"MaxPool{_d}d"))
    function(getattr(F, f"avg_pool{_d}d"), f"{_POOL} ceil_mode=False count_include_pad=True"
             + (" divisor_override=None" if _d > 1 else ""), _pool(f"AvgPool{_d}d"))
    function(getattr(F, f"adaptive_avg_pool{_d}d"), "input output_size",
             _pool(f"AdaptiveAvgPool{_d}d"))
    function(getattr(F, f"adaptive_max_pool{_d}d"), "input output_size return_indices=False",
             _pool(f"AdaptiveMaxPool{_d}d"))

for _name, _kind in _BINARY.items():
    _extra = "rounding_mode=None" if _name == "div" else "alpha=1"
    function(getattr(torch, _name), f"input other {_extra} out=None", binary(_kind))
    function(getattr(operator, "truediv" if _name == "div" else _name), "input other",
             binary(_kind))
    function(getattr(operator, "itruediv" if _name == "div" else f"i{_name}"), "input other",
             binary(_kind, inplace=True))
    method(_name, f"input other {_extra}", binary(_kind))
    method(f"{_name}_", f"input other {_extra}", binary(_kind, inplace=True))
function(torch.multiply, "input other out=None", binary("Mul"))
function(torch.true_divide, "input other out=None", binary("Div"))
function(torch.rsub, "input other alpha=1", binary("Sub", swap=True))
method("true_divide", "input other", binary("Div"))

function(torch.flatten, "input start_dim=0 end_dim=-1", unary("Flatten", "start_dim", "end_dim"))
method("flatten", "input start_dim=0 end_dim=-1", unary("Flatten", "start_dim", "end_dim"))
function(torch.reshape, "input shape", _reshape)
method("reshape", "input *shape", _reshape)
method("view", "input *shape", _reshape)
for _name in ("squeeze", "unsqueeze", "view_as", "reshape_as"):
    method(_name, "input *args", _to_shape)
function(torch.squeeze, "input *args", _to_shape)
function(torch.unsqueeze, "input dim", _to_shape)
function(torch.permute, "input dims", unary("Permute", "dims"))
method("permute", "input *dims", unary("Permute", "dims"))
function(torch.transpose, "input dim0 dim1", _transpose)
method("transpose", "input dim0 dim1", _transpose)
method("t", "input", _t)
method("expand", "input *sizes", _expand)
method("expand_as", "input other", _expand)
function(F.layer_norm, "input normalized_shape weight=None bias=None eps=1e-05", _layer_norm)
function(F.group_norm, "input num_groups weight=None bias=None eps=1e-05", _group_norm)
method("contiguous", f"input memory_format={None}", _contiguous)
method("clone", "input memory_format=None", unary("Identity"))
for _f in (torch.cat, torch.concat, torch.concatenate):
    function(_f, "tensors dim=0", _cat)
function(torch.chunk, "input chunks dim=0", _pieces("Chunk", "chunks"))
method("chunk", "input chunks dim=0", _pieces("Chunk", "chunks"))
function(torch.split, "input split_size_or_sections dim=0",
         _pieces("Split", "split_size_or_sections"))
method("split", "input split_size dim=0", _pieces("Split", "split_size"))
function(torch.mean, "input dim=None keepdim=False dtype=None", _mean)
method("mean", "input dim=None keepdim=False dtype=None", _mean)
function(F.channel_shuffle, "input groups", unary("ChannelShuffle", "groups"))

from . import functions_more  # noqa: E402,F401  (its entries, in the same tables)

#: torchvision's fx-wrapped stochastic depth (the identity in eval), matched by name.
STOCHASTIC_DEPTH = (("torchvision.ops.stochastic_depth", "stochastic_depth"),
                    _spec("input p mode training=True"), _stochastic_depth)


def lookup_function(f):
    """``(spec, builder)`` of a torch callable, or None."""
    try:
        found = FUNCTIONS.get(f)
    except TypeError:  # an unhashable target
        found = None
    if found is None and (getattr(f, "__module__", None), getattr(f, "__name__", None)) == \
            STOCHASTIC_DEPTH[0]:
        return STOCHASTIC_DEPTH[1:]
    return found
