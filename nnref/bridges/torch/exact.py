"""``exact(model, input_shape)``: the exact per-layer Report of a torch module, an nnref
layer or an nnref model, in one line."""
from __future__ import annotations

import numpy as np

from ...api import check_dtype, count_report
from ...core.report import Report
from ...core.validate import check_shape
from ...layers.base import Layer
from ...models.graph import Container
from ._common import nn, torch
from .convert import example_tensor, float_dtype, from_torch


def exact(model, input_shape=None, *, example_input=None, dtype="float32") -> Report:
    """The exact :class:`~nnref.core.report.Report` of ``model`` on one input.

    Parameters
    ----------
    model : torch.nn.Module, nnref layer or nnref model (or a zoo model's name)
        A torch module is converted with :func:`from_torch` (as in eval mode).
    input_shape : tuple of int, optional
        The input's shape, batch axis included; a random standard-normal input is drawn
        (counts never depend on the values). A zoo name defaults to its input shape.
    example_input : torch.Tensor or ndarray, optional
        Keyword only: the input itself, instead of ``input_shape``.
    dtype : {"float32", "float64"}
        Keyword only: the dtype nnref computes in (a torch model is traced in its own).

    Returns
    -------
    Report
        ``.total`` is the :class:`~nnref.OpCounts` of the whole run; ``.layers`` one record
        per leaf call, in execution order, each with its call kind.
    """
    dt = check_dtype(dtype)
    if isinstance(model, str):
        from ...models import zoo

        shape = zoo.input_shape(model) if input_shape is None and example_input is None \
            else input_shape
        model = zoo.build(model)
        input_shape = shape
    if input_shape is None and example_input is None:
        raise ValueError("exact: input_shape=None and example_input=None are invalid; "
                         "expected one of them, e.g. input_shape=(1, 3, 224, 224)")
    if input_shape is not None and example_input is not None:
        shape = check_shape(input_shape, "exact")
        if tuple(np.shape(example_input)) != shape:
            raise ValueError(f"exact: input_shape={shape} does not match example_input of shape "
                             f"{tuple(np.shape(example_input))}; expected one of them, or both "
                             "equal")
    if isinstance(model, nn.Module):
        if example_input is None:
            shape = check_shape(input_shape, "exact", "input_shape")
            example = torch.randn(shape, generator=torch.Generator().manual_seed(0),
                                  dtype=float_dtype(model))
        else:
            example = example_tensor(example_input, model, "exact")
        model = from_torch(model, example)
        x = example.numpy().astype(dt)
        model.plan(x.shape)
        return model(x)[1]
    if not isinstance(model, (Layer, Container)):
        raise TypeError(f"exact: model={model!r:.80} is invalid; expected a torch.nn.Module, "
                        "an nnref layer or an nnref model")
    if example_input is None:
        return count_report(model, input_shape, dtype)
    x = np.asarray(example_input.detach().numpy() if isinstance(example_input, torch.Tensor)
                   else example_input).astype(dt)
    if isinstance(model, Container):
        return model(x)[1]
    return count_report(model, x.shape, dtype) if model.operands > 1 else _one(model, x)


def _one(layer, x) -> Report:
    """The one-record report of ``layer`` on ``x``."""
    from ...core.report import LayerRecord

    y, ops = layer(x)
    record = LayerRecord(layer.name or layer.kind.lower(), layer.kind, tuple(y.shape),
                         layer.num_params, ops)
    return Report(model=layer.kind, input_shape=tuple(x.shape), dtype=str(x.dtype),
                  params=layer.num_params, layers=(record,))
