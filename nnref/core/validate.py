"""Argument and input checks shared by every part of nnref.

Every message names the parameter, the value it got, and what was expected, so that a
bad argument is a ``TypeError`` or ``ValueError`` a user can act on.
"""
from __future__ import annotations

import numbers

import numpy as np


def _is_int(v) -> bool:
    if type(v) is int:  # the common case, without the ABC check below
        return True
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def check_int(value, name: str, owner: str, minimum: int = 1) -> int:
    """``value`` as a Python int that is at least ``minimum``."""
    if not _is_int(value):
        raise TypeError(f"{owner}: {name}={value!r} is invalid; expected an int >= {minimum}")
    if value < minimum:
        raise ValueError(f"{owner}: {name}={value!r} is invalid; expected an int >= {minimum}")
    return int(value)


def check_bool(value, name: str, owner: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name}={value!r} is invalid; expected True or False")
    return bool(value)


def check_float(value, name: str, owner: str, minimum: float | None = None) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating)):
        raise TypeError(f"{owner}: {name}={value!r} is invalid; expected a real number")
    value = float(value)
    if not np.isfinite(value) or (minimum is not None and value < minimum):
        want = f"a finite number >= {minimum}" if minimum is not None else "a finite number"
        raise ValueError(f"{owner}: {name}={value!r} is invalid; expected {want}")
    return value


def check_sizes(value, name: str, owner: str) -> tuple:
    """``value`` (an int, or a non-empty tuple or list of ints, each >= 1) as a tuple."""
    want = "an int >= 1 or a non-empty tuple of ints >= 1"
    items = (value,) if _is_int(value) else value
    if not isinstance(items, (tuple, list)) or not all(_is_int(v) for v in items):
        raise TypeError(f"{owner}: {name}={value!r} is invalid; expected {want}")
    if not items or any(v < 1 for v in items):
        raise ValueError(f"{owner}: {name}={value!r} is invalid; expected {want}")
    return tuple(int(v) for v in items)


def check_choice(value, name: str, owner: str, choices) -> str:
    if value not in choices:
        raise ValueError(f"{owner}: {name}={value!r} is invalid; expected one of {sorted(choices)}")
    return value


def check_str(value, name: str, owner: str, choices) -> str:
    """A string among ``choices``; anything else is a TypeError or ValueError naming it."""
    if not isinstance(value, str):
        raise TypeError(f"{owner}: {name}={value!r} is invalid; expected one of {sorted(choices)}")
    return check_choice(value, name, owner, choices)


def normalize_dim(dim: int, ndim: int, name: str, owner: str, shape: tuple) -> int:
    """``dim`` in ``[−ndim, ndim)`` as a non-negative axis index; a ValueError otherwise."""
    if not -ndim <= dim < ndim:
        raise ValueError(f"{owner}: {name}={dim} is out of range for input of shape {shape}; "
                         f"expected an int in [{-ndim}, {ndim - 1}]")
    return dim % ndim


def make_rng(rng, name: str = "rng") -> np.random.Generator:
    """A numpy Generator from None, an int seed, or a Generator; errors call it ``name``."""
    want = "None, an int seed >= 0 or a numpy Generator"
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if not _is_int(rng):
        raise TypeError(f"{name}={rng!r} is invalid; expected {want}")
    if rng < 0:
        raise ValueError(f"{name}={rng!r} is invalid; expected {want}")
    return np.random.default_rng(int(rng))


def as_tuple(value, n: int, name: str, owner: str, minimum: int = 1) -> tuple:
    """An int or a sequence of ``n`` ints, each >= ``minimum``, as an ``n``-tuple of ints."""
    want = f"an int >= {minimum} or a tuple of {n} such ints"
    if _is_int(value):
        items = (value,) * n
    elif isinstance(value, (tuple, list)):
        items = tuple(value)
        if len(items) != n:
            raise ValueError(f"{owner}: {name}={value!r} has {len(items)} entries; expected {want}")
    else:
        raise TypeError(f"{owner}: {name}={value!r} is invalid; expected {want}")
    for v in items:
        if not _is_int(v):
            raise TypeError(f"{owner}: {name}={value!r} is invalid; expected {want}")
        if v < minimum:
            raise ValueError(f"{owner}: {name}={value!r} is invalid; expected {want}")
    return tuple(int(v) for v in items)


def _as_array(x, owner: str, name: str, want: str) -> np.ndarray:
    """``x`` (an array, nested lists, ...) as an ndarray; a TypeError expecting ``want``."""
    if isinstance(x, np.ndarray):
        return x
    try:
        return np.asarray(x)
    except Exception as e:  # ragged lists and the like
        raise TypeError(f"{owner}: {name} of type {type(x).__name__} is invalid; "
                        f"expected {want}") from e


