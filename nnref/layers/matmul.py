"""Matrix products between tensors, as graph ops: MatMul, BatchMatMul, BAddBMM, FunctionalLinear.

torch's ``matmul`` (and ``@``, ``mm``), ``bmm``, ``baddbmm`` and ``F.linear``: every operand
is an input (the weight of ``F.linear`` too), and each has a shape of its own, so the
input shape of these layers is the tuple of their operands' shapes (or one shape, that
every operand has, as for ``Add``)::

    y, ops = MatMul()(a, b)                       # a (2, 3, 4), b (4, 5)
    MatMul().output_shape(((2, 3, 4), (4, 5)))    # (2, 3, 5)

Every output element is a dot product through the counted GEMM, its first product
initialising the sum. Counts: :mod:`nnref.formulas.matmul`.
"""
from __future__ import annotations

import numpy as np

from ..core.opcounts import OpCounts
from ..core.shapes import broadcast_shapes, matmul_out
from ..core.validate import check_array, check_bool, check_float, check_operand_shapes
from .base import Layer


class _Product(Layer):
    """Shared operand handling; subclasses set ``operand_names`` and ``output_shape``."""

    #: torch's names of the operands, in order.
    operand_names: tuple = ("input", "other")

    @property
    def operands(self) -> int:
        return len(self.operand_names)

    def check_shape(self, input_shape) -> tuple:
        """The tuple of the operands' shapes, each a tuple of positive ints: ``input_shape``
        is a tuple of one shape per operand, or one shape that every operand has."""
        return check_operand_shapes(input_shape, self.operands, self.kind)

    def __call__(self, *xs):
        if len(xs) != self.operands:
            raise TypeError(f"{self.kind}: {len(xs)} operands given; expected {self.operands} "
                            f"({', '.join(self.operand_names)})")
        xs = tuple(check_array(a, self.kind, name) for a, name in zip(xs, self.operand_names))
        for a, name in zip(xs[1:], self.operand_names[1:]):
            if a.dtype != xs[0].dtype:
                raise TypeError(f"{self.kind}: {self.operand_names[0]} has dtype {xs[0].dtype} "
                                f"and {name} has dtype {a.dtype}; expected equal dtypes")
        self.output_shape(tuple(a.shape for a in xs))
        return self.forward(*xs)


def _batched(a, b, m, k, n, batch):
    """``a`` as (Ba, M, K), ``b`` transposed as (Bb, N, K) (copies, not arithmetic), and the
    index of each output batch's operand in them (the broadcast)."""
    a3 = np.ascontiguousarray(a.reshape((-1, m, k)))
    b2 = b if b.ndim > 1 else b.reshape(k, 1)
    bt = np.ascontiguousarray(np.swapaxes(b2, -1, -2)).reshape(-1, n, k)

    def index(lead):
        return np.broadcast_to(np.arange(int(np.prod(lead))).reshape(lead), batch).ravel()

    return a3, bt, index(a.shape[:-2]), index(b.shape[:-2])


def bmm_out(owner, a, b) -> tuple:
    """The output shape (B, N, P) of ``bmm`` of shapes (B, N, M) and (B, M, P)."""
    if len(a) != 3 or len(b) != 3 or a[0] != b[0] or a[2] != b[1]:
        raise ValueError(f"{owner}: operands of shapes {a} and {b}; expected (B, N, M) and "
                         "(B, M, P), both 3-D with the same B")
    return a[:2] + b[2:]


def bmm(a, b) -> tuple:
    """``(a @ b, counter table)`` of 3-D operands, through the counted GEMM."""
    from ..kernels.matmul import batched_gemm

    bsz, m, k, n = a.shape + b.shape[2:]
    a3, bt, ia, ib = _batched(a, b, m, k, n, (bsz,))
    y = np.empty((bsz, m, n), a.dtype)
    return y, batched_gemm(a3, bt, ia, ib, y)


class MatMul(_Product):
    """torch's ``matmul`` (``a @ b``, ``mm``): ``input`` (*, M, K) or (K,) times ``other``
    (*, K, N) or (K,), the leading axes broadcast.

    Notes
    -----
    ``y[..., i, j] = Σ_{k<K} input[..., i, k]·other[..., k, j]``, of shape (*batch, M, N);
    a 1-D ``input`` is a row and a 1-D ``other`` a column, their axis dropped from the
    output (two 1-D operands give a 0-d dot product). Counts:
    :func:`nnref.formulas.matmul.matmul`.
    """

    def output_shape(self, input_shape):
        a, b = self.check_shape(input_shape)
        return matmul_out(self.kind, a, b)[-1]

    def forward(self, a, b):
        from ..kernels.matmul import batched_gemm

        batch, m, k, n, out_shape = matmul_out(self.kind, a.shape, b.shape)
        a3, bt, ia, ib = _batched(a, b, m, k, n, batch)
        y = np.empty((len(ia), m, n), a.dtype)
        rows = batched_gemm(a3, bt, ia, ib, y)
        return y.reshape(out_shape), OpCounts.from_rows(rows)


