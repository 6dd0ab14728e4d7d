"""The torch twin of an nnref layer: the torch module that computes the same thing.

    >>> twin = torch_twin(nnref.Conv2d(3, 8, 3, padding=1))   # nn.Conv2d, same weights
    >>> twin(torch.from_numpy(x))                             # == nnref's y

The live tool runners (:mod:`nnref.testing.tools`) run THOP, ptflops, fvcore and
FlopCounterMode on twins, and the strategies (:mod:`nnref.testing.strategies`) yield
one beside every layer they draw. A twin is what ``nnref.to_torch`` makes (the torch
bridge, one table for both directions): the ``torch.nn`` module of the layer (``nn.Conv2d``,
``nn.ReLU``, ...) with the layer's parameters, in eval mode, or, for a layer torch has no
module for (Add, Cat, Reshape, ...), a tiny module making the function, method or
operator call (``a + b``, ``torch.cat``), which hook-based tools do not see, as in a real
model.
"""
from __future__ import annotations


def _torch():
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is in the test extra
        raise ImportError("torch twins need torch: pip install 'nnref[test]'") from None
    return torch


def has_twin(layer) -> bool:
    """Whether ``nnref.to_torch`` has a torch module or call for ``layer``'s class."""
    from ..bridges.torch.emit import DEFAULT
    from ..bridges.torch.modules import TO_TORCH

    return (layer.kind in TO_TORCH or layer.operands == 0  # a Parameter: a held tensor
            or any(layer.kind in calls for calls in DEFAULT.values()))


def torch_twin(layer_or_model, input_shape=None, dtype="float32"):
    """The ``torch.nn.Module`` computing what ``layer_or_model`` computes, in eval mode.

    Parameters
    ----------
    layer_or_model : nnref Layer or model
    input_shape : tuple of int or None
        Needed only by a 1-d adaptive pool whose output size is None (torch has no None:
        the twin is given the input's length).
    dtype : {"float32", "float64"}

    Returns
    -------
    torch.nn.Module
        Same parameters and buffers (converted to ``dtype``), same configuration.
    """
    torch = _torch()
    from ..bridges.torch import to_torch
    from ..layers.base import Layer

    if dtype not in ("float32", "float64"):
        raise ValueError(f"torch_twin: dtype={dtype!r} is invalid; expected 'float32' or 'float64'")
    if not isinstance(layer_or_model, Layer) and not hasattr(layer_or_model, "plan"):
        raise TypeError(f"torch_twin: layer_or_model={layer_or_model!r:.80} is invalid; "
                        "expected an nnref layer or model")
    if getattr(layer_or_model, "kind", "").startswith("Adaptive") and \
            layer_or_model.kind.endswith("1d") and layer_or_model.output_size[0] is None:
        if input_shape is None:
            raise ValueError(f"torch_twin: {layer_or_model!r} keeps its input length; expected "
                             "input_shape to build the torch module")
        return getattr(torch.nn, layer_or_model.kind)(input_shape[-1]).eval()
    module = to_torch(layer_or_model)
    if any(p.is_floating_point() for p in list(module.parameters()) + list(module.buffers())):
        module = module.to(getattr(torch, dtype))
    return module.eval()


def twin_plan(layer, input_shape) -> list:
    """The one-step plan of ``layer`` on ``input_shape`` as its twin makes the call: a
    module call, or the function the twin's forward calls (``torch.add``, ``F.relu``), so
    that nnref's reproduction of a tool sees what the real tool sees on the twin."""
    from ..bridges.torch._common import callable_name
    from ..bridges.torch.emit import callee
    from ..bridges.torch.modules import TO_TORCH

    shape = layer.check_shape(input_shape) if hasattr(layer, "check_shape") else input_shape
    out = tuple(layer.output_shape(shape))
    if layer.kind in TO_TORCH:
        return [("", layer, shape, out, "module", "")]
    if layer.operands == 0:  # a Parameter: the twin's forward reads its ``data``
        return [("", layer, shape, out, "attribute", "nn.Parameter")]
    f = callee(layer, "function", "")
    call, target = ("method", f"Tensor.{f}") if isinstance(f, str) else ("function",
                                                                          callable_name(f))
    return [("", layer, shape, out, call, target)]
