"""A second process that compiles kernels while ``nnref count`` runs, on a cold numba cache.

numba compiles a kernel the first time it meets it, in the calling thread, one kernel at
a time: on a cold cache ``nnref count resnet50`` spends most of its time compiling, on
one core. :func:`start` gives the second core work: a helper process (``python -m
nnref.cli._warm``) runs the model's distinct layer calls, one per configuration and
input shape (each layer rebuilt from its ``repr`` by :func:`nnref.layers.spec.parse_layer`,
never evaluated), on random inputs, from the **last** to the first, while the main
process runs them from the first. Each writes what it compiles to the numba cache, and
each loads from it what the other has written by the time it gets there. Counts and
outputs are the main process's alone; the helper's are thrown away, and whatever it does
or fails to do can only make the main process wait for a compilation it would have done
anyway.

Measured (2 cores, AMD EPYC Zen 4): ``nnref count resnet50`` on a cold cache, 23–24 s
without, 16 s with. It starts only when the cache is cold (no index of the tiled GEMM's
cache), the plan has at least MIN_CALLS distinct calls and ``NNREF_WARM`` is not ``0``;
:func:`stop` ends it as soon as the main run is done.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

#: Fewest distinct layer calls for which a helper is worth starting.
MIN_CALLS = 8


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
    """Start the helper for ``plan`` (a model's :meth:`plan`) in ``dtype``; return its
    process, or None when it would not help."""
    if os.environ.get("NNREF_WARM", "1") == "0" or not cache_is_cold():
        return None
    todo = calls(plan, dtype)
    if len(todo) < MIN_CALLS:
        return None
    env = dict(os.environ, NUMBA_NUM_THREADS="1", NNREF_WARM="0")
    try:
        proc = subprocess.Popen([sys.executable, "-m", "nnref.cli._warm"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        proc.stdin.write(json.dumps(todo).encode())
        proc.stdin.close()
    except OSError:
        return None
    return proc


def stop(proc) -> None:
    """End the helper ``proc`` (from :func:`start`, or None) and wait for it."""
    if proc is None:
        return
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> int:
    """The helper: run each call read from stdin (JSON, as :func:`calls` writes it)."""
    import numpy as np

    from ..layers.spec import parse_layer

    parent = os.getppid()
    rng = np.random.default_rng(0)
    for spec, shapes, dtype in json.load(sys.stdin):
        if os.getppid() != parent:  # the main process is gone
            break
        try:
            layer = parse_layer(spec)
            layer(*(layer.random_input(rng, tuple(s), np.dtype(dtype)) for s in shapes))
        except Exception:  # noqa: BLE001 - best effort: the main process counts, not this
            continue
    return 0


if __name__ == "__main__":
    sys.exit(main())
