"""The one place nnref configures numba: safe fastmath flags, caching, counter columns.

Kernels import ``njit`` and ``prange`` from here. Compilation is lazy (no eager
signatures) and cached on disk; when the installed package is read-only, the cache
falls back to a writable directory before numba is imported.
"""
import os
import tempfile

from ..core.opcounts import KINDS
from ._claims import claiming


def _writable(path: str) -> bool:
    return os.path.isdir(path) and os.access(path, os.W_OK)


def _choose_cache_dir(package_dir: str, env, writable=_writable) -> str | None:
    """Return a NUMBA_CACHE_DIR to set, or None when numba's own choice will work.

    numba caches next to the source file, else in a user-wide directory under the
    home directory. When neither is writable we pick a per-user temp directory.
    """
    if env.get("NUMBA_CACHE_DIR"):
        return None
    if writable(package_dir):
        return None
    home = os.path.expanduser("~")
    home_cache = os.path.join(home, ".cache")
    if writable(home_cache if os.path.isdir(home_cache) else home):
        return None
    user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return os.path.join(tempfile.gettempdir(), f"nnref-numba-cache-{user}")


def sources_stamp(package_dir: str) -> str:
    """Name, size and modification time of each kernel source in ``package_dir``."""
    entries = []
    for name in sorted(os.listdir(package_dir)):
        if name.endswith(".py"):
            st = os.stat(os.path.join(package_dir, name))
            entries.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return " ".join(entries)


def clear_stale_cache(directory: str, kinds=KINDS, sources: str = "") -> bool:
    """Remove the cached kernels in ``directory`` if they were built for other counter
    kinds or other kernel sources.

    numba decides whether a cached kernel is stale from that kernel's own source file
    only: not from the functions it inlines from other files (the GEMM of ``_gemm.py``
    keeps an old micro-kernel of ``_tile.py``), nor from the counter kinds, one column of
    every kernel's counter table per kind of :data:`nnref.core.opcounts.KINDS`. A stamp
    file beside the cache records the kinds and ``sources`` (:func:`sources_stamp`) it was
    built with; when either differs, the cached ``*.nbi``/``*.nbc`` files go and the
    kernels recompile. Returns whether anything was removed. A directory that is not
    writable is left alone (a pip install writes new sources, which numba sees itself).
    """
    stamp = os.path.join(directory, "nnref-kinds.txt")
    want = " ".join(kinds) + (f"\n{sources}" if sources else "")
    try:
        with open(stamp) as f:
            if f.read() == want:
                return False
    except OSError:
        pass
    if not _writable(directory):
        return False
    stale = [n for n in os.listdir(directory) if n.endswith((".nbi", ".nbc"))]
    for name in stale:
        try:
            os.remove(os.path.join(directory, name))
        except FileNotFoundError:  # another process, importing nnref at the same time
            pass
    with open(stamp, "w") as f:
        f.write(want)
    return bool(stale)


_package_dir = os.path.dirname(os.path.abspath(__file__))
_cache_dir = _choose_cache_dir(_package_dir, os.environ)
if _cache_dir is not None:
    os.environ["NUMBA_CACHE_DIR"] = _cache_dir
elif not os.environ.get("NUMBA_CACHE_DIR") and _writable(_package_dir):
    os.makedirs(os.path.join(_package_dir, "__pycache__"), exist_ok=True)
    clear_stale_cache(os.path.join(_package_dir, "__pycache__"), KINDS, sources_stamp(_package_dir))

import numba  # noqa: E402  (after the cache directory is settled)

if _cache_dir is not None:
    numba.config.CACHE_DIR = _cache_dir  # in case numba was imported before us

#: numba's full fastmath adds nnan/ninf, which break NaN propagation. This subset keeps it.
SAFE_FASTMATH = frozenset({"nsz", "arcp", "contract", "afn", "reassoc"})

#: Counter columns: the position of each kind in :data:`nnref.core.opcounts.KINDS`.
ADD, SUB, MUL, DIV, NEG, EXP, SQRT, CMP, ERF, LOG = (
    KINDS.index(k) for k in ("add", "sub", "mul", "div", "neg", "exp", "sqrt", "cmp", "erf", "log"))
NKINDS = len(KINDS)

prange = numba.prange


def njit(func=None, *, parallel=False, inline="never", error_model="python"):
    """``numba.njit`` as nnref uses it: cache=True, the safe fastmath subset, nogil, lazy,
    and compilations shared with a second process through :mod:`._claims`.

    Use as ``@njit``, ``@njit(parallel=True)`` or ``@njit(inline="always")``;
    ``error_model="numpy"`` makes a float division by zero IEEE (±inf or NaN) instead of a
    ZeroDivisionError. Nothing else can be passed: no signatures (compilation stays
    lazy), no other fastmath flags.
    """
    if error_model not in ("python", "numpy"):
        raise ValueError(f"njit: error_model={error_model!r} is invalid; expected 'python' "
                         "or 'numpy'")
    options = dict(cache=True, fastmath=set(SAFE_FASTMATH), nogil=True, parallel=parallel,
                   inline=inline, error_model=error_model)
    if func is None:
        return lambda f: njit(f, parallel=parallel, inline=inline, error_model=error_model)
    if not callable(func):
        raise TypeError(f"njit: func={func!r} is invalid; expected a function (no eager "
                        "signatures: kernels compile lazily)")
    return claiming(numba.njit(**options)(func))


@njit(inline="always")
def record(row, add=0, sub=0, mul=0, div=0, neg=0, exp=0, sqrt=0, cmp=0, erf=0, log=0):
    """Add a task's local counters, counted beside their operations, to its counter ``row``:
    ``record(counts[t], add=nadd, mul=nmul)`` at the end of task t."""
    row[ADD] += add
    row[SUB] += sub
    row[MUL] += mul
    row[DIV] += div
    row[NEG] += neg
    row[EXP] += exp
    row[SQRT] += sqrt
    row[CMP] += cmp
    row[ERF] += erf
    row[LOG] += log
