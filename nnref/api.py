"""``nnref.count``: the operation counts of a layer or a model on a random input.

    >>> count(Conv2d(3, 8, 3), (1, 3, 32, 32))
    >>> count_report(zoo.build("resnet50"), (1, 3, 224, 224)).layers
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from math import prod
from types import MappingProxyType

import numpy as np

from .core.opcounts import OpCounts
from .core.report import LayerRecord, Report
from .core.validate import check_shape, make_rng
from .layers.base import Layer
from .models.graph import Container

DTYPES = MappingProxyType({"float32": np.float32, "float64": np.float64})


def check_dtype(dtype) -> np.dtype:
    """``dtype`` ("float32", "float64", or the numpy type/dtype) as a numpy dtype."""
    want = "'float32' or 'float64' (or np.float32, np.float64)"
    if isinstance(dtype, str) and dtype in DTYPES:
        return np.dtype(DTYPES[dtype])
    if isinstance(dtype, (type, np.dtype)):
        try:
            dt = np.dtype(dtype)
        except TypeError:
            dt = None
        if dt in (np.float32, np.float64):
            return dt
    raise TypeError(f"dtype={dtype!r} is invalid; expected {want}")


def _draw(rng: np.random.Generator, shape: tuple, dt: np.dtype, layer=None) -> np.ndarray:
    """A standard-normal input (or ``layer``'s random input: Embedding's are indices); a
    MemoryError that says how to count without running."""
    try:
        if layer is not None:
            return layer.random_input(rng, shape, dt)
        return rng.standard_normal(shape, dtype=dt)
    except MemoryError:
        raise MemoryError(f"input_shape={shape} needs {prod(shape) * dt.itemsize:,} bytes of {dt} "
                          "input; expected a shape that fits in memory (closed-form counts "
                          "without running: nnref.counting.formulas.for_layer)") from None


@contextmanager
def mask_modes(layer_or_model, mask_mode):
    """Every attention layer of ``layer_or_model`` (each leaf with a ``mask_mode``) in
    ``mask_mode`` ("dense" or "skip") inside the ``with`` block, restored after; None
    changes nothing."""
    if mask_mode is not None and (not isinstance(mask_mode, str)
                                  or mask_mode not in ("dense", "skip")):
        raise ValueError(f"mask_mode={mask_mode!r} is invalid; expected None, 'dense' or 'skip'")
    leaves = ([layer_or_model] if isinstance(layer_or_model, Layer) else
              [m for _, m in layer_or_model.named_layers()] if isinstance(layer_or_model, Container)
              else [])
    attention = [m for m in leaves if hasattr(m, "mask_mode")] if mask_mode is not None else []
    saved = [m.mask_mode for m in attention]
    try:
        for m in attention:
            m.mask_mode = mask_mode
        yield
    finally:
        for m, mode in zip(attention, saved):
            m.mask_mode = mode


def count_report(layer_or_model, input_shape, dtype="float32", seed=0, mask_mode=None) -> Report:
    """Run ``layer_or_model`` on a random input; return the per-layer :class:`Report`.

    Parameters
    ----------
    layer_or_model : Layer or Container (Sequential, Model, ...)
    input_shape : tuple of int
        The full input shape, batch axis included.
    dtype : {"float32", "float64"} or the numpy type
    seed : None or int
        Seed of the standard-normal input (counts never depend on the values). A layer
        of several operands (``Add``, ``Cat``) gets one input of ``input_shape`` per
        operand, or of each shape if ``input_shape`` is a tuple of shapes.
    mask_mode : None, "dense" or "skip"
        None runs each attention layer in its own ``mask_mode``; "dense" or "skip" runs
        every one in that mode, for this run only (:func:`count_mask_modes` runs both).

    Returns
    -------
    Report
        For a single layer, one record named after the layer (``layer.name`` or its
        lower-cased class name).
    """
    with mask_modes(layer_or_model, mask_mode):
        return _count_report(layer_or_model, input_shape, dtype, seed)


def _count_report(layer_or_model, input_shape, dtype, seed) -> Report:
    dt = check_dtype(dtype)
    rng = make_rng(seed, "seed")
    if isinstance(layer_or_model, Container):
        shape = check_shape(input_shape, layer_or_model.title)
        layer_or_model.plan(shape)  # validate before drawing a possibly huge input
        _, report = layer_or_model(_draw(rng, shape, dt, layer_or_model.first_layer()))
        return report
    if isinstance(layer_or_model, Layer):
        layer = layer_or_model
        shape = layer.check_shape(input_shape)
        layer.output_shape(shape)
        y, ops = layer(*(_draw(rng, s, dt, layer) for s in layer.operand_shapes(shape)))
        record = LayerRecord(name=layer.name or layer.kind.lower(), type=layer.kind,
                             output_shape=tuple(y.shape), params=layer.num_params, counts=ops)
        return Report(model=layer.kind, input_shape=shape, dtype=str(dt), params=layer.num_params,
                      layers=(record,))
    raise TypeError(f"layer_or_model={layer_or_model!r} is invalid; expected an nnref layer "
                    "or model (Sequential, Model, ...)")


def count_mask_modes(layer_or_model, input_shape, dtype="float32", seed=0):
    """The same run with every attention layer in dense and then in skip mask mode.

    Returns a :class:`~nnref.reports.modes.MaskModes`: both reports (executed counts),
    aligned call by call, and what skipping the masked scores saves, per layer and in total
    (``print(modes)`` prints the table). Arguments as in :func:`count_report`.
    """
    from .reports.modes import MaskModes

    return MaskModes(*(count_report(layer_or_model, input_shape, dtype, seed, mode)
                       for mode in ("dense", "skip")))


def count(layer_or_model, input_shape, dtype="float32", seed=0) -> OpCounts:
    """The :class:`OpCounts` of ``layer_or_model`` on a random input of ``input_shape``.

    For a model this is ``count_report(...).total``, the sum over every leaf-layer call;
    use :func:`count_report` for the per-layer records. Arguments as in :func:`count_report`.
    """
    return count_report(layer_or_model, input_shape, dtype, seed).total


def compare(model, input_shape=None, tools=None, functional=None) -> list:
    """What THOP, ptflops, fvcore, torch and TF say about ``model``, beside nnref, explained.

    Parameters
    ----------
    model : str, model, torch module, or plan
        A zoo model name (its default input shape is looked up), an nnref model, a
        ``torch.nn.Module`` (converted with :func:`nnref.from_torch`), or a plan (see
        :func:`nnref.conventions.compare`). A model's plan says how the torch model makes
        each call (module, function, method, operator).
    input_shape : tuple of int or None
        Required for a model; a zoo name defaults to the model's input shape.
    tools : list of str or None
        Keys of :data:`nnref.conventions.TOOLS` (all by default).
    functional : collection of str or None
        Names of calls to read as function calls whatever the plan says; None: none.

    Returns
    -------
    list of :class:`~nnref.conventions.Comparison`
    """
    from . import conventions
    from .models import zoo

    names = () if functional is None else functional
    torch = sys.modules.get("torch")  # a torch module: converted (torch is loaded already)
    if torch is not None and isinstance(model, torch.nn.Module):
        from .bridges.torch import from_torch
        from .bridges.torch.convert import float_dtype

        if input_shape is None:
            raise ValueError("compare: input_shape=None is invalid for a torch module; "
                             "expected the input shape, e.g. (1, 3, 224, 224)")
        shape = check_shape(input_shape, "compare")
        model = from_torch(model, torch.zeros(shape, dtype=float_dtype(model)))
    if isinstance(model, str):
        shape = zoo.input_shape(model) if input_shape is None else input_shape
        return conventions.compare(zoo.build(model).plan(shape), tools=tools, functional=names)
    return conventions.compare(model, input_shape, tools, names)
