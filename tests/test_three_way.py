"""Three-way agreement: traced reference == numba kernels == closed-form formulas.

For every layer class, on small hypothesis-generated configurations, the counts of the
plain-Python traced reference, of the kernels and of ``formulas.for_layer`` must be
equal for every kind, and the traced output must equal the kernel output (float64).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnref.counting import formulas
from nnref.trace.reference import reference

# -- the one check ---------------------------------------------------------------------


def assert_three_way(layer, x):
    """traced counts == kernel counts == formula counts, and traced y == kernel y."""
    xs = x if isinstance(x, tuple) else (x,)
    y_k, ops_k = layer(*xs)
    y_t, ops_t = reference(layer, x)
    ops_f = formulas.for_layer(layer, _formula_shape(layer, x))
    shapes = [a.shape for a in xs]
    assert ops_t == ops_k == ops_f, (
        f"{layer!r} on {shapes}:\n traced  {ops_t.as_dict()}\n kernel  {ops_k.as_dict()}\n"
        f" formula {ops_f.as_dict()}")
    assert y_t.shape == y_k.shape, f"{layer!r} on {shapes}: {y_t.shape} != {y_k.shape}"
    assert y_t.dtype == y_k.dtype == xs[0].dtype
    np.testing.assert_allclose(y_t, y_k, rtol=1e-10, atol=1e-12, equal_nan=True,
                               err_msg=f"{layer!r} on {shapes}")


def _formula_shape(layer, x):
    return x[0].shape if isinstance(x, tuple) else x.shape


def data(draw, shape, nan=False):
    """A float64 array of ``shape`` from a drawn seed, with one NaN if ``nan``."""
    x = np.random.default_rng(draw(st.integers(0, 2**16))).standard_normal(shape)
    if nan:
        x.flat[draw(st.integers(0, x.size - 1))] = np.nan
    return x


def ints(n, lo, hi):
    return st.tuples(*[st.integers(lo, hi)] * n)


small_shape = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)
