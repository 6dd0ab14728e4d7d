"""The Layer base class: validation on call, parameters, PyTorch-style repr."""
from __future__ import annotations

import numpy as np

from ..core.validate import check_array, check_param, check_shape, is_shape_tuple, make_rng

__all__ = ["Layer", "lift", "lift3", "make_rng", "uniform_init"]


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
    #: Number of input arrays ``__call__`` takes (2 for Add, 2 or 3 for the matrix products).
    operands: int = 1

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
        """The arguments shown inside ``repr(layer)``, as PyTorch's ``extra_repr``."""
        return ""

    def _changed(self, defaults) -> str:
        """``", name=value"`` for each ``(name, default)`` pair whose attribute differs from it."""
        return "".join(f", {n}={getattr(self, n)!r}" for n, d in defaults if getattr(self, n) != d)

    # -- shared -------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return type(self).__name__

    def __call__(self, x):
        x = self.check_input(x)
        self.output_shape(x.shape)  # validates the shape, with a message naming it
        return self.forward(x)

    def check_input(self, x, name: str = "x", owner: str | None = None) -> np.ndarray:
        """``x`` as an array this layer takes, before its shape is checked: float32 or
        float64 (Embedding takes integer indices). Errors name ``owner`` (the layer's kind)."""
        return check_array(x, owner or self.kind, name)

    def random_input(self, rng: np.random.Generator, shape: tuple, dtype) -> np.ndarray:
        """A random input of ``shape`` that this layer takes, for :func:`nnref.count`:
        standard-normal values of ``dtype`` (Embedding: indices)."""
        return rng.standard_normal(shape, dtype=dtype)

    def check_shape(self, input_shape) -> tuple:
        return check_shape(input_shape, self.kind)

    @property
    def operand_counts(self) -> tuple:
        """The numbers of arrays ``__call__`` takes: ``(operands,)``; MultiheadAttention's
        ``(1, 3)`` (one array is self-attention: every operand is it)."""
        return (self.operands,)

    def operand_shapes(self, input_shape) -> tuple:
        """The shape of each of the ``operands`` inputs: ``input_shape`` is one shape (every
        operand has it) or a tuple of one shape per operand (``((2, 3, 4), (4, 5))`` for a
        MatMul, ``((1, 8, 5, 5), (1, 8, 1, 1))`` for a broadcast Mul). A layer that also
        takes one array for all its operands (MultiheadAttention: self-attention) takes
        one array of a plain shape."""
        shape = self.check_shape(input_shape)
        return tuple(shape) if is_shape_tuple(shape) else (shape,) * min(self.operand_counts)

    def parameters(self) -> dict:
        """The parameter arrays by PyTorch name (absent ones, such as bias=False, left out)."""
        return {n: getattr(self, n) for n in self.param_names if getattr(self, n) is not None}

    @property
    def num_params(self) -> int:
        return sum(int(np.asarray(p).size) for p in self.parameters().values())

    def param(self, name: str, shape: tuple, dtype, present: bool | None = True) -> np.ndarray | None:
        """Parameter ``name`` checked for ``shape`` and cast to a contiguous ``dtype`` array.

        ``present``: True if the layer must have it, False if it must not (it must be
        None, and None is returned), None if None simply means "no such parameter" (a
        convolution's ``bias``).
        """
        value = getattr(self, name)
        if value is None:
            if present:
                raise TypeError(f"{self.kind}: {name}=None is invalid; expected an array of "
                                f"shape {tuple(shape)}")
            return None
        if present is False:
            raise ValueError(f"{self.kind}: {name} is an array, but this layer was built without "
                             f"it ({self!r}); expected {name}=None")
        return np.ascontiguousarray(check_param(value, name, self.kind, shape), dtype=dtype)

    def __repr__(self):
        return f"{self.kind}({self.extra_repr()})"
