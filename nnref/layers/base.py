"""The Layer base class: validation on call, parameters, PyTorch-style repr."""
from __future__ import annotations

import numpy as np

from ..core.validate import check_array, check_param, check_shape, make_rng

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
    #: False: every operand has the input shape (Add). True: each operand has a shape of its
    #: own, and the input shape that ``output_shape``, the formulas and the plans take is the
    #: tuple of the operands' shapes, e.g. ``((2, 3, 4), (4, 5))`` for a MatMul.
    shaped_operands: bool = False

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
        x = check_array(x, self.kind)
        self.output_shape(x.shape)  # validates the shape, with a message naming it
        return self.forward(x)

    def check_shape(self, input_shape) -> tuple:
        return check_shape(input_shape, self.kind)

    def operand_shapes(self, input_shape) -> tuple:
        """The shape of each of the ``operands`` inputs of ``input_shape``."""
        shape = self.check_shape(input_shape)
        return shape if self.shaped_operands else (shape,) * self.operands

    def input_shape_of(self, shapes) -> tuple:
        """The input shape of operands of ``shapes`` (one shape per operand, in order).

        Operands of a layer without :attr:`shaped_operands` must share one shape; a
        ValueError names the shapes otherwise.
        """
        shapes = tuple(tuple(s) for s in shapes)
        if len(shapes) != self.operands:
            raise ValueError(f"{self.kind}: {len(shapes)} operands of shapes {list(shapes)}; "
                             f"expected {self.operands}")
        if self.shaped_operands:
            return self.check_shape(shapes)
        if any(s != shapes[0] for s in shapes[1:]):
            raise ValueError(f"{self.kind}: operands of shapes {list(shapes)}; expected equal "
                             "shapes")
        return shapes[0]

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
