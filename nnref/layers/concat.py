"""Joining and splitting along an axis: Cat (``torch.cat``), Chunk and Split (one piece of
``x.chunk`` / ``x.split`` each). Data movement: no arithmetic.

Counts: :func:`nnref.formulas.concat.concat`.
"""
from __future__ import annotations

import numpy as np

from ..core.opcounts import OpCounts
from ..core.validate import _is_int, check_array, check_int, check_shapes, normalize_dim
from .base import Layer


class Cat(Layer):
    """``inputs`` tensors joined along ``dim``, torch's ``torch.cat(tensors, dim)``.

    Parameters
    ----------
    dim : int
        The axis to join along (negative counts from the end).
    inputs : int
        The number of tensors joined, >= 1.

    Notes
    -----
    ``x_k : ndarray of shape (…, d_k, …)``, equal on every other axis and of one dtype,
    give ``(…, Σ d_k, …)``: the operands one after the other along ``dim``.
    """

    operands = 2  # per instance: ``inputs``

    def __init__(self, dim=0, inputs=2):
        super().__init__()
        if not _is_int(dim):
            raise TypeError(f"Cat: dim={dim!r} is invalid; expected an int axis")
        self.dim = int(dim)
        self.inputs = self.operands = check_int(inputs, "inputs", "Cat")

    def check_shape(self, input_shape):
        return check_shapes(input_shape, self.operands, self.kind)

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        shapes = shape if shape and isinstance(shape[0], tuple) else (shape,) * self.operands
        first = shapes[0]
        if not first:
            raise ValueError(f"Cat: an input of shape {first} (0-d) is invalid; expected "
                             "tensors of at least one axis")
        d = normalize_dim(self.dim, len(first), "dim", self.kind, first)
        for s in shapes[1:]:
            if len(s) != len(first) or s[:d] + s[d + 1:] != first[:d] + first[d + 1:]:
                raise ValueError(f"Cat: inputs of shapes {list(shapes)} cannot be joined along "
                                 f"dim={self.dim}; expected equal sizes on every other axis")
        return first[:d] + (sum(s[d] for s in shapes),) + first[d + 1:]

    def __call__(self, *xs):
        if len(xs) != self.operands:
            raise TypeError(f"Cat takes {self.operands} arrays ({self!r}); it was given {len(xs)}")
        xs = tuple(check_array(x, self.kind, f"x[{i}]") for i, x in enumerate(xs))
        if len({x.dtype for x in xs}) > 1:
            raise TypeError(f"Cat: inputs have dtypes {[str(x.dtype) for x in xs]}; expected "
                            "one dtype")
        self.output_shape(tuple(x.shape for x in xs))
        return self.forward(*xs)

    def forward(self, *xs):
        return np.concatenate(xs, axis=self.dim), OpCounts()

    def extra_repr(self):
        return f"dim={self.dim}, inputs={self.inputs}"


class _Piece(Layer):
    """Shared shape rule and forward of Chunk and Split: piece ``index`` along ``dim``."""

    def _sizes(self, n: int, shape: tuple) -> list:
        """The sizes of the pieces of an axis of ``n`` elements."""
        raise NotImplementedError

    def bounds(self, shape) -> tuple:
        """``(axis, start, stop)`` of the piece in an input of ``shape``."""
        shape = self.check_shape(shape)
        if not shape:
            raise ValueError(f"{self.kind}: an input of shape () (0-d) is invalid; expected a "
                             "tensor of at least one axis")
        d = normalize_dim(self.dim, len(shape), "dim", self.kind, shape)
        sizes = self._sizes(shape[d], shape)
        if self.index >= len(sizes):
            raise ValueError(f"{self.kind}: index={self.index} is out of range: {self!r} cuts "
                             f"axis {d} of input shape {shape} into {len(sizes)} pieces")
        start = sum(sizes[:self.index])
        return d, start, start + sizes[self.index]

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        d, start, stop = self.bounds(shape)
        return shape[:d] + (stop - start,) + shape[d + 1:]

    def forward(self, x):
        d, start, stop = self.bounds(x.shape)
        return x[(slice(None),) * d + (slice(start, stop),)], OpCounts()


class Chunk(_Piece):
    """Piece ``index`` of torch's ``x.chunk(chunks, dim)`` (a view; no arithmetic).

    Parameters
    ----------
    chunks : int
        How many pieces torch asks for; each has ⌈n / chunks⌉ elements along ``dim``
        (the last fewer), so there may be fewer pieces than asked, as in torch.
    dim : int
    index : int
        Which piece, from 0.
    """

    def __init__(self, chunks, dim=0, index=0):
        super().__init__()
        self.chunks = check_int(chunks, "chunks", "Chunk")
        if not _is_int(dim):
            raise TypeError(f"Chunk: dim={dim!r} is invalid; expected an int axis")
        self.dim, self.index = int(dim), check_int(index, "index", "Chunk", minimum=0)

    def _sizes(self, n, shape):
        size = -(-n // self.chunks)
        return [min(size, n - start) for start in range(0, n, size)]

    def extra_repr(self):
        return f"chunks={self.chunks}, dim={self.dim}, index={self.index}"


class Split(_Piece):
    """Piece ``index`` of torch's ``x.split(split_size_or_sections, dim)`` (a view).

    Parameters
    ----------
    split_size_or_sections : int or tuple of int
        An int: pieces of that size along ``dim``, the last smaller. A tuple: the size of
        each piece, summing to the axis's size.
    dim : int
    index : int
        Which piece, from 0.
    """

    def __init__(self, split_size_or_sections, dim=0, index=0):
        super().__init__()
        v = split_size_or_sections
        want = "an int >= 1 or a tuple of ints >= 1"
        if _is_int(v):
            self.split_size_or_sections = check_int(v, "split_size_or_sections", "Split")
        elif isinstance(v, (tuple, list)) and v and all(_is_int(s) for s in v):
            if any(s < 1 for s in v):
                raise ValueError(f"Split: split_size_or_sections={v!r} is invalid; expected {want}")
            self.split_size_or_sections = tuple(int(s) for s in v)
        else:
            raise TypeError(f"Split: split_size_or_sections={v!r} is invalid; expected {want}")
        if not _is_int(dim):
            raise TypeError(f"Split: dim={dim!r} is invalid; expected an int axis")
        self.dim, self.index = int(dim), check_int(index, "index", "Split", minimum=0)

    def _sizes(self, n, shape):
        v = self.split_size_or_sections
        if isinstance(v, int):
            return [min(v, n - start) for start in range(0, n, v)]
        if sum(v) != n:
            raise ValueError(f"Split: split_size_or_sections={v} sums to {sum(v)}, but the axis "
                             f"has {n} elements in input shape {shape}; expected sizes summing to {n}")
        return list(v)

    def extra_repr(self):
        return (f"split_size_or_sections={self.split_size_or_sections}, dim={self.dim}, "
                f"index={self.index}")
