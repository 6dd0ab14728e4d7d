"""What the bridge's parts share: the refusal of an argument, tensors to arrays and back,
the short names of torch callables used in records (``"nn.Conv2d"``, ``"F.relu"``)."""
from __future__ import annotations

import numpy as np
import torch

nn = torch.nn
F = torch.nn.functional


class Unsupported(Exception):
    """A torch call nnref cannot take, with the reason (an argument, a module, ...)."""


def refuse(what: str, value, expected: str):
    """An :class:`Unsupported` naming the argument, its value and what nnref takes."""
    return Unsupported(f"{what}={value!r} is not supported; expected {expected}")


def array(t) -> np.ndarray | None:
    """A tensor (parameter, buffer) as a numpy array of its dtype, or None."""
    return None if t is None else t.detach().cpu().numpy().copy()


def tensor(a, dtype=None):
    """A numpy array as a torch tensor (of ``dtype``, or of the array's dtype)."""
    t = torch.from_numpy(np.array(a, order="C"))
    return t if dtype is None else t.to(dtype)


def torch_dtype(dtype) -> torch.dtype:
    """torch's dtype for a numpy float dtype."""
    return {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[np.dtype(dtype)]


def module_target(cls) -> str:
    """The record target of a module class: ``"nn.Conv2d"`` for torch's own classes, the
    qualified name otherwise (``"mypkg.MyConv"``; hook-based tools look types up exactly)."""
    if cls.__module__.startswith("torch.nn.modules") and getattr(nn, cls.__name__, None) is cls:
        return f"nn.{cls.__name__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def callable_name(f) -> str:
    """A torch function's short name: ``"F.relu"``, ``"torch.flatten"``, ``"operator.add"``."""
    name = getattr(f, "__name__", repr(f))
    if getattr(F, name, None) is f:
        return f"F.{name}"
    if getattr(torch, name, None) is f:
        return f"torch.{name}"
    module = getattr(f, "__module__", None) or ""
    if module in ("_operator", "operator"):
        return f"operator.{name}"
    return f"{module}.{name}" if module else name
