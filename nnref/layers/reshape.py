"""Data movement without arithmetic: Identity, Flatten, Reshape, Dropout (inference),
Permute, Transpose, Contiguous, ChannelShuffle, Expand, and Parameter (a tensor the model
holds, read in ``forward``: no operand at all).

Each only views or copies its input. Counts: :func:`nnref.formulas.reshape.reshape`.
"""
from __future__ import annotations

from math import prod

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import (_is_int, check_array, check_bool, check_float, check_int,
                             check_shape, normalize_dim)
from .base import Layer


class Identity(Layer):
    """The identity, torch's ``nn.Identity``: ``y = x``, no arithmetic.

    Notes
    -----
    ``x : ndarray of any shape`` is returned as it is (the same array, as in torch).
    """

    def output_shape(self, input_shape):
        return self.check_shape(input_shape)

    def forward(self, x):
        return x, OpCounts()


class Flatten(Layer):
    """Merge axes ``start_dim … end_dim`` into one (no arithmetic).

    Parameters
    ----------
    start_dim, end_dim : int
        First and last axis to merge; negative values count from the end.

    Notes
    -----
    ``x : ndarray of shape (d_0, …, d_{k−1})`` becomes
    ``(d_0, …, d_{s−1}, d_s·…·d_e, d_{e+1}, …)``. The result is a view when possible.
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        for name, v in (("start_dim", start_dim), ("end_dim", end_dim)):
            if not _is_int(v):
                raise TypeError(f"Flatten: {name}={v!r} is invalid; expected an int axis")
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        n = max(len(shape), 1)
        s = normalize_dim(self.start_dim, n, "start_dim", self.kind, shape)
        e = normalize_dim(self.end_dim, n, "end_dim", self.kind, shape)
        if s > e:
            raise ValueError(f"Flatten: start_dim={self.start_dim} comes after end_dim={self.end_dim} "
                             f"for input of shape {shape}; expected start_dim <= end_dim")
        return shape[:s] + (prod(shape[s:e + 1]),) + shape[e + 1:]

    def forward(self, x):
        return x.reshape(self.output_shape(x.shape)), OpCounts()

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Layer):
    """Dropout in inference mode: the identity, with no arithmetic.

    Parameters
    ----------
    p : float
        The training-time drop probability, in [0, 1]; unused in inference.
    inplace : bool
        Kept for PyTorch compatibility.
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = check_float(p, "p", "Dropout", minimum=0.0)
        if self.p > 1:
            raise ValueError(f"Dropout: p={p!r} is invalid; expected a probability in [0, 1]")
        self.inplace = check_bool(inplace, "inplace", "Dropout")

    def output_shape(self, input_shape):
        return self.check_shape(input_shape)

    def forward(self, x):
        return x, OpCounts()

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Reshape(Layer):
    """Reshape the whole tensor, batch axis included, like ``torch.reshape`` (no arithmetic).

    Parameters
    ----------
    shape : tuple of int
        Target shape; one entry may be -1, inferred from the element count.
    """

    def __init__(self, shape):
        super().__init__()
        want = "a tuple of ints >= 1, with at most one -1"
        items = (shape,) if _is_int(shape) else shape
        if not isinstance(items, (tuple, list)) or not all(_is_int(s) for s in items):
            raise TypeError(f"Reshape: shape={shape!r} is invalid; expected {want}")
        items = tuple(int(s) for s in items)
        if not items or items.count(-1) > 1 or any(s < 1 and s != -1 for s in items):
            raise ValueError(f"Reshape: shape={shape!r} is invalid; expected {want}")
        self.shape = items

    def extra_repr(self):
        return f"{self.shape}"

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        n, known = prod(shape), prod(s for s in self.shape if s != -1)
        if -1 in self.shape and n % known == 0:
            return tuple(n // known if s == -1 else s for s in self.shape)
        if -1 not in self.shape and n == known:
            return self.shape
        raise ValueError(f"Reshape: input has shape {shape} ({n} elements), which cannot be "
                         f"reshaped to {self.shape}")

    def forward(self, x):
        return np.ascontiguousarray(x).reshape(self.output_shape(x.shape)), OpCounts()


def _axes(owner: str, name: str, value, ndim: int, shape: tuple) -> tuple:
    """Axes (each in ``[−ndim, ndim)``) as non-negative ints."""
    return tuple(normalize_dim(d, max(ndim, 1), name, owner, shape) for d in value)


class Permute(Layer):
    """The axes reordered, torch's ``x.permute(dims)`` (a view; no arithmetic).

    Parameters
    ----------
    dims : tuple of int
        A permutation of the input's axes (negative values count from the end).

    Notes
    -----
    ``x : ndarray of shape (d_0, …, d_{k−1})`` becomes ``(d_{dims[0]}, …, d_{dims[k−1]})``
    with ``y[i_0, …] = x[...]`` at the permuted index.
    """

    def __init__(self, dims):
        super().__init__()
        if not isinstance(dims, (tuple, list)) or not all(_is_int(d) for d in dims):
            raise TypeError(f"Permute: dims={dims!r} is invalid; expected a tuple of int axes")
        self.dims = tuple(int(d) for d in dims)

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        axes = _axes(self.kind, "dims", self.dims, len(shape), shape)
        if len(axes) != len(shape) or len(set(axes)) != len(axes):
            raise ValueError(f"Permute: dims={self.dims} is not a permutation of the "
                             f"{len(shape)} axes of input shape {shape}")
        return tuple(shape[a] for a in axes) if shape else ()

    def forward(self, x):
        self.output_shape(x.shape)
        return (np.transpose(x, [d % x.ndim for d in self.dims]) if x.ndim else x), OpCounts()

    def extra_repr(self):
        return f"dims={self.dims}"


class Transpose(Layer):
    """Two axes swapped, torch's ``x.transpose(dim0, dim1)`` (a view; no arithmetic).

    Parameters
    ----------
    dim0, dim1 : int
        The axes to swap (negative values count from the end).
    """

    def __init__(self, dim0, dim1):
        super().__init__()
        for name, v in (("dim0", dim0), ("dim1", dim1)):
            if not _is_int(v):
                raise TypeError(f"Transpose: {name}={v!r} is invalid; expected an int axis")
        self.dim0, self.dim1 = int(dim0), int(dim1)

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        a, b = _axes(self.kind, "dim0", (self.dim0,), len(shape), shape) + _axes(
            self.kind, "dim1", (self.dim1,), len(shape), shape)
        if not shape:
            return ()
        out = list(shape)
        out[a], out[b] = shape[b], shape[a]
        return tuple(out)

    def forward(self, x):
        self.output_shape(x.shape)
        return (np.swapaxes(x, self.dim0, self.dim1) if x.ndim else x), OpCounts()

    def extra_repr(self):
        return f"dim0={self.dim0}, dim1={self.dim1}"


class Contiguous(Layer):
    """torch's ``x.contiguous()``: a C-contiguous copy of ``x`` (no arithmetic)."""

    def output_shape(self, input_shape):
        return self.check_shape(input_shape)

    def forward(self, x):
        return np.array(x, order="C"), OpCounts()  # ascontiguousarray makes 0-d 1-d


class ChannelShuffle(Layer):
    """torch's ``nn.ChannelShuffle(groups)``: channels regrouped (ShuffleNet; no arithmetic).

    Parameters
    ----------
    groups : int
        g, dividing the channel count C.

    Notes
    -----
    ``x : ndarray of shape (N, C, *S)`` is viewed as (N, g, C/g, *S), axes 1 and 2 are
    swapped, and the result is read back as (N, C, *S): output channel ``i·g + j`` is
    input channel ``j·(C/g) + i``.
    """

    def __init__(self, groups):
        super().__init__()
        self.groups = check_int(groups, "groups", "ChannelShuffle")

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        if len(shape) < 3 or shape[1] % self.groups:
            raise ValueError(f"ChannelShuffle: input has shape {shape}; expected (N, C, *S) "
                             f"with at least 3 axes and C divisible by groups={self.groups}")
        return shape

    def forward(self, x):
        self.output_shape(x.shape)
        n, c, g = x.shape[0], x.shape[1], self.groups
        y = np.ascontiguousarray(x).reshape((n, g, c // g) + x.shape[2:]).swapaxes(1, 2)
        return np.ascontiguousarray(y).reshape(x.shape), OpCounts()

    def extra_repr(self):
        return f"groups={self.groups}"


class Parameter(Layer):
    """A tensor the model holds, read directly in ``forward`` (torch's ``self.class_token``,
    fx's ``get_attr``): ``y = data``, no operand and no arithmetic.

    Parameters
    ----------
    data : ndarray of any shape, float32 or float64
        The tensor (torch's ``nn.Parameter(data)``); copied.
    buffer : bool
        Keyword only. False: a parameter (``param_names``, counted in ``num_params``);
        True: a buffer (``buffer_names``, torch's ``register_buffer``), not counted.

    Notes
    -----
    ``layer()`` takes no array and returns ``(y, OpCounts())``, ``y`` a copy of ``data``
    (so that a later in-place call cannot change the model). Its one input shape is
    ``()``, the empty tuple of operand shapes: ``output_shape(())`` is ``data.shape``,
    and a plan step of a Parameter has ``input_shape=()``. In a model, its array is named
    by the layer's own dotted name (``encoder.pos_embedding``, as in torch's
    ``state_dict``), not ``encoder.pos_embedding.data``.
    """

    operands = 0
    #: The array whose state_dict key is the layer's own name (see Container.state_dict).
    own_array = "data"

    def __init__(self, data, *, buffer=False):
        super().__init__()
        want = "a float32 or float64 ndarray with no zero-sized axis"
        if isinstance(data, (str, bytes)) or not isinstance(data, (np.ndarray, list, tuple,
                                                                    float, np.floating)):
            raise TypeError(f"Parameter: data={data!r:.60} is invalid; expected {want}")
        data = np.array(data)
        if data.dtype not in (np.float32, np.float64):
            raise TypeError(f"Parameter: data has dtype {data.dtype}; expected {want}")
        if 0 in data.shape:
            raise ValueError(f"Parameter: data has shape {data.shape}; expected {want}")
        self.data = data
        self.buffer = check_bool(buffer, "buffer", "Parameter")
        self.param_names, self.buffer_names = (((), ("data",)) if self.buffer
                                               else (("data",), ()))

    def check_shape(self, input_shape):
        """``()``: the empty tuple of operand shapes (a Parameter reads no input)."""
        shape = check_shape(input_shape, self.kind)
        if shape:
            raise ValueError(f"Parameter: input_shape={shape} is invalid; expected () (a "
                             "Parameter takes no input)")
        return shape

    def output_shape(self, input_shape):
        self.check_shape(input_shape)
        return tuple(check_array(self.data, self.kind, "data").shape)

    def __call__(self, *xs):
        if xs:
            raise TypeError(f"Parameter takes no input arrays ({self!r}); it was given {len(xs)}")
        return self.forward()

    def forward(self):
        return np.array(check_array(self.data, self.kind, "data")), OpCounts()

    def random_input(self, rng, shape, dtype):
        raise TypeError("Parameter takes no input")

    def extra_repr(self):
        data = check_array(self.data, self.kind, "data")
        return f"shape={data.shape}, dtype={data.dtype}" + ", buffer=True" * self.buffer


class Expand(Layer):
    """torch's ``x.expand(*sizes)``: size-1 axes repeated, new leading axes added (a
    broadcast view; no arithmetic).

    Parameters
    ----------
    *sizes : int, or one tuple of int
        The output sizes; -1 keeps the input's size of that axis. There may be more sizes
        than input axes (new leading axes, which take no -1).

    Notes
    -----
    ``x : ndarray of shape (d_0, …, d_{k−1})``, aligned with the last k sizes, gives
    ``(s_0, …, s_{m−1})`` where each ``d_i`` is 1, equal to its size, or kept by -1.
    The result is a read-only view, as torch's shares the input's memory.
    """

    def __init__(self, *sizes):
        super().__init__()
        want = "ints >= 1 or -1 (keep), or one tuple of them"
        value = sizes[0] if len(sizes) == 1 else sizes
        items = tuple(value) if isinstance(value, (tuple, list)) else sizes
        if not items or not all(_is_int(s) for s in items):
            raise TypeError(f"Expand: sizes={value!r} is invalid; expected {want}")
        if any(s < 1 and s != -1 for s in items):
            raise ValueError(f"Expand: sizes={value!r} is invalid; expected {want}")
        self.sizes = tuple(int(s) for s in items)

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        new = len(self.sizes) - len(shape)
        where = f"Expand: input of shape {shape} cannot be expanded to sizes={self.sizes}"
        if new < 0:
            raise ValueError(f"{where}; expected at least {len(shape)} sizes")
        if -1 in self.sizes[:new]:
            raise ValueError(f"{where}; expected no -1 for a new leading axis")
        out = list(self.sizes[:new])
        for d, s in zip(shape, self.sizes[new:]):
            if s != -1 and d not in (1, s):
                raise ValueError(f"{where}; expected each input size 1 or equal to its size")
            out.append(d if s == -1 else s)
        return tuple(out)

    def forward(self, x):
        return np.broadcast_to(x, self.output_shape(x.shape)), OpCounts()

    def extra_repr(self):
        return ", ".join(map(str, self.sizes))
