"""Closed forms for softmax and log-softmax along one axis."""
from math import prod

from ..core.opcounts import OpCounts
from ._registry import formula, ints


def softmax(n: int, rows: int = 1) -> OpCounts:
    """Counts of ``rows`` softmax rows of length ``n``.

    Parameters
    ----------
    n : int
        Length of a row (the size of the softmax axis), >= 1.
    rows : int
        Number of rows (the product of the other axes), >= 1.

    Notes
    -----
    Each row ``x`` of length n is computed as

        m = max_k x_k          cmp n − 1   (x_0 initialises m)
        e_k = exp(x_k − m)     sub n, exp n
        s = Σ_k e_k            add n − 1   (e_0 initialises s)
        y_k = e_k / s          div n

    so the total is cmp rows·(n − 1), sub rows·n, exp rows·n, add rows·(n − 1),
    div rows·n, whatever the values (NaN included).
    """
    n, rows = ints("softmax", n=n, rows=rows)
    return OpCounts(cmp=rows * (n - 1), sub=rows * n, exp=rows * n, add=rows * (n - 1), div=rows * n)


@formula("Softmax")
def softmax_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a Softmax) on ``input_shape``: :func:`softmax` with n the size of
    axis ``dim`` and rows the product of the other axes."""
    n = input_shape[layer.dim % len(input_shape)] if input_shape else 1  # 0-d: one row of 1
    return softmax(n, prod(input_shape) // n)


def log_softmax(n: int, rows: int = 1) -> OpCounts:
    """Counts of ``rows`` log-softmax rows of length ``n`` (the parameters of :func:`softmax`).

    Notes
    -----
    Each row ``x`` of length n is computed as

        m = max_k x_k          cmp n − 1   (x_0 initialises m)
        d_k = x_k − m          sub n
        s = Σ_k exp(d_k)       exp n, add n − 1
        y_k = d_k − log(s)     log 1, sub n

    so the total is cmp rows·(n − 1), sub rows·2n, exp rows·n, add rows·(n − 1),
    log rows, whatever the values (NaN included).
    """
    n, rows = ints("log_softmax", n=n, rows=rows)
    return OpCounts(cmp=rows * (n - 1), sub=rows * 2 * n, exp=rows * n, add=rows * (n - 1),
                    log=rows)


@formula("LogSoftmax")
def log_softmax_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a LogSoftmax) on ``input_shape``: :func:`log_softmax`, rows as
    :func:`softmax_layer`."""
    n = input_shape[layer.dim % len(input_shape)] if input_shape else 1  # 0-d: one row of 1
    return log_softmax(n, prod(input_shape) // n)