class BatchMatMul(_Product):
    """torch's ``bmm``: ``input`` (B, N, M) times ``mat2`` (B, M, P), no broadcasting.

    Notes
    -----
    ``y[b, i, j] = Σ_{k<M} input[b, i, k]·mat2[b, k, j]``, of shape (B, N, P).
    Counts: :func:`nnref.formulas.matmul.matmul`.
    """

    operand_names = ("input", "mat2")

    def output_shape(self, input_shape):
        return bmm_out(self.kind, *self.check_shape(input_shape))

    def forward(self, a, b):
        y, rows = bmm(a, b)
        return y, OpCounts.from_rows(rows)


class BAddBMM(_Product):
    """torch's ``baddbmm``: ``beta·input + alpha·(batch1 @ batch2)``.

    Parameters
    ----------
    beta, alpha : float
        Keyword only, as in torch. ``beta = 0`` ignores ``input`` (NaN and infinities in
        it do not propagate, as torch documents).

    Notes
    -----
    ``batch1`` (B, N, M), ``batch2`` (B, M, P) and ``input`` broadcastable to (B, N, P):

        y[b, i, j] = beta·input[b, i, j] + alpha·Σ_{k<M} batch1[b, i, k]·batch2[b, k, j]

    A multiplication by 1 is not executed, nor is ``input`` read when ``beta = 0``; with
    ``alpha = 0`` the product is still computed and multiplied by 0 (as torch's CPU kernel
    does below its BLAS sizes). Counts: :func:`nnref.formulas.matmul.baddbmm`.
    """

    operand_names = ("input", "batch1", "batch2")

    def __init__(self, *, beta=1.0, alpha=1.0):
        super().__init__()
        self.beta = check_float(beta, "beta", self.kind)
        self.alpha = check_float(alpha, "alpha", self.kind)

    def output_shape(self, input_shape):
        c, a, b = self.check_shape(input_shape)
        out = bmm_out(self.kind, a, b)
        if broadcast_shapes(c, out, owner=self.kind) != out:
            raise ValueError(f"{self.kind}: input of shape {c} does not broadcast to the "
                             f"product's shape {out}; expected a shape broadcastable to it")
        return out

    def forward(self, c, a, b):
        from ..kernels.matmul import scale_add

        y, rows = bmm(a, b)
        c = np.ascontiguousarray(np.broadcast_to(c, y.shape)).reshape(-1)
        more = scale_add(y.reshape(-1), c, self.alpha, self.beta)
        return y, OpCounts.from_rows(np.concatenate([rows, more]))

    def extra_repr(self):
        return f"beta={self.beta}, alpha={self.alpha}"


class FunctionalLinear(_Product):
    """torch's ``F.linear(input, weight, bias)``, the weight (and bias) given as operands.

    Parameters
    ----------
    bias : bool
        Whether a third operand, the bias, is added (``F.linear(x, w)`` has none).

    Notes
    -----
    ``input`` (*, I), ``weight`` (O, I), or (I,) without a bias, and ``bias`` (O,):

        y[..., o] = Σ_{i<I} input[..., i]·weight[o, i]  (+ bias[o])

    of shape (*, O), or (*) for a 1-D weight. Counts: as :class:`~nnref.layers.dense.Dense`,
    :func:`nnref.formulas.dense.dense`.
    """

    def __init__(self, bias=True):
        super().__init__()
        self.bias = check_bool(bias, "bias", self.kind)
        self.operand_names = ("input", "weight", "bias") if self.bias else ("input", "weight")

    def output_shape(self, input_shape):
        x, w, *b = self.check_shape(input_shape)
        if not x or len(w) not in (1, 2) or w[-1] != x[-1]:
            raise ValueError(f"{self.kind}: input of shape {x} and weight of shape {w}; expected "
                             "input (*, I) and weight (O, I) or (I,)")
        out = x[:-1] + w[:-1]
        if b and len(w) == 1:
            raise ValueError(f"{self.kind}: weight of shape {w} with a bias; expected a 2-D "
                             "weight (O, I) with a bias (torch refuses a 1-D weight with one)")
        if b and b[0] != w[:-1]:
            raise ValueError(f"{self.kind}: bias of shape {b[0]} for weight of shape {w}; "
                             f"expected {w[:-1]}")
        return out

    def forward(self, x, w, b=None):
        from ..kernels.dense import dense

        out_shape = self.output_shape(tuple(a.shape for a in (x, w, b) if a is not None))
        w2 = np.ascontiguousarray(w.reshape(-1, x.shape[-1]))
        rows = np.ascontiguousarray(x.reshape(-1, x.shape[-1]))
        y = np.empty((rows.shape[0], w2.shape[0]), x.dtype)
        counts = dense(rows, w2, None if b is None else np.ascontiguousarray(b.reshape(-1)), y)
        return y.reshape(out_shape), OpCounts.from_rows(counts)

    def extra_repr(self):
        return "" if self.bias else "bias=False"
