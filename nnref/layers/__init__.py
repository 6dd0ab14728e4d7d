"""User-facing layers. Each returns ``(y, ops)`` when called; see :class:`.base.Layer`.

One module per layer family (``conv.py``, ``pool.py``, ...), each with the same name as
the family's kernel, formula, traced reference and tool rules. Every public
:class:`~.base.Layer` subclass defined in a family module is exported here: adding a
class to a family file is all it takes. Layer modules import only numpy and
:mod:`nnref.core` (kernels are imported inside ``forward``), so importing them all is
cheap and ``import nnref`` stays fast.
"""
from importlib import import_module
from pkgutil import iter_modules
from types import MappingProxyType

from .base import Layer

#: Modules of this package that are not layer families.
_NOT_FAMILIES = frozenset({"base", "spec"})


def _discover() -> dict:
    """``{class name: class}`` of every public Layer subclass of every family module."""
    found = {}
    for info in sorted(iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name in _NOT_FAMILIES:
            continue
        module = import_module(f".{info.name}", __name__)
        for name, obj in vars(module).items():
            if (isinstance(obj, type) and issubclass(obj, Layer) and not name.startswith("_")
                    and obj.__module__ == module.__name__):
                found[name] = obj
    return found


#: Every public layer class by name.
LAYERS = MappingProxyType(_discover())
globals().update(LAYERS)

__all__ = ["Layer", *LAYERS]


def family(layer_or_class) -> str:
    """The family (module name, e.g. ``"conv"``) of a layer or layer class."""
    cls = layer_or_class if isinstance(layer_or_class, type) else type(layer_or_class)
    return cls.__module__.rsplit(".", 1)[-1]
