"""A second process that compiles kernels while ``nnref count`` runs, on a cold numba cache.

numba compiles a kernel the first time it meets it, in the calling thread, one kernel at
a time: on a cold cache ``nnref count resnet50`` spends most of its time compiling, on
one core. :func:`start` gives the second core work: a helper process (``python -m
nnref.cli._warm``) runs the model's distinct layer calls, one per configuration and
input shape (each layer rebuilt from its ``repr`` by :func:`nnref.layers.spec.parse_layer`,
never evaluated), on random inputs, from the **last** to the first, while the main
process runs them from the first. Each writes what it compiles to the numba cache, and
each loads from it what the other has written by the time it gets there. The two share
a directory of compile claims (:mod:`nnref.kernels._claims`): the main process waits for
a kernel the helper is compiling rather than compile it too, and the helper puts off a
layer whose kernel the main process is compiling (to try it again at the end) rather than
compile it twice. Counts and outputs are the main process's alone; the helper's are
thrown away, and whatever it does or fails to do can only make the main process wait for
a compilation it would have done anyway (a claim is given up after
:data:`nnref.kernels._claims.TIMEOUT` seconds, or when its process is gone).

Measured (2 cores, AMD EPYC Zen 4): ``nnref count resnet50`` on a cold cache, 23–24 s
without, 16 s with (before claims). It starts only when the cache is cold (no index of
the tiled GEMM's cache), the plan has at least MIN_CALLS distinct calls and
``NNREF_WARM`` is not ``0``; :func:`stop` ends it as soon as the main run is done.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import NamedTuple

#: Fewest distinct layer calls for which a helper is worth starting.
MIN_CALLS = 8


class Helper(NamedTuple):
    """A running helper: its process and the directory of compile claims it shares."""

    process: subprocess.Popen
    claims: str


def cache_is_cold() -> bool:
    """Whether numba's cache holds no tiled GEMM (every model compiles one): a cheap test
    of numba's own cache path, False if numba's internals differ from what it expects."""
    try:
        from ..kernels import _gemm

        return not os.path.exists(_gemm.gemm_tiled._cache._cache_file._index_path)
    except (AttributeError, ImportError, OSError):
        return False


def calls(plan, dtype) -> list:
    """The distinct ``[spec, operand shapes, dtype]`` of ``plan``'s steps, last first."""
    import numpy as np

    seen, out, dtype = set(), [], np.dtype(dtype).name
    for step in plan:
        shapes = [list(s) for s in step.layer.operand_shapes(step.input_shape)] if step.input_shape else []
        entry = [repr(step.layer), shapes, dtype]
        key = json.dumps(entry)
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out[::-1]


def start(plan, dtype):
    """Start the helper for ``plan`` (a model's :meth:`plan`) in ``dtype``; return a
    :class:`Helper`, or None when it would not help."""
    if os.environ.get("NNREF_WARM", "1") == "0" or not cache_is_cold():
        return None
    todo = calls(plan, dtype)
    if len(todo) < MIN_CALLS:
        return None
    directory = tempfile.mkdtemp(prefix="nnref-claims-")
    env = dict(os.environ, NUMBA_NUM_THREADS="1", NNREF_WARM="0", NNREF_CLAIMS=directory)
    try:
        proc = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        proc.stdin.write(json.dumps(todo).encode())
        proc.stdin.close()
    except OSError:
        shutil.rmtree(directory, ignore_errors=True)
        return None
    return Helper(proc, directory)


def sharing(helper):
    """A context in which this process claims its compilations in ``helper``'s directory
    and waits for the helper's (nothing when ``helper`` is None)."""
    if helper is None:
        return contextlib.nullcontext()
    from ..kernels._claims import claims

    return claims(helper.claims, wait=True)


def stop(helper) -> None:
    """End ``helper`` (from :func:`start`, or None), wait for it and remove its claims."""
    if helper is None:
        return
    proc = helper.process
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(helper.claims, ignore_errors=True)


def main() -> int:
    """The helper: run each call read from stdin (JSON, as :func:`calls` writes it), those
    whose kernels the main process was compiling (or that failed) once more at the end."""
    import numpy as np

    from ..kernels._claims import claims
    from ..layers.spec import parse_layer

    parent = os.getppid()
    rng = np.random.default_rng(0)
    directory = os.environ.get("NNREF_CLAIMS")
    pending = json.load(sys.stdin)
    with claims(directory, wait=False) if directory and os.path.isdir(directory) \
            else contextlib.nullcontext():
        for _ in range(2):
            later = []
            for spec, shapes, dtype in pending:
                if os.getppid() != parent:  # the main process is gone
                    return 0
                try:
                    layer = parse_layer(spec)
                    layer(*(layer.random_input(rng, tuple(s), np.dtype(dtype)) for s in shapes))
                except Exception:  # noqa: BLE001 - best effort: the main process counts
                    later.append([spec, shapes, dtype])
            pending = later
    return 0


if __name__ == "__main__":
    sys.exit(main())
