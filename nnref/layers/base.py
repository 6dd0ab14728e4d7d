"""The Layer base class: validation on call, parameters, PyTorch-style repr."""
from __future__ import annotations

import numpy as np

from .validate import check_array, check_param, check_shape


def make_rng(rng) -> np.random.Generator:
    """A numpy Generator from None, an int seed, or a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng={rng!r} is invalid; expected None, an int seed or a numpy Generator")


def uniform_init(rng: np.random.Generator, shape: tuple, fan_in: int) -> np.ndarray:
    """PyTorch's default init: U(−1/√fan_in, 1/√fan_in), as float32."""
    bound = np.float32(1.0 / np.sqrt(max(fan_in, 1)))
    return (rng.random(shape, dtype=np.float32) * 2 - 1) * bound


def lift(x: np.ndarray, spatial: int) -> np.ndarray:
    """View (N, C, *S) with ``spatial`` axes as (N, C, D, H, W), padding with 1s in front."""
    return x.reshape(x.shape[:2] + (1,) * (3 - spatial) + x.shape[2:])


def lift3(t: tuple, fill: int) -> tuple:
    """Pad a per-axis tuple of length 1–3 to length 3 with ``fill`` in front."""
    return (fill,) * (3 - len(t)) + tuple(t)


class Layer:
    """Base class. Subclasses implement ``forward`` and ``output_shape``.

    ``layer(x)`` returns ``(y, ops)``: the output, with ``y.dtype == x.dtype``, and the
    :class:`~nnref.OpCounts` that the kernels counted while computing it.
    """

    #: Names of the parameter attributes, in PyTorch's order.
    param_names: tuple = ()

    def __init__(self):
        self.name = ""  # dotted name, set by the model that holds the layer

    # -- to implement -------------------------------------------------------------
    def forward(self, x: np.ndarray):
        """Compute ``(y, ops)`` for a validated input."""
        raise NotImplementedError

    def output_shape(self, input_shape: tuple) -> tuple:
        """The output shape for ``input_shape``; a ValueError if the layer cannot take it."""
        raise NotImplementedError

    def extra_repr(self) -> str:
        return ""

    # -- shared -------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return type(self).__name__

    def __call__(self, x):
        x = check_array(x, self.kind)
        self.output_shape(x.shape)  # validates the shape, with a message naming it
        return self.forward(x)

    def check_shape(self, input_shape) -> tuple:
        return check_shape(input_shape, self.kind)

    def parameters(self) -> dict:
        """The parameter arrays by PyTorch name (absent ones, such as bias=False, left out)."""
        return {n: getattr(self, n) for n in self.param_names if getattr(self, n) is not None}

    @property
    def num_params(self) -> int:
        return sum(int(np.asarray(p).size) for p in self.parameters().values())

    def param(self, name: str, shape: tuple, dtype) -> np.ndarray | None:
        """Parameter ``name`` checked for ``shape`` and cast to a contiguous ``dtype`` array."""
        value = getattr(self, name)
        if value is None:
            return None
        return np.ascontiguousarray(check_param(value, name, self.kind, shape), dtype=dtype)

    def __repr__(self):
        return f"{self.kind}({self.extra_repr()})"
