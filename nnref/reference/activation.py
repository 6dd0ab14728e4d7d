"""Traced reference of the elementwise activations, one :class:`Traced` scalar at a time.

Each element is computed from its definition: ReLU max(x, 0); ReLU6 min(max(x, 0), 6);
LeakyReLU x if x > 0 else a·x; Sigmoid 1/(1 + exp(−x)); Tanh 1 − 2/(exp(2x) + 1);
SiLU x·sigmoid(x); Hardtanh min(max(x, lo), hi); Hardsigmoid min(max(x + 3, 0), 6)/6;
Hardswish x·min(max(x + 3, 0), 6)/6. Counts: :func:`nnref.formulas.activation.activation`.
"""
from __future__ import annotations

from ._registry import traced
from ._scalar import Tally, exp, maximum, minimum, unwrap, wrap


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
