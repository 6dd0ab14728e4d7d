"""What a command's MODEL_OR_SPEC_OR_FACTORY names: a zoo model, a layer spec, or a factory.

    alexnet                             a zoo model (see ``nnref models``)
    "Conv2d(3, 64, 3, stride=2)"        a layer, parsed with ast (never evaluated)
    mypkg.models:build                  a factory: ``mypkg.models`` is imported and
                                        ``build()`` called; it returns an nnref layer or
                                        model, or a torch.nn.Module (needs the torch bridge)

Only the ``module:attr`` form imports anything, and only the module it names.
"""
from __future__ import annotations

import importlib
import re
from typing import NamedTuple

from ._common import CliError, is_layer_spec, parse_shape

#: ``package.module:attribute``, each part a dotted Python identifier.
FACTORY = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


class Target(NamedTuple):
    """A resolved target: the object, its input shape, the calls it makes as functions."""

    obj: object  # an nnref Layer or model (anything with .plan)
    input_shape: tuple
    functional: tuple
    title: str
    kind: str  # "model", "layer" or "factory"
    torch_module: object = None  # what a factory returned, if it was a torch.nn.Module


def is_factory(text: str) -> bool:
    return bool(FACTORY.match(text.strip()))


def load_factory(text: str):
    """Import ``module`` of ``module:attr``, look ``attr`` up and call it if it is callable
    and not already a layer, model or torch module. Errors name the module or attribute."""
    module_name, _, attr = text.strip().partition(":")
    try:
        obj = importlib.import_module(module_name)
    except ImportError as e:
        raise CliError(f"factory {text!r}: cannot import module {module_name!r} ({e})") from None
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise CliError(f"factory {text!r}: module {module_name!r} has no attribute "
                           f"{attr!r}") from None
        obj = getattr(obj, part)
    if callable(obj) and not _is_model(obj):
        try:
            obj = obj()
        except Exception as e:  # noqa: BLE001 - the user's code: report it on one line
            raise CliError(f"factory {text!r}: calling {attr}() raised "
                           f"{type(e).__name__}: {e}") from None
    return obj


def _is_model(obj) -> bool:
    from ..layers.base import Layer

    return isinstance(obj, Layer) or hasattr(obj, "plan") or _is_torch_module(obj)


def _is_torch_module(obj) -> bool:
    return any(c.__name__ == "Module" and c.__module__.startswith("torch.nn")
               for c in type(obj).__mro__)


def _from_torch(module, shape, text):
    try:
        from ..bridges.torch import from_torch
    except ImportError:
        raise CliError(f"factory {text!r} returned a torch.nn.Module; counting it needs "
                       "nnref.from_torch (the torch bridge), which this nnref does not have") from None
    import torch

    return from_torch(module.eval(), torch.zeros(shape))


def resolve_target(text: str, input_text=None) -> Target:
    """The :class:`Target` named by ``text``, with ``--input`` (``input_text``) or its default."""
    from ..models import zoo

    name = text.strip()
    shape = None if input_text is None else parse_shape(input_text)
    if name in zoo.MODELS:
        return Target(zoo.build(name), shape or tuple(zoo.input_shape(name)),
                      zoo.functional(name), name, "model")
    if is_factory(name):
        if shape is None:  # checked before anything is imported
            raise CliError(f"--input is required for a factory such as {name!r}; "
                           "e.g. --input 1,3,224,224")
        obj = load_factory(name)
        if not _is_model(obj):
            raise CliError(f"factory {name!r} returned {type(obj).__name__}; expected an "
                           "nnref layer or model, or a torch.nn.Module")
        if _is_torch_module(obj):
            return Target(_from_torch(obj, shape, name), shape, (), name, "factory", obj)
        return Target(obj, shape, (), name, "factory")
    if is_layer_spec(name):
        from ..layers.spec import parse_layer

        layer = parse_layer(name)
        if shape is None:
            raise CliError(f"--input is required for a layer spec such as {name!r}; "
                           "e.g. --input 1,3,224,224")
        return Target(layer, shape, (), repr(layer), "layer")
    from ..layers.spec import known_layers

    raise CliError(f"unknown model, layer or factory {name!r}; known models: "
                   f"{', '.join(zoo.names())}; known layers: {', '.join(sorted(known_layers()))}; "
                   "or a factory module:attr, e.g. mypkg.models:build")
