"""torch modules and nnref layers, both ways, for the layers after the CNN era: transposed
convolution, upsampling, deep recurrent layers and multi-head attention. Registered in the
one table of :mod:`.modules` with its :func:`~.modules.pair`.

``MODULE_CALLS`` holds the forward arguments of the modules called with more than one
input (``self_attention(x, x, x, need_weights=False)``): their spec, and which of them go
to the nnref layer's constructor.
"""
from __future__ import annotations

from ...layers import LAYERS
from ._common import array, nn, refuse, tensor, torch_dtype
from .modules import _base, _copy, _load, pair


# -- transposed convolution -------------------------------------------------------------------
def _conv_t_from(m):
    nd = len(m.kernel_size)
    layer = LAYERS[f"ConvTranspose{nd}d"](
        m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding, m.output_padding,
        m.groups, m.bias is not None, m.dilation, m.padding_mode, rng=0)
    return _copy(layer, m, ("weight", "bias"))


def _conv_t_to(layer):
    module = getattr(nn, layer.kind)(
        layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride, layer.padding,
        layer.output_padding, layer.groups, layer.bias is not None, layer.dilation,
        layer.padding_mode)
    return _load(module, layer, ("weight", "bias"))


_CONV_T = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
pair(_CONV_T, tuple(c.__name__ for c in _CONV_T), _conv_t_from, _conv_t_to)


# -- upsampling ----------------------------------------------------------------------------------
def _upsample_from(m):
    kind = _base(m, _UPSAMPLE).__name__
    if kind == "Upsample":
        return LAYERS[kind](m.size, m.scale_factor, m.mode, m.align_corners,
                            m.recompute_scale_factor)
    return LAYERS[kind](m.size, m.scale_factor)


def _upsample_to(layer):
    if layer.kind == "Upsample":
        return nn.Upsample(layer.size, layer.scale_factor, layer.mode, layer.align_corners,
                           layer.recompute_scale_factor)
    return getattr(nn, layer.kind)(layer.size, layer.scale_factor)


_UPSAMPLE = (nn.UpsamplingNearest2d, nn.UpsamplingBilinear2d, nn.Upsample)
pair(_UPSAMPLE, tuple(c.__name__ for c in _UPSAMPLE), _upsample_from, _upsample_to)


# -- recurrent, any depth and direction -----------------------------------------------------------
def _rnn_from(m):
    kind = m.mode if m.mode in ("GRU", "LSTM") else "RNN"
    common = (m.bias, m.batch_first, float(m.dropout), m.bidirectional)
    if kind == "RNN":
        layer = LAYERS[kind](m.input_size, m.hidden_size, m.num_layers,
                             "relu" if m.mode == "RNN_RELU" else "tanh", *common, rng=0)
    elif kind == "LSTM":
        layer = LAYERS[kind](m.input_size, m.hidden_size, m.num_layers, *common, m.proj_size,
                             rng=0)
    else:
        layer = LAYERS[kind](m.input_size, m.hidden_size, m.num_layers, *common, rng=0)
    return _copy(layer, m, layer.param_names)


def _rnn_to(layer):
    kw = dict(num_layers=layer.num_layers, bias=layer.bias, batch_first=layer.batch_first,
              dropout=layer.dropout, bidirectional=layer.bidirectional)
    if layer.kind == "RNN":
        kw["nonlinearity"] = layer.nonlinearity
    if layer.kind == "LSTM":
        kw["proj_size"] = layer.proj_size
    module = getattr(nn, layer.kind)(layer.input_size, layer.hidden_size, **kw)
    return _load(module, layer, layer.param_names)


pair((nn.RNN, nn.GRU, nn.LSTM), ("RNN", "GRU", "LSTM"), _rnn_from, _rnn_to)


# -- multi-head attention ---------------------------------------------------------------------
def _mha_from(m):
    layer = LAYERS["MultiheadAttention"](
        m.embed_dim, m.num_heads, float(m.dropout), m.in_proj_bias is not None,
        m.bias_k is not None, m.add_zero_attn, m.kdim, m.vdim, m.batch_first, rng=0)
    for name in layer.param_names:
        value = m.get_parameter(name) if _has(m, name) else None
        if name.startswith("out_proj."):
            setattr(layer.out_proj, name[len("out_proj."):], None if value is None else array(value))
        else:
            setattr(layer, name, None if value is None else array(value))
    return layer


def _has(m, name):
    try:
        return m.get_parameter(name) is not None
    except AttributeError:
        return False


def _mha_to(layer):
    import torch

    module = nn.MultiheadAttention(layer.embed_dim, layer.num_heads, layer.dropout, layer.bias,
                                   layer.add_bias_kv, layer.add_zero_attn, layer.kdim,
                                   layer.vdim, layer.batch_first)
    values = {n: getattr(layer, n) for n in layer.param_names if getattr(layer, n) is not None}
    module = module.to(torch_dtype(next(iter(values.values())).dtype))
    with torch.no_grad():
        for name, value in values.items():
            module.get_parameter(name).copy_(tensor(value))
    return module.eval()


pair((nn.MultiheadAttention,), ("MultiheadAttention",), _mha_from, _mha_to)

#: torch module class -> (its forward's tensor arguments, its other arguments with their
#: defaults, which go to the nnref layer as attributes; a tensor one must be None).
MODULE_CALLS = {
    nn.MultiheadAttention: (("query", "key", "value"),
                            {"key_padding_mask": None, "need_weights": True, "attn_mask": None,
                             "average_attn_weights": True, "is_causal": False}),
}


def module_call_options(module, args, kwargs) -> tuple:
    """``(tensor arguments, options)`` of a call of a :data:`MODULE_CALLS` module."""
    tensors, options = MODULE_CALLS[_base(module, tuple(MODULE_CALLS))]
    names = list(tensors) + list(options)
    if len(args) > len(names):
        raise refuse("args", len(args), f"at most {len(names)} ({', '.join(names)})")
    bound = dict(options, **dict(zip(names, args)))
    for key, value in kwargs.items():
        if key not in names:
            raise refuse(key, value, f"only the arguments {', '.join(names)}")
        bound[key] = value
    missing = [n for n in tensors if n not in bound]
    if missing:
        raise refuse(missing[0], None, "a tensor")
    for key in ("key_padding_mask", "attn_mask"):
        if bound.get(key) is not None:
            raise refuse(key, "<tensor>", "None (a mask computed in forward; build the nnref "
                         "layer with the mask, or give is_causal=True)")
    return [bound[n] for n in tensors], {k: bound[k] for k in options
                                        if k not in ("key_padding_mask", "attn_mask")}