def check_array(x, owner: str, name: str = "x") -> np.ndarray:
    """``x`` as a float32 or float64 ndarray; integer, bool and complex input are a TypeError."""
    x = _as_array(x, owner, name, "a float32 or float64 ndarray")
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"{owner}: {name} has dtype {x.dtype}; expected float32 or float64 "
                        "(cast with x.astype(np.float32))")
    return x


def check_indices(x, owner: str, size: int, name: str = "x") -> np.ndarray:
    """``x`` as an integer ndarray with every entry in ``[0, size)``: indices into a table.

    Floats (integral or not), bool and complex are a TypeError naming the dtype; an index
    out of range a ValueError naming it and its position.
    """
    x = _as_array(x, owner, name, "an ndarray of integer indices")
    if x.dtype.kind not in "iu":
        raise TypeError(f"{owner}: {name} has dtype {x.dtype}; expected integer indices "
                        "(int64 or int32, as torch)")
    if x.size:
        bad = np.flatnonzero((x < 0) | (x >= size))
        if bad.size:
            where = np.unravel_index(bad[0], x.shape)
            raise ValueError(f"{owner}: {name} has the index {x[where]} at position "
                             f"{tuple(int(i) for i in where)}; expected indices in [0, {size})")
    return x


def check_input(x, owner: str, ndims, channels: int | None = None, channel_axis: int = 1) -> np.ndarray:
    """Check dtype, number of dimensions and (optionally) the channel count of ``x``.

    ``ndims`` is an int or a tuple of accepted ndims.
    """
    x = check_array(x, owner)
    accepted = (ndims,) if isinstance(ndims, int) else tuple(ndims)
    if x.ndim not in accepted:
        want = " or ".join(f"{d}-D" for d in accepted)
        raise ValueError(f"{owner}: input has shape {x.shape} ({x.ndim}-D); expected {want}")
    if channels is not None and x.shape[channel_axis] != channels:
        raise ValueError(f"{owner}: input has shape {x.shape} with {x.shape[channel_axis]} channels "
                         f"at axis {channel_axis}; expected {channels} channels")
    if any(s == 0 for s in x.shape):
        raise ValueError(f"{owner}: input has shape {x.shape}; expected no zero-sized dimension")
    return x


def check_shape(shape, owner: str, name: str = "input_shape") -> tuple:
    """A shape as a tuple of positive Python ints."""
    if type(shape) is tuple and all(type(v) is int and v > 0 for v in shape):
        return shape  # the common case, already what is returned
    if isinstance(shape, np.ndarray) or not isinstance(shape, (tuple, list)):
        raise TypeError(f"{owner}: {name}={shape!r} is invalid; expected a tuple of positive ints")
    return as_tuple(tuple(shape), len(shape), name, owner)


def is_shape_tuple(value) -> bool:
    """Whether ``value`` is a tuple or list of shapes (each a tuple or list), not one shape."""
    return (isinstance(value, (tuple, list)) and len(value) > 0
            and all(isinstance(s, (tuple, list)) for s in value))


def check_shapes(value, n: int, owner: str, name: str = "input_shape") -> tuple:
    """The input shape(s) of a layer of ``n`` operands: one shape (every operand has it),
    returned as a tuple of ints, or a tuple of ``n`` shapes, returned as a tuple of tuples
    (as one shape if ``n`` is 1)."""
    if is_shape_tuple(value):
        if len(value) != n:
            raise ValueError(f"{owner}: {name}={value!r} has {len(value)} shapes; expected one "
                             f"shape, or {n} (one per operand)")
        shapes = tuple(check_shape(s, owner, f"{name}[{i}]") for i, s in enumerate(value))
        return shapes if n > 1 else shapes[0]
    return check_shape(value, owner, name)


def check_operand_shapes(value, n: int, owner: str, name: str = "input_shape") -> tuple:
    """:func:`check_shapes`, always as a tuple of ``n`` shapes (one shape is every operand's),
    for layers whose operands are unpacked by position (MatMul, attention)."""
    shapes = check_shapes(value, n, owner, name)
    return tuple(shapes) if is_shape_tuple(shapes) else (shapes,) * n


def check_param(value, name: str, owner: str, shape: tuple) -> np.ndarray:
    """A parameter array of the exact ``shape`` and a float dtype."""
    arr = check_array(value, owner, name)
    if arr.shape != tuple(shape):
        raise ValueError(f"{owner}: {name} has shape {arr.shape}; expected {tuple(shape)}")
    return arr
