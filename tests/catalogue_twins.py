"""torch's side of the catalogue: each function computes, with torch's functional API,
what the nnref layer of the same configuration computes (``f(nnref layer, *tensors)``)."""
import operator

import numpy as np
from conftest import torch

F = torch.nn.functional


def _p(layer, name, dtype):
    value = getattr(layer, name)
    return None if value is None else torch.from_numpy(np.asarray(value)).to(dtype)


def _conv(layer, t):
    """torch's convolution, with torch's padding arguments: padding="same"/"valid", and a
    non-zero padding_mode as torch's own modules apply it (F.pad, then no padding)."""
    f = getattr(F, f"conv{len(layer.kernel_size)}d")
    padding = getattr(layer, "padding_string", None) or layer.padding
    if getattr(layer, "padding_mode", "zeros") != "zeros":
        ends = zip(reversed(layer.padding), reversed(layer.extra_padding))
        t = F.pad(t, [q for p, e in ends for q in (p, p + e)], mode=layer.padding_mode)
        padding = 0
    return f(t, _p(layer, "weight", t.dtype), _p(layer, "bias", t.dtype), layer.stride,
             padding, layer.dilation, layer.groups)


def _conv_transpose(layer, t):
    f = getattr(F, f"conv_transpose{len(layer.kernel_size)}d")
    return f(t, _p(layer, "weight", t.dtype), _p(layer, "bias", t.dtype), layer.stride,
             layer.padding, layer.output_padding, layer.groups, layer.dilation)


def _linear(layer, t):
    return F.linear(t, _p(layer, "weight", t.dtype), _p(layer, "bias", t.dtype))


def _pool(layer, t):
    nd, kind = int(layer.kind[-2]), layer.kind[:-6]  # "MaxPool2d" -> 2, "Max"
    if kind.startswith("Adaptive"):
        size = layer.output_size
        if nd == 1:  # torch's 1-D functions take no None (keep the input size)
            size = tuple(t.shape[-1] if o is None else o for o in size)
        return getattr(F, f"adaptive_{kind[8:].lower()}_pool{nd}d")(t, size)
    if kind == "Max":
        return getattr(F, f"max_pool{nd}d")(t, layer.kernel_size, layer.stride, layer.padding,
                                            layer.dilation, layer.ceil_mode)
    return getattr(F, f"avg_pool{nd}d")(t, layer.kernel_size, layer.stride, layer.padding,
                                        layer.ceil_mode, layer.count_include_pad)


def _batchnorm(layer, t):
    p = [_p(layer, n, t.dtype) for n in ("running_mean", "running_var", "weight", "bias")]
    return F.batch_norm(t, *p, training=False, eps=layer.eps)


def recurrent_module(layer, dtype):
    """The torch RNN/GRU/LSTM module of ``dtype`` holding the nnref ``layer``'s weights."""
    kw = dict(num_layers=layer.num_layers, bias=layer.bias, batch_first=layer.batch_first,
              dropout=layer.dropout, bidirectional=layer.bidirectional)
    kw |= {"RNN": dict(nonlinearity=getattr(layer, "nonlinearity", "tanh")), "GRU": {},
           "LSTM": dict(proj_size=layer.proj_size)}[layer.kind]
    module = getattr(torch.nn, layer.kind)(layer.input_size, layer.hidden_size, **kw).to(dtype)
    module.eval()
    with torch.no_grad():
        for name in layer.parameters():
            getattr(module, name).copy_(_p(layer, name, dtype))
    return module


def _recurrent(layer, t):
    with torch.no_grad():
        return recurrent_module(layer, t.dtype)(t)[0]


_BINARY = {"Add": operator.add, "Sub": operator.sub, "Mul": operator.mul,
           "Div": operator.truediv}


def _binary(layer, *ts):
    f = _BINARY[layer.kind]
    if layer.other is None:
        return f(*ts)
    return f(layer.other, ts[0]) if layer.reverse else f(ts[0], layer.other)


def _interpolate(layer, t):
    return F.interpolate(t, layer.size, layer.scale_factor, layer.mode, layer.align_corners,
                         recompute_scale_factor=layer.recompute_scale_factor)


def _upsampling(layer, t):
    """torch's own UpsamplingNearest2d / UpsamplingBilinear2d module."""
    return getattr(torch.nn, layer.kind)(layer.size, layer.scale_factor)(t)


def _baddbmm(layer, c, a, b):
    return torch.baddbmm(c, a, b, beta=layer.beta, alpha=layer.alpha)


# -- norms with the input's statistics, the activations, LogSoftmax and Embedding of issue 9 ----

def _layer_norm(layer, t):
    return F.layer_norm(t, layer.normalized_shape, _p(layer, "weight", t.dtype),
                        _p(layer, "bias", t.dtype), layer.eps)


def _group_norm(layer, t):
    return F.group_norm(t, layer.num_groups, _p(layer, "weight", t.dtype),
                        _p(layer, "bias", t.dtype), layer.eps)


def _instance_norm(layer, t):
    """torch's eval mode: the running statistics if tracked, else the input's (an unbatched
    input runs as a batch of one, as nn.InstanceNorm*d does)."""
    unbatched = t.ndim == layer.spatial + 1
    p = [_p(layer, n, t.dtype) for n in ("running_mean", "running_var", "weight", "bias")]
    y = F.instance_norm(t[None] if unbatched else t, *p,
                        use_input_stats=not layer.track_running_stats, eps=layer.eps)
    return y[0] if unbatched else y


def _gelu(layer, t):
    """torch's GELU computed in float64, then cast: torch's float32 exact GELU gives NaN at
    +inf (its vectorised erf path; float64 gives inf, the limit, as nnref does)."""
    return F.gelu(t.double(), approximate=layer.approximate).to(t.dtype)


def _prelu(layer, t):
    return F.prelu(t, _p(layer, "weight", t.dtype))


def _embedding(layer, t):
    return F.embedding(t, torch.from_numpy(np.asarray(layer.weight)), layer.padding_idx)
