"""Shared test helpers: the one torch comparison, hypothesis profiles, thread-count runs."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, max_examples=25, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", deadline=None, max_examples=300, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

RTOL = {np.float32: 1e-4, np.float64: 1e-10}
ATOL = {np.float32: 1e-5, np.float64: 1e-12}


def to_torch(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def assert_close_torch(y, y_ref, dtype=None):
    """The one comparison against torch: same shape, same dtype, values within tolerance.

    NaNs must sit in the same places.
    """
    if isinstance(y_ref, torch.Tensor):
        y_ref = y_ref.detach().numpy()
    dtype = np.dtype(dtype or y_ref.dtype).type
    assert y.shape == y_ref.shape, f"shape {y.shape} != torch {y_ref.shape}"
    assert y.dtype == y_ref.dtype, f"dtype {y.dtype} != torch {y_ref.dtype}"
    np.testing.assert_allclose(y, y_ref, rtol=RTOL[dtype], atol=ATOL[dtype], equal_nan=True)


def rand(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def with_threads(n, fn, *args):
    """Run ``fn(*args)`` with ``n`` numba threads, restoring the previous number."""
    import numba

    n = min(n, numba.config.NUMBA_NUM_THREADS)
    old = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        return fn(*args)
    finally:
        numba.set_num_threads(old)
