"""Shared test helpers: the one torch comparison, hypothesis profiles, thread-count runs."""
import importlib
import os

# The thread-count checks need 2 numba threads even on a 1-core machine; numba reads this
# once, when it is first imported (nnref imports it lazily, on the first kernel call).
os.environ.setdefault("NUMBA_NUM_THREADS", str(max(2, os.cpu_count() or 1)))

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "default", deadline=None, max_examples=25, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", deadline=None, max_examples=300, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def need(module: str):
    """Import an optional test dependency; skip the test without it, except under CI.

    Every one of them is in the ``test`` or the ``compare`` extra (``pip install
    '.[test,compare]'``), so CI (``CI`` set in the environment) must have it: there a
    missing one is an error.
    """
    if os.environ.get("CI"):
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=f"{module} is not installed; "
                                              "pip install '.[test,compare]' to run this check")


torch = need("torch")
torch.set_num_threads(1)


@pytest.fixture
def jsonschema():
    return need("jsonschema")


@pytest.fixture
def matplotlib():
    return need("matplotlib")


RTOL = {np.float32: 1e-4, np.float64: 1e-10}
ATOL = {np.float32: 1e-5, np.float64: 1e-12}


def to_torch(a):
    """A C-contiguous copy as a tensor (np.ascontiguousarray would turn 0-d into 1-d)."""
    return torch.from_numpy(np.array(a, order="C"))


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
    """Run ``fn(*args)`` with exactly ``n`` numba threads, restoring the previous number."""
    import numba

    if n > numba.config.NUMBA_NUM_THREADS:  # only if the environment forced fewer threads
        message = (f"NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS} was set below {n}; "
                   "unset it to run the thread-count check")
        if os.environ.get("CI"):
            raise RuntimeError(message)  # CI must run the real check
        pytest.skip(message)
    old = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        return fn(*args)
    finally:
        numba.set_num_threads(old)
