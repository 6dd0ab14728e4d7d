"""Upsampling and interpolation: Upsample (torch's ``nn.Upsample`` and ``F.interpolate``),
UpsamplingNearest2d and UpsamplingBilinear2d.

Modes ``nearest`` and ``nearest-exact`` copy an input element (no arithmetic); ``linear``,
``bilinear`` and ``trilinear`` blend the 2, 4 or 8 inputs around each output's source
coordinate. The output size along each axis is ``size``, or ``floor(i·scale_factor)``
(:func:`nnref.core.shapes.interpolate_out`); the source coordinate of output ``j`` follows
torch's kernels exactly, including ``align_corners`` and which ratio they use: the one
from ``scale_factor`` as given, or from the sizes (with ``size``, or with
``recompute_scale_factor=True``).

Counts: :func:`nnref.formulas.upsample.interpolate`.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..core.opcounts import OpCounts
from ..core.shapes import interpolate_out
from ..core.validate import check_bool, check_float
from .base import Layer

#: mode -> number of spatial axes it takes (None: any of 1, 2, 3).
MODES = {"nearest": None, "nearest-exact": None, "linear": 1, "bilinear": 2, "trilinear": 3}
#: torch's other modes, refused by name.
UNSUPPORTED = ("bicubic", "area")


def _per_axis(value, name, owner, check):
    """An int/float or a tuple of them, each checked by ``check``; a tuple (or the scalar)."""
    if isinstance(value, (tuple, list)):
        if not value:
            raise ValueError(f"{owner}: {name}={value!r} is invalid; expected a number or a "
                             "non-empty tuple of numbers")
        return tuple(check(v) for v in value)
    return check(value)


class Upsample(Layer):
    """Resize the spatial axes of x (N, C, *S) by ``size`` or ``scale_factor``, as torch does.

    Parameters
    ----------
    size : int or tuple of int, optional
        The output's spatial sizes (one int for every axis).
    scale_factor : float or tuple of float, optional
        Multiplier of each spatial size; exactly one of ``size`` and ``scale_factor``.
    mode : {"nearest", "nearest-exact", "linear", "bilinear", "trilinear"}
        ``linear`` takes 3-D input, ``bilinear`` 4-D, ``trilinear`` 5-D, the nearest modes
        any of them. (torch's ``bicubic`` and ``area`` are refused by name.)
    align_corners : bool or None
        Linear modes only: map the corner outputs on the corner inputs (True) or the
        pixel edges (False, the default).
    recompute_scale_factor : bool or None
        With ``scale_factor``: True computes the coordinates from the output size, as
        torch does; otherwise from ``scale_factor`` itself, which can differ.

    Notes
    -----
    Along an axis of input size I and output size O ≠ I, with ratio r (``1/scale_factor``,
    ``I/O``, or ``(I − 1)/(O − 1)`` with ``align_corners``), output j reads source
    ``s = (j + 0.5)·r − 0.5`` clamped at 0 (``s = j·r`` with ``align_corners``), inputs
    ``i₀ = min(⌊s⌋, I − 1)`` and ``i₁ = min(i₀ + 1, I − 1)``, with weights
    ``λ₁ = max(s − i₀, 0)``, ``λ₀ = 1 − λ₁``; an axis with O = I has i₀ = i₁ = j, λ = (1, 0).
    Each output blends along every axis: ``y = t(i₀)·λ₀ + t(i₁)·λ₁``, where ``t`` blends
    the next axis. Nearest reads ``min(⌊j·r⌋, I − 1)`` (``⌊(j + 0.5)·r⌋`` for nearest-exact).
    Counts: :func:`nnref.formulas.upsample.interpolate`.
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        k = self.kind
        if not isinstance(mode, str):
            raise TypeError(f"{k}: mode={mode!r} is invalid; expected one of {sorted(MODES)}")
        if mode not in MODES:
            why = " (not supported by nnref)" if mode in UNSUPPORTED else ""
            raise ValueError(f"{k}: mode={mode!r} is invalid{why}; expected one of {sorted(MODES)}")
        self.mode = mode
        self.size = None if size is None else _per_axis(size, "size", k, lambda v: _size(v, k, size))
        self.scale_factor = None if scale_factor is None else _per_axis(
            scale_factor, "scale_factor", k, lambda v: _scale(v, k, scale_factor))
        if (size is None) == (scale_factor is None):
            raise ValueError(f"{k}: size={size!r} and scale_factor={scale_factor!r} are "
                             f"{'both' if size is not None else 'neither'} given; expected "
                             "exactly one of them")
        if align_corners is not None:
            check_bool(align_corners, "align_corners", k)
            if MODES[mode] is None:
                raise ValueError(f"{k}: align_corners={align_corners!r} is invalid with "
                                 f"mode={mode!r}; expected None (it is an option of the "
                                 "linear modes only)")
        self.align_corners = None if align_corners is None else bool(align_corners)
        if recompute_scale_factor is not None:
            check_bool(recompute_scale_factor, "recompute_scale_factor", k)
            if recompute_scale_factor and size is not None:
                raise ValueError(f"{k}: recompute_scale_factor=True is invalid with size={size!r} "
                                 "(it is meaningful with scale_factor only); expected None")
        self.recompute_scale_factor = (None if recompute_scale_factor is None
                                       else bool(recompute_scale_factor))

    def _axes(self, values, name, nd):
        """``values`` (a scalar or a tuple) as one entry per spatial axis."""
        if not isinstance(values, tuple):
            return (values,) * nd
        if len(values) != nd:
            raise ValueError(f"{self.kind}: {name}={values!r} has {len(values)} entries for an "
                             f"input with {nd} spatial axes; expected one per axis")
        return values

    def kernel_scales(self, input_shape) -> tuple:
        """Per spatial axis, the scale factor that reaches torch's kernel: ``scale_factor``
        itself, or None where the ratio comes from the sizes (``size`` given, or
        ``recompute_scale_factor=True``)."""
        nd = len(input_shape) - 2
        if self.scale_factor is None or self.recompute_scale_factor:
            return (None,) * nd
        return self._axes(self.scale_factor, "scale_factor", nd)

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        want = MODES[self.mode]
        ndims = (3, 4, 5) if want is None else (want + 2,)
        if len(shape) not in ndims:
            raise ValueError(f"{self.kind}: input has shape {shape} ({len(shape)}-D); mode="
                             f"{self.mode!r} expected {' or '.join(f'{d}-D' for d in ndims)} "
                             "(N, C, *spatial)")
        nd = len(shape) - 2
        if self.size is not None:
            sizes = [interpolate_out(i, o, None) for i, o in
                     zip(shape[2:], self._axes(self.size, "size", nd))]
        else:
            sizes = [interpolate_out(i, None, f) for i, f in
                     zip(shape[2:], self._axes(self.scale_factor, "scale_factor", nd))]
        if min(sizes) < 1:
            raise ValueError(f"{self.kind}: input of shape {shape} with scale_factor="
                             f"{self.scale_factor!r} gives output sizes {tuple(sizes)}; expected "
                             "sizes of at least 1")
        return shape[:2] + tuple(sizes)

    def forward(self, x):
        from ..kernels.upsample import interpolate

        out = self.output_shape(x.shape)
        y, rows = interpolate(np.ascontiguousarray(x), out, self.mode, bool(self.align_corners),
                              self.kernel_scales(x.shape))
        return y, OpCounts.from_rows(rows)

    def extra_repr(self):
        what = f"size={self.size!r}" if self.size is not None else f"scale_factor={self.scale_factor!r}"
        return f"{what}, mode={self.mode!r}" + self._changed(
            (("align_corners", None), ("recompute_scale_factor", None)))


def _size(v, owner, given):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Integral, np.integer)) or v < 1:
        error = ValueError if isinstance(v, (numbers.Integral, np.integer)) else TypeError
        raise error(f"{owner}: size={given!r} is invalid; expected an int >= 1 or a tuple of them")
    return int(v)


