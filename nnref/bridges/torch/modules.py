"""torch modules and nnref layers, both ways: the one table of the module calls.

``FROM_TORCH`` maps a torch module class to ``f(module) -> nnref layer`` (weights copied,
every constructor argument honoured or refused by name); ``TO_TORCH`` maps an nnref layer
class name to ``f(layer) -> torch module``. Each family's pair sits together below.
"""
from __future__ import annotations

from types import MappingProxyType

from ...layers import LAYERS
from ._common import Unsupported, array, nn, refuse, tensor, torch_dtype

_FROM: dict = {}
_TO: dict = {}
#: Read-only views of the tables; entries are added only through :func:`pair`, here and in
#: :mod:`.modules_more`, whichever module is imported first.
FROM_TORCH = MappingProxyType(_FROM)
TO_TORCH = MappingProxyType(_TO)


def pair(torch_classes, kinds, to_nnref, to_torch):
    """Register ``to_nnref`` for every torch class and ``to_torch`` for every nnref kind; a
    class or kind registered twice is an error."""
    for table, keys, f in ((_FROM, torch_classes, to_nnref), (_TO, kinds, to_torch)):
        for key in keys:
            if key in table:
                raise RuntimeError(f"torch bridge: {key!r} is registered twice")
            table[key] = f


def _copy(layer, module, names):
    """Set the nnref layer's arrays ``names`` from the module's tensors (None stays None)."""
    for name in names:
        setattr(layer, name, array(getattr(module, name)))
    return layer


def _load(module, layer, names):
    """The torch module, cast to the dtype of the nnref layer's arrays, with its tensors
    ``names`` set from them."""
    import torch

    arrays = [getattr(layer, name) for name in names]
    module = module.to(torch_dtype(next(a for a in arrays if a is not None).dtype))
    with torch.no_grad():
        for name, value in zip(names, arrays):
            if value is not None:
                getattr(module, name).copy_(tensor(value))
    return module


# -- convolutions ------------------------------------------------------------------------
def _conv_from(m):
    nd = len(m.kernel_size)
    padding = m.padding if isinstance(m.padding, str) else tuple(m.padding)
    return _copy(LAYERS[f"Conv{nd}d"](m.in_channels, m.out_channels, m.kernel_size, m.stride,
                                       padding, m.dilation, m.groups, m.bias is not None,
                                       m.padding_mode, rng=0), m, ("weight", "bias"))


def _conv_to(layer):
    nd = len(layer.kernel_size)
    padding = getattr(layer, "padding_string", None) or tuple(layer.padding)
    module = getattr(nn, f"Conv{nd}d")(
        layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride, padding,
        layer.dilation, layer.groups, layer.bias is not None,
        getattr(layer, "padding_mode", "zeros"))
    return _load(module, layer, ("weight", "bias"))


pair((nn.Conv1d, nn.Conv2d, nn.Conv3d),
     ("Conv1d", "Conv2d", "Conv3d", "DepthwiseConv2d", "PointwiseConv2d"), _conv_from, _conv_to)


# -- dense ---------------------------------------------------------------------------------
def _linear_from(m):
    return _copy(LAYERS["Linear"](m.in_features, m.out_features, m.bias is not None, rng=0), m,
                 ("weight", "bias"))


def _linear_to(layer):
    module = nn.Linear(layer.in_features, layer.out_features, layer.bias is not None)
    return _load(module, layer, ("weight", "bias"))


pair((nn.Linear,), ("Dense", "Linear"), _linear_from, _linear_to)


# -- batch norm ------------------------------------------------------------------------------
_BN = ("weight", "bias", "running_mean", "running_var")


def _bn_from(m):
    if not m.track_running_stats or m.running_mean is None:
        raise refuse("track_running_stats", m.track_running_stats,
                     "True (in eval, batch norm without running statistics uses the batch's)")
    if m.affine and m.bias is None:
        raise refuse("bias", False, "a bias with affine=True (nnref's affine is γ and β)")
    nd = {nn.BatchNorm1d: 1, nn.BatchNorm2d: 2, nn.BatchNorm3d: 3}[_base(m, _BN_CLASSES)]
    layer = LAYERS[f"BatchNorm{nd}d"](m.num_features, m.eps, m.momentum, m.affine)
    return _copy(layer, m, _BN if m.affine else _BN[2:])


