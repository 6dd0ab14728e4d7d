"""Keep the memory a model's forward frees, for its next forward (glibc's malloc only).

Every forward allocates its activations anew and frees them as the next layers consume
them. glibc's malloc adapts its thresholds to that pattern: after the first large free
it serves blocks up to that size from the heap, but it also returns the free top of the
heap to the system once it exceeds twice that size, at the end of every forward. The
next forward then takes a page fault on every page of memory it writes for the first
time. Measured on MobileNetV2 (224², batch 1, float32; 2 cores, Zen 4): 2,400 faults a
forward, which made its BatchNorms (1.7 ms for one of 96 × 112² instead of 0.1) and the
whole forward 27–36 ms instead of 19; ResNet-50 happened not to trigger it.

:func:`keep_freed_memory` fixes both thresholds, so that glibc stops adapting them:
blocks up to MMAP_THRESHOLD come from the heap, and up to TRIM_THRESHOLD of free heap is
kept. It changes where memory comes from, not how much a forward uses at its peak; the
process keeps its peak for the next forward, as torch's caching allocators do.
:class:`nnref.models.run.Runner` calls it before each forward. It is a setting of
the process's C library, not of nnref: ``NNREF_KEEP_MEMORY=0`` leaves malloc alone. On
other C libraries and systems it does nothing.
"""
from __future__ import annotations

import ctypes
import functools
import os
import sys

#: glibc's mallopt parameter numbers (``malloc.h``).
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
#: Blocks up to this size come from the heap: glibc's largest threshold on 64-bit systems
#: (32 MiB); larger ones (a bigger column buffer, say) are still mapped and unmapped.
MMAP_THRESHOLD = 32 << 20
#: Free memory kept at the top of the heap before it goes back to the system.
TRIM_THRESHOLD = 1 << 30


@functools.cache
def _mallopt():
    """glibc's ``mallopt``, or None on another C library or system."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):
        return None  # not glibc: another C library's mallopt, if any, has other parameters
    mallopt = libc.mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return mallopt


def keep_freed_memory(env=None) -> bool:
    """Fix glibc's mmap and trim thresholds (see the module docstring); returns whether
    they were set. ``NNREF_KEEP_MEMORY`` in ``env`` (default ``os.environ``): ``"1"`` or
    unset sets them, ``"0"`` leaves malloc alone; anything else is a ValueError."""
    setting = (os.environ if env is None else env).get("NNREF_KEEP_MEMORY", "1").strip()
    if setting not in ("0", "1"):
        raise ValueError(f"NNREF_KEEP_MEMORY={setting!r} is invalid; expected 1 (keep the "
                         "memory a forward frees for the next one, the default) or 0 (leave "
                         "malloc alone)")
    mallopt = _mallopt() if setting == "1" else None
    if mallopt is None:
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
