"""Compile claims (nnref/kernels/_claims.py): two processes on a cold cache compile each
kernel once. A claim held by a live process makes the helper skip and the main process
wait; a dead or missing claim is no obstacle; outside `claims` nothing changes."""
import os
import subprocess
import sys
import time

import numba
import numpy as np
import pytest

from nnref.kernels import _claims
from nnref.kernels._claims import Claimed, claiming, claims


def fresh():
    """A kernel never compiled before, routed through claims."""
    def double(x):
        return x * 2
    return claiming(numba.njit(double))


def hold(directory, name, seconds):
    """A process that writes its pid into ``directory/name`` and removes it after
    ``seconds``; returns it once the claim exists."""
    path = os.path.join(directory, name)
    code = ("import os, sys, time; p = sys.argv[1]; open(p, 'w').write(str(os.getpid())); "
            "time.sleep(float(sys.argv[2])); os.remove(p)")
    proc = subprocess.Popen([sys.executable, "-c", code, path, str(seconds)])
    while not os.path.exists(path):
        time.sleep(0.01)
    return proc


def claim_name(monkeypatch, directory):
    """Run one compilation in ``directory`` and return the claim file's name it used."""
    names = []
    real = _claims._take

    def spy(path):
        names.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(_claims, "_take", spy)
    kernel = fresh()
    with claims(directory, wait=True):
        assert kernel(np.float64(1.5)) == 3.0
    monkeypatch.setattr(_claims, "_take", real)
    assert os.listdir(directory) == []  # removed once compiled
    return names[0]


def test_outside_claims_a_kernel_compiles_as_numba_does(tmp_path):
    kernel = fresh()
    assert kernel(np.int64(4)) == 8
    assert list(tmp_path.iterdir()) == []


def test_a_live_claim_makes_the_helper_skip(monkeypatch, tmp_path):
    name = claim_name(monkeypatch, tmp_path)  # the same function and signature, fresh
    holder = hold(tmp_path, name, 30)
    try:
        with claims(tmp_path, wait=False), pytest.raises(Claimed, match="double"):
            fresh()(np.float64(1.5))
    finally:
        holder.kill()
        holder.wait()


def test_a_live_claim_makes_the_main_process_wait_then_go_on(monkeypatch, tmp_path):
    name = claim_name(monkeypatch, tmp_path)
    holder = hold(tmp_path, name, 0.5)
    t0 = time.perf_counter()
    with claims(tmp_path, wait=True):
        assert fresh()(np.float64(1.5)) == 3.0
    assert time.perf_counter() - t0 >= 0.3  # it waited for the claim to go
    holder.wait()


def test_a_dead_or_stale_claim_is_taken_over(monkeypatch, tmp_path):
    name = claim_name(monkeypatch, tmp_path)
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    (tmp_path / name).write_text(done.stdout.strip())  # a process that has ended
    with claims(tmp_path, wait=False):
        assert fresh()(np.float64(2.0)) == 4.0
    assert list(tmp_path.iterdir()) == []
    stale = tmp_path / name
    stale.write_text(str(os.getpid()))  # alive, but older than TIMEOUT
    old = time.time() - _claims.TIMEOUT - 5
    os.utime(stale, (old, old))
    with claims(tmp_path, wait=False):
        assert fresh()(np.float64(2.0)) == 4.0


def test_claims_need_a_directory_and_end_with_their_context(tmp_path):
    with pytest.raises(ValueError, match="directory"):
        with claims(tmp_path / "missing", wait=True):
            pass
    with claims(tmp_path, wait=True):
        assert _claims._ACTIVE.get() == (str(tmp_path), True)
    assert _claims._ACTIVE.get() is None


def test_a_removed_directory_means_no_claims(tmp_path):
    directory = tmp_path / "claims"
    directory.mkdir()
    with claims(directory, wait=False):
        directory.rmdir()  # the run is ending: compile without claims
        assert fresh()(np.float64(1.0)) == 2.0


def test_every_nnref_kernel_claims():
    from nnref.kernels import _gemm

    assert _gemm.gemm_tiled.compile.__qualname__.startswith("claiming")
