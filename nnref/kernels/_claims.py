"""Compile claims: two processes compiling kernels on one cold numba cache share the work.

On a cold cache ``nnref count`` starts a helper process (:mod:`nnref.cli._warm`) that
runs the model's layers from the last while the main process runs them from the first;
each writes what it compiles to numba's cache and loads from it what the other has
written. When both reach a kernel before either has finished it, both would compile it
(3 s of the ``Add`` kernel, twice). With claims, the first process to compile a
signature of a kernel creates a claim file for it (atomically: ``O_EXCL``), and removes
it once numba has cached the result. The other process, finding the claim:

* waits until it is gone, then loads the kernel from the cache (``wait=True``: the
  main process, which cannot go on without it), or
* raises :class:`Claimed` (``wait=False``: the helper, which puts that layer off and
  compiles one the main process needs later).

A claim whose process has died, or older than TIMEOUT seconds, is taken over. Claims
apply only inside :func:`claims` (a context variable: nothing global); elsewhere
:func:`claiming`'s wrapper calls numba's ``compile`` straight away. Which process
compiles what changes nothing but time: every kernel is the same compiled code.
"""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import time

#: Seconds between looks at a claim being waited for, and the age after which a claim
#: is ignored (its process stuck or gone without removing it).
POLL, TIMEOUT = 0.02, 120.0

_ACTIVE = contextvars.ContextVar("nnref_compile_claims", default=None)


class Claimed(RuntimeError):
    """Another process is compiling this kernel (raised when claims do not wait)."""


@contextlib.contextmanager
def claims(directory, wait: bool):
    """Claim compilations in ``directory`` (shared with the other process) while inside;
    ``wait``: wait for the other's claims (True) or raise :class:`Claimed` (False)."""
    if not os.path.isdir(directory):
        raise ValueError(f"claims: directory={directory!r} is invalid; expected an existing "
                         "directory")
    token = _ACTIVE.set((os.fspath(directory), bool(wait)))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def _alive(path: str) -> bool:
    """Whether the claim at ``path`` still stands: its file exists, is younger than
    TIMEOUT, and the process id written in it is running (not checked on Windows, where
    probing a process with ``os.kill`` would end it)."""
    try:
        age = time.time() - os.stat(path).st_mtime
        with open(path) as f:
            text = f.read()
    except OSError:
        return False
    if age > TIMEOUT:
        return False
    if os.name == "nt" or not text.strip().isdigit():  # just created, not yet written
        return True
    try:
        os.kill(int(text), 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: it exists
        pass
    return True


def _take(path: str) -> bool | None:
    """Claim ``path``: True if taken, False if another process holds it, None if the
    claims directory is gone (the run is ending: compile without claims)."""
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if _alive(path):
                return False
            with contextlib.suppress(OSError):  # a dead claim: take it over
                os.remove(path)
            continue
        except OSError:
            return None
        with os.fdopen(fd, "w") as f:
            f.write(str(os.getpid()))
        return True
    return False


def claiming(dispatcher):
    """Make ``dispatcher`` (a numba dispatcher) claim each signature it compiles while
    :func:`claims` is active; return it."""
    compile_ = dispatcher.compile

    def compile(sig):
        active = _ACTIVE.get()
        args = tuple(getattr(sig, "args", sig))
        if active is None or args in dispatcher.overloads:
            return compile_(sig)
        directory, wait = active
        func = dispatcher.py_func
        key = f"{func.__module__}.{func.__qualname__}{args}".encode()
        path = os.path.join(directory, hashlib.sha1(key).hexdigest() + ".claim")
        taken = _take(path)
        if taken is None:
            return compile_(sig)
        if taken:
            try:
                return compile_(sig)
            finally:
                with contextlib.suppress(OSError):
                    os.remove(path)
        if not wait:
            raise Claimed(f"{func.__qualname__}{args} is being compiled by another process")
        while _alive(path):
            time.sleep(POLL)
        return compile_(sig)  # from the cache the other process wrote, or compiled here

    dispatcher.compile = compile
    return dispatcher
