"""Traced reference of the elementwise activations, one :class:`Traced` scalar at a time.

Each element is computed from its definition: ReLU max(x, 0); ReLU6 min(max(x, 0), 6);
LeakyReLU x if x > 0 else a·x; Sigmoid 1/(1 + exp(−x)); Tanh 1 − 2/(exp(2x) + 1);
SiLU x·sigmoid(x); Hardtanh min(max(x, lo), hi); Hardsigmoid min(max(x + 3, 0), 6)/6;
Hardswish x·min(max(x + 3, 0), 6)/6; GELU x·0.5·(1 + erf(x/√2)) or
x·0.5·(1 + tanh(√(2/π)·(x + 0.044715·x³))); ELU x if x > 0 else α·(exp(x) − 1); PReLU as
LeakyReLU with its channel's slope; Softplus x if β·x > threshold else log(1 + exp(β·x))/β;
Mish x·tanh(log(1 + exp(x))). Counts: :func:`nnref.formulas.activation.activation`.
"""
from __future__ import annotations

import numpy as np

from ._registry import traced
from ._scalar import Tally, Traced, erf, exp, log, maximum, minimum, unwrap, wrap


def _elementwise(*names):
    """Register ``f(t, layer)``, the traced value of one element, as the reference of ``names``."""

    def register(f):
        @traced(*names)
        def reference(layer, x):
            tally = Tally()
            y = [f(t, layer) for t in wrap(x, tally).flat]
            return unwrap(y, x.dtype).reshape(x.shape), tally.counts()

        return f

    return register


@_elementwise("ReLU")
def _relu(t, layer):
    return maximum(t, 0.0)


@_elementwise("ReLU6")
def _relu6(t, layer):
    return minimum(maximum(t, 0.0), 6.0)


@_elementwise("LeakyReLU")
def _leaky_relu(t, layer):
    m = layer.negative_slope * t  # always computed, so the count does not depend on x
    return t if t > 0.0 else m  # NaN > 0 is false and a·NaN is NaN


@_elementwise("Sigmoid")
def _sigmoid(t, layer):
    return 1.0 / (1.0 + exp(-t))


@_elementwise("Tanh")
def _tanh(t, layer):
    return 1.0 - 2.0 / (exp(2.0 * t) + 1.0)


@_elementwise("SiLU")
def _silu(t, layer):
    return t * (1.0 / (1.0 + exp(-t)))


@_elementwise("Hardtanh")
def _hardtanh(t, layer):
    return minimum(maximum(t, layer.min_val), layer.max_val)


@_elementwise("Hardsigmoid")
def _hardsigmoid(t, layer):
    return minimum(maximum(t + 3.0, 0.0), 6.0) / 6.0


@_elementwise("Hardswish")
def _hardswish(t, layer):
    return t * minimum(maximum(t + 3.0, 0.0), 6.0) / 6.0


# -- GELU, ELU, PReLU, Softplus, Mish --------------------------------------------------------

@_elementwise("GELU")
def _gelu(t, layer):
    if layer.approximate == "tanh":
        u = 0.7978845608028654 * (t + 0.044715 * (t * t * t))
        return (t * 0.5) * (1.0 + _tanh(u, layer))
    return (t * 0.5) * (1.0 + erf(t * 0.7071067811865476))


@_elementwise("ELU")
def _elu(t, layer):
    m = layer.alpha * (exp(t) - 1.0)  # always computed
    return t if t > 0.0 else m


@_elementwise("Softplus")
def _softplus(t, layer):
    z = layer.beta * t
    s = log(1.0 + exp(z)) / layer.beta  # always computed
    return t if z > layer.threshold else s


@_elementwise("Mish")
def _mish(t, layer):
    return t * _tanh(log(1.0 + exp(t)), layer)


@traced("PReLU")
def prelu(layer, x):
    """PReLU: the slope of channel c (axis 1; the only one below 2-D, or when there is one)."""
    tally = Tally()
    weight = layer.param("weight", (layer.num_parameters,), x.dtype)
    out = np.empty(x.shape, dtype=object)
    for idx, v in np.ndenumerate(wrap(x, tally)):
        a = Traced(weight[idx[1] if layer.num_parameters > 1 else 0], tally)
        m = a * v  # always computed
        out[idx] = v if v > 0.0 else m
    return unwrap(out, x.dtype), tally.counts()
