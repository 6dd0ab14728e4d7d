"""What a command counts: MODEL_OR_SPEC_OR_FACTORY, resolved to an nnref model or layer.

* a zoo model name: ``alexnet`` (see ``nnref models``);
* a layer spec: ``"Conv2d(3, 64, 3, stride=2)"`` (parsed with ``ast``, never evaluated);
* a factory: ``mypkg.models:build``, the ``module:attr`` form only. Only this form imports
  anything: ``module`` (found from the current directory too), then ``attr``, called with
  no arguments if it is callable, gives a ``torch.nn.Module`` (converted with
  ``nnref.from_torch`` on an input of ``--input``'s shape) or an nnref model or layer.

Every failure is a :class:`~._common.CliError`: one line naming the module, the attribute
or the call that failed.
"""
from __future__ import annotations

import importlib
import os
import re
import sys
from typing import NamedTuple

from ._common import CliError, is_layer_spec, parse_shape

#: ``module:attr``: dotted identifiers on both sides of one colon.
FACTORY = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*:\s*([A-Za-z_][\w.]*)\s*$")


def is_factory(text: str) -> bool:
    """Whether ``text`` is in the ``module:attr`` form (no call syntax, one colon)."""
    return ":" in text and "(" not in text


def load_factory(text: str):
    """The object ``module:attr`` names, the module imported (and the current directory on
    ``sys.path``, as ``python -m`` would have it)."""
    match = FACTORY.match(text)
    if not match:
        raise CliError(f"factory {text!r} is invalid; expected 'module:attr', e.g. "
                       "'mypkg.models:build'")
    module_name, attr = match.groups()
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise CliError(f"cannot import module {module_name!r} of factory {text!r}: {e}") from None
    except Exception as e:  # noqa: BLE001  (the user's module failed while importing)
        raise CliError(f"importing module {module_name!r} of factory {text!r} failed: "
                       f"{type(e).__name__}: {e}") from None
    obj = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise CliError(f"module {module_name!r} has no attribute {attr!r} (factory {text!r})")
        obj = getattr(obj, part)
    return obj


def build_factory(text: str):
    """What the factory ``text`` makes: its object, called with no arguments if callable."""
    obj = load_factory(text)
    if _countable(obj) or not callable(obj):
        return obj
    try:
        return obj()
    except Exception as e:  # noqa: BLE001  (the user's factory failed)
        raise CliError(f"factory {text!r} raised {type(e).__name__}: {e}") from None


def _countable(obj) -> bool:
    from ..layers.base import Layer
    from ..models.graph import Container

    if isinstance(obj, (Layer, Container)):
        return True
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)


def model_of_factory(text: str, shape, seed: int = 0, *, keep=None):
    """The nnref model or layer of the factory ``text`` for inputs of ``shape``.

    ``keep`` (a list) receives the object the factory made, e.g. the torch module.
    """
    if shape is None:  # checked before anything is imported
        raise CliError(f"--input is required for a factory such as {text!r}; e.g. "
                       "--input 1,3,224,224")
    obj = build_factory(text)
    if not _countable(obj):
        raise CliError(f"factory {text!r} returned {type(obj).__name__}; expected a "
                       "torch.nn.Module, an nnref model or an nnref layer")
    if keep is not None:
        keep.append(obj)
    from ..layers.base import Layer
    from ..models.graph import Container

    if isinstance(obj, (Layer, Container)):
        return obj
    from ..bridges.torch import from_torch
    from ..bridges.torch.convert import float_dtype

    import torch

    x = torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=float_dtype(obj))
    try:
        return from_torch(obj, x)
    except NotImplementedError as e:
        raise CliError(str(e)) from None


def resolve(text: str, shape=None, *, seed: int = 0, padding_taps: str = "dense",
            algorithm=None):
    """``(kind, obj, shape)`` for MODEL_OR_SPEC_OR_FACTORY ``text``: kind "layer" (obj a
    layer), "zoo" or "factory" (obj an nnref model or layer); ``shape`` defaults to a zoo
    model's input shape."""
    if is_factory(text):
        if padding_taps != "dense" or algorithm is not None:
            raise CliError("--padding and --algorithm apply to zoo models and layer specs, not "
                           f"to a factory such as {text!r}")
        return "factory", model_of_factory(text, shape, seed), shape
    if is_layer_spec(text):
        from ..layers.spec import parse_layer

        return "layer", parse_layer(text), shape
    from ..bridges import zoo as torch_zoo
    from ..models import zoo

    name = text.strip()
    if name in torch_zoo.MODELS:
        if padding_taps != "dense" or algorithm is not None:
            raise CliError(f"--padding and --algorithm apply to nnref's own zoo models, not to "
                           f"{name}, which is built from its torch module")
        try:
            model = torch_zoo.build(name, seed=seed, input_shape=shape)
        except (ImportError, NotImplementedError) as e:
            raise CliError(" ".join(str(e).split())) from None
        return "zoo", model, torch_zoo.input_shape(name) if shape is None else shape
    if name not in zoo.MODELS:
        from ..layers.spec import known_layers

        raise CliError(f"unknown model or layer {name!r}; known models: {', '.join(zoo.names() + torch_zoo.names())}; "
                       f"known layers: {', '.join(sorted(known_layers()))}; or a factory "
                       "'module:attr'")
    algorithm = algorithm or ("naive" if padding_taps == "skip" else "im2col")
    model = zoo.build(name, seed=seed, padding_taps=padding_taps, algorithm=algorithm)
    return "zoo", model, tuple(zoo.MODELS[name][1]) if shape is None else shape


class Target(NamedTuple):
    """A resolved target: the nnref object, its input shape, a title, how it was named."""

    obj: object  # an nnref Layer or model (anything with .plan)
    input_shape: tuple
    functional: tuple  # names of calls made as functions (the call kinds of plans say it now)
    title: str
    kind: str  # "model", "layer" or "factory"
    torch_module: object = None  # what a factory returned, if it was a torch.nn.Module


def resolve_target(text: str, input_text=None, seed: int = 0) -> Target:
    """The :class:`Target` named by ``text``, with ``--input`` (``input_text``) or its default."""
    shape = None if input_text is None else parse_shape(input_text)
    made: list = []
    if is_factory(text):
        obj = model_of_factory(text, shape, seed, keep=made)
        torch = sys.modules.get("torch")
        module = made[0] if torch is not None and isinstance(made[0], torch.nn.Module) else None
        return Target(obj, shape, (), text.strip(), "factory", module)
    kind, obj, shape = resolve(text, shape, seed=seed)
    if kind == "layer":
        if shape is None:
            raise CliError(f"--input is required for a layer spec such as {text!r}; "
                           "e.g. --input 1,3,224,224")
        return Target(obj, shape, (), repr(obj), "layer")
    return Target(obj, shape, (), text.strip(), "model")
