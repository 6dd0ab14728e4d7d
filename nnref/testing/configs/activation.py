"""Strategies of the activations: ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, SiLU, Hardtanh,
Hardsigmoid, Hardswish, GELU, ELU, PReLU, Softplus, Mish. Inputs are scaled by 4 to reach the saturating parts."""
from __future__ import annotations

import inspect

import numpy as np
from hypothesis import strategies as st

from ._draw import family, seeds, shapes


@family("ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "SiLU", "Hardtanh", "Hardsigmoid",
        "Hardswish", scale=4.0)
def activation(draw, cls, *, dims=4, size=4):
    """LeakyReLU slopes 0, small, above 1 and negative; Hardtanh bounds on either side of 0;
    inplace or not; any shape (0-d too)."""
    kw = {}
    if "inplace" in inspect.signature(cls).parameters:
        kw["inplace"] = draw(st.booleans())
    if cls.__name__ == "LeakyReLU":
        kw["negative_slope"] = draw(st.sampled_from([0.01, 0.2, 1.5, 0.0, -0.5]))
    if cls.__name__ == "Hardtanh":
        lo = draw(st.sampled_from([-3.0, -1.0, 0.0, 0.5]))
        kw.update(min_val=lo, max_val=lo + draw(st.sampled_from([0.25, 1.0, 6.0])))
    return cls(**kw), draw(shapes(0, dims, size))


@family("GELU", "ELU", "PReLU", "Softplus", "Mish", scale=4.0)
def smooth(draw, cls, *, dims=4, size=4):
    """GELU (both forms), ELU (α of either sign, 0, 1), Softplus (β of either sign,
    thresholds crossed by the values), Mish, inplace where it exists, on any shape (0-d
    too); PReLU with one slope, or one per channel of axis 1, drawn at random."""
    name, kw = cls.__name__, {}
    if name == "GELU":
        kw["approximate"] = draw(st.sampled_from(["none", "tanh"]))
    elif name == "ELU":
        kw = dict(alpha=draw(st.sampled_from([1.0, 0.5, 2.0, 0.0, -0.5])),
                  inplace=draw(st.booleans()))
    elif name == "Softplus":
        kw = dict(beta=draw(st.sampled_from([1.0, 2.0, 0.5, -1.0])),
                  threshold=draw(st.sampled_from([20.0, 1.0, 0.0, -2.0])))
    elif name == "Mish":
        kw["inplace"] = draw(st.booleans())
    shape = draw(shapes(0, dims, size))
    if name == "PReLU":
        kw["num_parameters"] = draw(st.sampled_from([1, shape[1] if len(shape) >= 2 else 1]))
    layer = cls(**kw)
    if name == "PReLU":
        layer.weight = np.random.default_rng(draw(seeds)).standard_normal(
            layer.num_parameters).astype(np.float32)
    return layer, shape