def _bn_to(layer):
    module = getattr(nn, layer.kind)(layer.num_features, layer.eps, layer.momentum, layer.affine)
    return _load(module, layer, _BN if layer.affine else _BN[2:]).eval()


_BN_CLASSES = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)
pair(_BN_CLASSES, ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d"), _bn_from, _bn_to)


def _base(m, classes):
    """The class of ``classes`` that ``m`` is an instance of, most specific first."""
    return next(c for c in type(m).__mro__ if c in classes)


# -- activations, softmax ----------------------------------------------------------------------
def _same(names, *attrs):
    """A pair for classes of one name in torch and nnref whose arguments are ``attrs``."""
    for name in names:
        def from_torch(m, name=name):
            return LAYERS[name](**{a: getattr(m, a) for a in attrs if hasattr(m, a)})

        def to_torch(layer, name=name):
            return getattr(nn, name)(**{a: getattr(layer, a) for a in attrs if hasattr(layer, a)})

        pair((getattr(nn, name),), (name,), from_torch, to_torch)


_same(("ReLU", "ReLU6", "SiLU", "Hardsigmoid", "Hardswish"), "inplace")
_same(("Sigmoid", "Tanh", "Identity"))
_same(("LeakyReLU",), "negative_slope", "inplace")
_same(("Hardtanh",), "min_val", "max_val", "inplace")
_same(("Flatten",), "start_dim", "end_dim")
_same(("ChannelShuffle",), "groups")


def _softmax_from(m):
    if m.dim is None:
        raise refuse("dim", None, "an int axis (torch's implicit dim is deprecated)")
    return LAYERS["Softmax"](m.dim)


pair((nn.Softmax,), (), _softmax_from, None)
pair((), ("Softmax",), None, lambda layer: nn.Softmax(layer.dim))


def _dropout_from(m):
    return LAYERS["Dropout"](float(m.p), m.inplace)


pair((nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout,
      nn.FeatureAlphaDropout), ("Dropout",), _dropout_from, lambda layer: nn.Dropout(layer.p))


_same(("GELU",), "approximate")
_same(("ELU",), "alpha", "inplace")
_same(("Softplus",), "beta", "threshold")
_same(("Mish",), "inplace")


def _log_softmax_from(m):
    if m.dim is None:
        raise refuse("dim", None, "an int axis (torch's implicit dim is deprecated)")
    return LAYERS["LogSoftmax"](m.dim)


pair((nn.LogSoftmax,), ("LogSoftmax",), _log_softmax_from, lambda layer: nn.LogSoftmax(layer.dim))


def _prelu_from(m):
    return _copy(LAYERS["PReLU"](m.num_parameters, rng=0), m, ("weight",))


def _prelu_to(layer):
    return _load(nn.PReLU(layer.num_parameters), layer, ("weight",))


pair((nn.PReLU,), ("PReLU",), _prelu_from, _prelu_to)


# -- normalisation over the input's own statistics, embedding -----------------------------
def _layer_norm_from(m):
    layer = LAYERS["LayerNorm"](tuple(m.normalized_shape), m.eps, m.elementwise_affine,
                                m.bias is not None, rng=0)
    return _copy(layer, m, ("weight", "bias"))


def _layer_norm_to(layer):
    module = nn.LayerNorm(layer.normalized_shape, layer.eps, layer.elementwise_affine,
                          bias=layer.shifted)
    return _load(module, layer, ("weight", "bias")) if layer.scaled else module


def _group_norm_from(m):
    layer = LAYERS["GroupNorm"](m.num_groups, m.num_channels, m.eps, m.affine, rng=0)
    return _copy(layer, m, ("weight", "bias"))


def _group_norm_to(layer):
    module = nn.GroupNorm(layer.num_groups, layer.num_channels, layer.eps, layer.affine)
    return _load(module, layer, ("weight", "bias")) if layer.affine else module


def _instance_from(m):
    kind = _base(m, _INSTANCE).__name__
    layer = LAYERS[kind](m.num_features, m.eps, m.momentum, m.affine, m.track_running_stats,
                         rng=0)
    return _copy(layer, m, ("weight", "bias") + layer.buffer_names)


def _instance_to(layer):
    module = getattr(nn, layer.kind)(layer.num_features, layer.eps, layer.momentum,
                                     layer.affine, layer.track_running_stats)
    names = ("weight", "bias") * layer.affine + tuple(layer.buffer_names)
    return _load(module, layer, names).eval() if names else module.eval()


_INSTANCE = (nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d)
pair((nn.LayerNorm,), ("LayerNorm",), _layer_norm_from, _layer_norm_to)
pair((nn.GroupNorm,), ("GroupNorm",), _group_norm_from, _group_norm_to)
pair(_INSTANCE, tuple(c.__name__ for c in _INSTANCE), _instance_from, _instance_to)


def _embedding_from(m):
    layer = LAYERS["Embedding"](m.num_embeddings, m.embedding_dim, m.padding_idx, m.max_norm,
                                m.norm_type, m.scale_grad_by_freq, m.sparse, rng=0)
    return _copy(layer, m, ("weight",))


def _embedding_to(layer):
    module = nn.Embedding(layer.num_embeddings, layer.embedding_dim, layer.padding_idx,
                          layer.max_norm, layer.norm_type, layer.scale_grad_by_freq,
                          layer.sparse)
    return _load(module, layer, ("weight",))


pair((nn.Embedding,), ("Embedding",), _embedding_from, _embedding_to)


# -- pooling -----------------------------------------------------------------------------------
def _pool_from(m):
    kind = type(m).__name__ if type(m) in _POOLS else _base(m, _POOLS).__name__
    if getattr(m, "return_indices", False):
        raise refuse("return_indices", True, "False (nnref returns the pooled values only)")
    if getattr(m, "divisor_override", None) is not None:
        raise refuse("divisor_override", m.divisor_override, "None (the window's own divisor)")
    if kind.startswith("Adaptive"):
        return LAYERS[kind](m.output_size)
    if kind.startswith("Max"):
        return LAYERS[kind](m.kernel_size, m.stride, m.padding, m.dilation, m.ceil_mode)
    return LAYERS[kind](m.kernel_size, m.stride, m.padding, m.ceil_mode, m.count_include_pad)


def _pool_to(layer):
    cls = getattr(nn, layer.kind)
    if layer.kind.startswith("Adaptive"):
        size = layer.output_size
        return cls(size[0] if len(size) == 1 else size)
    if layer.kind.startswith("Max"):
        return cls(layer.kernel_size, layer.stride, layer.padding, layer.dilation,
                   ceil_mode=layer.ceil_mode)
    return cls(layer.kernel_size, layer.stride, layer.padding, layer.ceil_mode,
               layer.count_include_pad)


_POOLS = tuple(getattr(nn, f"{k}Pool{d}d") for k in ("Max", "Avg", "AdaptiveMax", "AdaptiveAvg")
               for d in (1, 2, 3))
pair(_POOLS, tuple(c.__name__ for c in _POOLS), _pool_from, _pool_to)


from . import modules_more  # noqa: E402,F401  (transposed conv, upsampling, deep RNNs, attention)

#: torch modules whose call returns a tuple whose item 0 is the nnref layer's output.
TUPLE_OUTPUT = frozenset({nn.RNN, nn.GRU, nn.LSTM, nn.MultiheadAttention})



def lookup(module):
    """``(torch class, builder)`` for ``module``: its class, or the nearest base in
    :data:`FROM_TORCH` when the subclass keeps its forward (a subclass that overrides
    ``forward`` is traced through instead); None if there is none."""
    for cls in type(module).__mro__:
        if cls in FROM_TORCH:
            if cls is type(module) or type(module).forward is cls.forward:
                return cls, FROM_TORCH[cls]
            return None
    return None


def from_module(module):
    """The nnref layer of a torch leaf module; :class:`Unsupported` naming what is not."""
    found = lookup(module)
    if found is None:
        raise Unsupported(f"no nnref layer for module {type(module).__name__}")
    return found[1](module)


def to_module(layer):
    """The torch module of an nnref layer (its weights copied); :class:`Unsupported` if
    torch has no module for it (the layer is then emitted as a function call)."""
    f = TO_TORCH.get(layer.kind)
    if f is None:
        raise Unsupported(f"torch has no module for {layer.kind}")
    return f(layer)
