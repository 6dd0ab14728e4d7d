"""Elementwise arithmetic: Add, Sub, Mul, Div, of two tensors or of a tensor and a number.

Two tensors broadcast as in torch (a squeeze-and-excitation ``x * s`` with ``s`` of shape
(N, C, 1, 1)); a number is torch's ``other`` (``x * 0.5``, ``x + 1``), on either side
(``reverse=True``: ``1 - x``, ``6 / x``). ``inplace=True`` is torch's ``x += y``,
``x.mul_(0.5)``: the result is also written into the first tensor, which must already
have the output's shape. Counts: :func:`nnref.formulas.elementwise.binary`.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..core.opcounts import OpCounts
from ..core.shapes import broadcast_shapes
from ..core.validate import check_array, check_bool, check_shapes
from .base import Layer


class _Binary(Layer):
    """Shared arguments, shape rule and forward of Add, Sub, Mul and Div.

    Parameters
    ----------
    other : float or None
        None: the layer takes two tensors, ``y = a ⊙ b`` (broadcast). A number: the layer
        takes one tensor, ``y = x ⊙ other`` (or ``other ⊙ x`` with ``reverse``); it is
        cast to the tensor's dtype first, as torch does.
    reverse : bool
        Keyword only, with a number: put it on the left (``other − x``, ``other / x``).
    inplace : bool
        Keyword only: also write the result into the first tensor.

    Notes
    -----
    ``a : ndarray of shape A, b : ndarray of shape B`` give ``y`` of the broadcast shape
    of A and B (axes aligned from the right, a size-1 axis repeated), both of one dtype.
    One operation per output element, whatever broadcasting repeats.
    """

    op = ""  # the kernel's op code name
    symbol = ""
    operands = 2  # with a number ``other``: 1 (set per instance)

    def __init__(self, other=None, *, reverse=False, inplace=False):
        super().__init__()
        owner = self.kind
        if other is not None and (isinstance(other, (bool, np.bool_))
                                  or not isinstance(other, (numbers.Real, np.floating))):
            raise TypeError(f"{owner}: other={other!r} is invalid; expected a real number or "
                            "None (two tensors)")
        self.other = None if other is None else float(other)
        self.reverse = check_bool(reverse, "reverse", owner)
        self.inplace = check_bool(inplace, "inplace", owner)
        if self.reverse and self.other is None:
            raise ValueError(f"{owner}: reverse=True is invalid without a number other; "
                             "expected other=<number> (reverse puts it on the left)")
        self.operands = 1 if self.other is not None else 2

    def check_shape(self, input_shape):
        """One shape (every operand has it), or a tuple of one shape per operand."""
        return check_shapes(input_shape, self.operands, self.kind)

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        if self.operands == 1 or not isinstance(shape[0], tuple):
            return shape
        out = broadcast_shapes(*shape, owner=self.kind)
        if self.inplace and shape[0] != out:
            raise ValueError(f"{self.kind}: inplace=True writes into a of shape {shape[0]}, but "
                             f"a and b broadcast to {out}; expected a of the output's shape")
        return out

    def check_operands(self, *xs) -> tuple:
        """The operands as float arrays of one dtype whose shapes broadcast."""
        if len(xs) != self.operands:
            raise TypeError(f"{self.kind} takes {self.operands} array(s) ({self!r}); it was "
                            f"given {len(xs)}")
        names = ("a", "b") if self.operands == 2 else ("x",)
        xs = tuple(check_array(x, self.kind, n) for x, n in zip(xs, names, strict=True))
        if len(xs) == 2 and xs[0].dtype != xs[1].dtype:
            raise TypeError(f"{self.kind}: a has dtype {xs[0].dtype} and b has dtype "
                            f"{xs[1].dtype}; expected equal dtypes")
        shapes = tuple(x.shape for x in xs)
        self.output_shape(shapes if len(xs) == 2 else shapes[0])
        return xs

    def __call__(self, *xs):
        return self.forward(*self.check_operands(*xs))

    def forward(self, *xs):
        from ..kernels import elementwise as K

        a = xs[0]
        if self.inplace and not a.flags.writeable:
            raise ValueError(f"{self.kind}: inplace=True needs a writeable a; a is read-only")
        out = self.output_shape(tuple(x.shape for x in xs) if len(xs) == 2 else a.shape)
        y = np.empty(out, a.dtype)
        code = getattr(K, self.op)
        if len(xs) == 2:  # broadcast operands copied out in full: data movement, no counts
            ops = [x.reshape(-1) if x.shape == out and x.flags.c_contiguous else
                   np.ascontiguousarray(np.broadcast_to(x, out)).reshape(-1) for x in xs]
        else:  # the number as a 1-element operand of the tensor's dtype, on its side
            ops = [np.ascontiguousarray(a).reshape(-1), np.full(1, self.other, a.dtype)]
            if self.reverse:
                ops.reverse()
        rows = K.binary(ops[0], ops[1], y.reshape(-1), code)
        if self.inplace:
            np.copyto(a, y)
            y = a
        return y, OpCounts.from_rows(rows)

    def extra_repr(self):
        parts = [] if self.other is None else [f"other={self.other!r}"]
        parts += ["reverse=True"] * self.reverse + ["inplace=True"] * self.inplace
        return ", ".join(parts)


class Add(_Binary):
    """y = a + b (broadcast), or x + other. Counts: :func:`nnref.formulas.elementwise.binary`.

    Residual connections: ``Add()(out, identity)``. Arguments: see :class:`_Binary`.
    """

    op, symbol = "ADD", "+"


class Sub(_Binary):
    """y = a − b (broadcast), x − other, or other − x with ``reverse``. See :class:`_Binary`."""

    op, symbol = "SUB", "-"


class Mul(_Binary):
    """y = a · b (broadcast: squeeze-and-excitation's ``x * s``), or x · other.

    Arguments: see :class:`_Binary`. Counts: :func:`nnref.formulas.elementwise.binary`.
    """

    op, symbol = "MUL", "*"


class Div(_Binary):
    """y = a / b (broadcast), x / other, or other / x with ``reverse``; IEEE division, so
    x / 0 is ±inf or NaN, as in torch. See :class:`_Binary`."""

    op, symbol = "DIV", "/"
