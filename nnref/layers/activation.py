"""Elementwise activations: ReLU, ReLU6, Hardtanh, LeakyReLU, Sigmoid, Tanh, SiLU,
Hardsigmoid, Hardswish.

Each works on any shape; the output has the input's shape and dtype. As in PyTorch, all
but Sigmoid and Tanh take ``inplace``: with True the result is also written into ``x``
(which must be writeable) and ``x`` is returned.

Counts: :func:`nnref.formulas.activation.activation`.
"""
from __future__ import annotations

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import check_bool, check_float
from .base import Layer


class _Elementwise(Layer):
    """Shared forward for the activations; subclasses set ``op`` (a kernel op code name)."""

    op = ""
    inplace = False

    def output_shape(self, input_shape):
        return self.check_shape(input_shape)

    def forward(self, x):
        from ..kernels import activation as K

        if self.inplace and not x.flags.writeable:
            raise ValueError(f"{self.kind}: inplace=True needs a writeable x; x is read-only")
        y = np.empty(x.shape, x.dtype)  # x's shape, also for a 0-d x
        flat = np.ascontiguousarray(x).reshape(-1)
        rows = K.elementwise(flat, y.reshape(-1), getattr(K, self.op), *self._params())
        if self.inplace:
            np.copyto(x, y)
            y = x
        return y, OpCounts.from_rows(rows)

    def _params(self) -> tuple:
        """The two constants the kernel's op reads (LeakyReLU's slope, Hardtanh's bounds)."""
        return 0.0, 0.0

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class _InPlace(_Elementwise):
    """An activation with PyTorch's ``inplace`` flag."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = check_bool(inplace, "inplace", self.kind)


class ReLU(_InPlace):
    """y = max(x, 0). Counts: :func:`nnref.formulas.activation.activation`."""

    op = "RELU"


class ReLU6(_InPlace):
    """y = min(max(x, 0), 6). Counts: :func:`nnref.formulas.activation.activation`."""

    op = "RELU6"


class LeakyReLU(_Elementwise):
    """y = x if x > 0 else a·x. Counts: :func:`nnref.formulas.activation.activation`.

    Parameters
    ----------
    negative_slope : float
        a, any finite number (PyTorch's default 0.01).
    inplace : bool
        Also write the result into ``x``.
    """

    op = "LEAKY_RELU"

    def __init__(self, negative_slope: float = 0.01, inplace=False):
        super().__init__()
        self.negative_slope = check_float(negative_slope, "negative_slope", "LeakyReLU")
        self.inplace = check_bool(inplace, "inplace", "LeakyReLU")

    def _params(self):
        return self.negative_slope, 0.0

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(_Elementwise):
    """y = 1 / (1 + exp(−x)). Counts: :func:`nnref.formulas.activation.activation`."""

    op = "SIGMOID"


class Tanh(_Elementwise):
    """y = 1 − 2 / (exp(2x) + 1), a form that gives ±1, not NaN, for large |x|.

    Counts: :func:`nnref.formulas.activation.activation`.
    """

    op = "TANH"


class SiLU(_InPlace):
    """y = x · sigmoid(x). Counts: :func:`nnref.formulas.activation.activation`."""

    op = "SILU"


class Hardtanh(_Elementwise):
    """y = min(max(x, min_val), max_val). Counts: :func:`nnref.formulas.activation.activation`.

    Parameters
    ----------
    min_val, max_val : float
        The bounds, finite, with min_val < max_val (torch's defaults −1 and 1). torch's
        ``nn.ReLU6`` is ``Hardtanh(0, 6)``; nnref's :class:`ReLU6` counts the same.
    inplace : bool
        Also write the result into ``x``.
    """

    op = "HARDTANH"

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace=False):
        super().__init__()
        self.min_val = check_float(min_val, "min_val", "Hardtanh")
        self.max_val = check_float(max_val, "max_val", "Hardtanh")
        if not self.min_val < self.max_val:
            raise ValueError(f"Hardtanh: max_val={max_val!r} is invalid; expected a value "
                             f"above min_val={min_val!r}")
        self.inplace = check_bool(inplace, "inplace", "Hardtanh")

    def _params(self):
        return self.min_val, self.max_val

    def extra_repr(self):
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                + (", inplace=True" if self.inplace else ""))


class Hardsigmoid(_InPlace):
    """y = relu6(x + 3) / 6 = min(max(x + 3, 0), 6) / 6.

    Counts: :func:`nnref.formulas.activation.activation`.
    """

    op = "HARDSIGMOID"


class Hardswish(_InPlace):
    """y = x · relu6(x + 3) / 6, i.e. x · hardsigmoid(x) (torch multiplies, then divides).

    Counts: :func:`nnref.formulas.activation.activation`.
    """

    op = "HARDSWISH"
