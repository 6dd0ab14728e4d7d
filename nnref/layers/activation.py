"""Elementwise activations: ReLU, ReLU6, Hardtanh, LeakyReLU, Sigmoid, Tanh, SiLU,
Hardsigmoid, Hardswish, GELU, ELU, PReLU, Softplus, Mish.

Each works on any shape; the output has the input's shape and dtype. As in PyTorch,
all but Sigmoid, Tanh, GELU, Softplus and PReLU take ``inplace``: with True the result is also
written into ``x`` (which must be writeable) and ``x`` is returned.

Counts: :func:`nnref.formulas.activation.activation`.
"""
from __future__ import annotations

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import check_bool, check_float, check_int, check_str, make_rng
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
        rows = self._kernel(K, np.ascontiguousarray(x).reshape(-1), y.reshape(-1))
        if self.inplace:
            np.copyto(x, y)
            y = x
        return y, OpCounts.from_rows(rows)

    def _kernel(self, K, flat, out):
        """Run the counted kernel of :mod:`nnref.kernels.activation` on ``flat`` into ``out``."""
        return K.elementwise(flat, out, getattr(K, self.op), *self._params())

    def _params(self) -> tuple:
        """The two constants the kernel's op reads (LeakyReLU's slope, Hardtanh's bounds)."""
        return 0.0, 0.0

    def clamp(self):
        """``(lo, hi)`` if this activation clamps (``hi`` None: from below only), which the
        BatchNorm it alone reads can do in its own pass (:func:`nnref.models.run.fusable`);
        else None."""
        return None

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

    def clamp(self):
        return 0.0, None


class ReLU6(_InPlace):
    """y = min(max(x, 0), 6). Counts: :func:`nnref.formulas.activation.activation`."""

    op = "RELU6"

    def clamp(self):
        return 0.0, 6.0


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

    def clamp(self):
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


# -- GELU, ELU, PReLU, Softplus, Mish --------------------------------------------------------

class _Smooth(_Elementwise):
    """An activation of the kernel :func:`nnref.kernels.activation.smooth`, which takes the
    op code ``op`` and two constants (``_constants``)."""

    def _kernel(self, K, flat, out):
        return K.smooth(flat, out, getattr(K, self.op), *self._constants())

    def _constants(self) -> tuple:
        return 0.0, 0.0


class GELU(_Smooth):
    """y = x · Φ(x), Φ the standard normal CDF: exactly, or with torch's tanh approximation.

    Parameters
    ----------
    approximate : {"none", "tanh"}
        "none": y = x·0.5·(1 + erf(x/√2));
        "tanh": y = x·0.5·(1 + tanh(√(2/π)·(x + 0.044715·x³))).

    Notes
    -----
    Counts: :func:`nnref.formulas.activation.activation` ("GELU", "GELU(tanh)").
    """

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = check_str(approximate, "approximate", "GELU", ("none", "tanh"))
        self.op = "GELU_TANH" if self.approximate == "tanh" else "GELU"

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class ELU(_Smooth):
    """y = x if x > 0 else α·(exp(x) − 1). Counts: :func:`nnref.formulas.activation.activation`.

    Parameters
    ----------
    alpha : float
        α, any finite number (PyTorch's default 1.0).
    inplace : bool
        Also write the result into ``x``.
    """

    op = "ELU"

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = check_float(alpha, "alpha", "ELU")
        self.inplace = check_bool(inplace, "inplace", "ELU")

    def _constants(self):
        return self.alpha, 0.0

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Softplus(_Smooth):
    """y = log(1 + exp(β·x)) / β, or x where β·x > threshold (torch's linear regime).

    Parameters
    ----------
    beta : float
        β, a finite number other than 0 (PyTorch's default 1.0).
    threshold : float
        Above it β·x gives y = x (PyTorch's default 20.0).

    Notes
    -----
    Both sides are computed for every element and one is selected, so the counts do not
    depend on the values. Counts: :func:`nnref.formulas.activation.activation`.
    """

    op = "SOFTPLUS"

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = check_float(beta, "beta", "Softplus")
        if self.beta == 0:
            raise ValueError("Softplus: beta=0.0 is invalid; expected a finite number other than 0")
        self.threshold = check_float(threshold, "threshold", "Softplus")

    def _constants(self):
        return self.beta, self.threshold

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Mish(_Smooth):
    """y = x · tanh(log(1 + exp(x))). Counts: :func:`nnref.formulas.activation.activation`."""

    op = "MISH"

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = check_bool(inplace, "inplace", "Mish")


class PReLU(Layer):
    """y = x if x > 0 else a·x, with a learned slope per channel (axis 1) or one for all.

    Parameters
    ----------
    num_parameters : int
        1 (one slope for every element) or C, the channels of axis 1.
    init : float
        The initial slope, finite (PyTorch's default 0.25).
    rng : None, int or numpy Generator
        Accepted for a uniform constructor; the initial slopes are ``init``, as in PyTorch.

    Attributes
    ----------
    weight : ndarray of shape (num_parameters,)

    Notes
    -----
    A 0-d or 1-D input has one channel, as in torch. Counts: as LeakyReLU,
    :func:`nnref.formulas.activation.activation`.
    """

    param_names = ("weight",)

    def __init__(self, num_parameters=1, init=0.25, *, rng=None):
        super().__init__()
        self.num_parameters = check_int(num_parameters, "num_parameters", "PReLU")
        self.init = check_float(init, "init", "PReLU")
        make_rng(rng)
        self.weight = np.full(self.num_parameters, self.init, np.float32)

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        channels = shape[1] if len(shape) >= 2 else 1
        if self.num_parameters not in (1, channels):
            raise ValueError(f"PReLU: input has shape {shape} with {channels} channels (axis 1, "
                             f"or 1 below 2-D); expected num_parameters={self.num_parameters} "
                             "of them")
        return shape

    def forward(self, x):
        from ..kernels.activation import prelu

        shape, c = self.output_shape(x.shape), self.num_parameters
        weight = self.param("weight", (c,), x.dtype)
        y = np.empty(shape, x.dtype)  # also for a 0-d x
        inner = x.size // shape[0] // c if c > 1 else x.size  # elements per channel run
        rows = prelu(np.ascontiguousarray(x).reshape(-1), y.reshape(-1), weight, c, inner)
        return y, OpCounts.from_rows(rows)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"
