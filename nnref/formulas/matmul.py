"""Closed forms for the matrix products between tensors: MatMul, BatchMatMul, BAddBMM and
FunctionalLinear.

Notes
-----
Each output element of a product with inner size K is a dot product
``y = a₀·b₀ + a₁·b₁ + … + a_{K−1}·b_{K−1}``: its first product initialises the sum, so

    mul K,   add K − 1

per output element, whatever the broadcasting (a broadcast operand is read again, not
recomputed). baddbmm then blends each output element with its input,
``y = beta·input + alpha·product``:

    alpha ≠ 1: mul 1 (alpha·product; none when alpha = 1, also computed for alpha = 0)
    beta = 0:  nothing (input is not read)
    beta = 1:  add 1
    otherwise: mul 1 (beta·input) and add 1

FunctionalLinear (``F.linear``) is a Dense layer whose weight is an operand:
:func:`nnref.formulas.dense.dense`. Everything is Python ints.
"""
from math import prod

from ..core.opcounts import OpCounts
from ..core.shapes import matmul_out
from ..core.validate import check_float
from ._registry import formula, ints
from .dense import dense


def matmul(outputs: int, k: int) -> OpCounts:
    """Counts of ``outputs`` dot products of length ``k``: mul outputs·k, add outputs·(k − 1)."""
    outputs, k = ints("matmul", outputs=outputs, k=k)
    return OpCounts(mul=outputs * k, add=outputs * (k - 1))


def baddbmm(outputs: int, k: int, alpha: float = 1.0, beta: float = 1.0) -> OpCounts:
    """Counts of baddbmm with ``outputs`` = B·N·P output elements and inner size ``k`` = M.

    Notes
    -----
    :func:`matmul`, then per output element mul [alpha ≠ 1] + [beta ∉ {0, 1}] and
    add [beta ≠ 0] (the module's Notes).
    """
    alpha, beta = (check_float(v, n, "baddbmm") for v, n in ((alpha, "alpha"), (beta, "beta")))
    product = matmul(outputs, k)
    blend = OpCounts(mul=outputs * ((alpha != 1) + (beta not in (0, 1))),
                     add=outputs * (beta != 0))
    return product + blend


@formula("MatMul", "BatchMatMul")
def matmul_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (MatMul or BatchMatMul) on its operands' shapes: :func:`matmul`."""
    *_, k, _, out = matmul_out(layer.kind, *input_shape)
    return matmul(prod(out), k)


@formula("BAddBMM")
def baddbmm_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a BAddBMM) on the shapes of (input, batch1, batch2): :func:`baddbmm`."""
    _, (b, n, m), (_, _, p) = input_shape
    return baddbmm(b * n * p, m, layer.alpha, layer.beta)


@formula("FunctionalLinear")
def functional_linear_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (F.linear) on the shapes of (input, weight[, bias]): Dense's."""
    x, w = input_shape[:2]
    return dense(x[-1], prod(w[:-1]), prod(x[:-1]), layer.bias)