def _scale(v, owner, given):
    try:
        value = check_float(v, "scale_factor", owner)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{owner}: scale_factor={given!r} is invalid; expected a finite number "
                      "> 0 or a tuple of them") from None
    if value <= 0:
        raise ValueError(f"{owner}: scale_factor={given!r} is invalid; expected a finite number "
                         "> 0 or a tuple of them")
    return value


class UpsamplingNearest2d(Upsample):
    """torch's ``nn.UpsamplingNearest2d``: :class:`Upsample` with ``mode="nearest"``, 4-D input."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")

    def extra_repr(self):
        return f"size={self.size!r}" if self.size is not None else f"scale_factor={self.scale_factor!r}"

    def output_shape(self, input_shape):
        shape = self.check_shape(input_shape)
        if len(shape) != 4:
            raise ValueError(f"{self.kind}: input has shape {shape} ({len(shape)}-D); expected "
                             "4-D (N, C, H, W)")
        return super().output_shape(shape)


class UpsamplingBilinear2d(UpsamplingNearest2d):
    """torch's ``nn.UpsamplingBilinear2d``: :class:`Upsample` with ``mode="bilinear"`` and
    ``align_corners=True``."""

    def __init__(self, size=None, scale_factor=None):
        Upsample.__init__(self, size, scale_factor, mode="bilinear", align_corners=True)
