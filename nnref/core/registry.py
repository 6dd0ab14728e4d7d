"""Registration at the definition: the one table type behind formulas, references and rules.

A part of nnref (the formulas, the traced reference, each tool's rules) keeps one
:class:`Registry`. Each entry is registered by a decorator on the function itself, as
torch's ``@register_flop_formula(aten.mm)`` does::

    FORMULAS = Registry("formulas")

    @FORMULAS.register("Conv1d", "Conv2d", "Conv3d")
    def conv_layer(layer, input_shape): ...

Keys are layer class names, so that a part never needs to import the layers. A duplicate
key is an error, and once the part's package has imported all its modules it calls
:meth:`Registry.freeze`: later registrations are refused. :meth:`Registry.resolve` is the
one lookup from a layer to its entry, walking the class's bases, so a subclass of
``Conv2d`` resolves as ``Conv2d``.
"""
from __future__ import annotations

from importlib import import_module
from pkgutil import iter_modules
from types import MappingProxyType


class Registry:
    """A table from layer class name to an entry (usually a function), filled by decorators.

    Parameters
    ----------
    part : str
        What the table holds, for messages ("formulas", "thop rules", ...).
    """

    __slots__ = ("part", "_entries", "_frozen")

    def __init__(self, part: str):
        self.part = part
        self._entries: dict = {}
        self._frozen = False

    def register(self, *names: str, entry=None):
        """Register the decorated function (or ``entry``, if given) under every name in ``names``.

        Used as ``@registry.register("ReLU", "ReLU6")``; returns the function unchanged. A
        name registered twice, a registration after :meth:`freeze` or a name that is not
        a str is an error naming the part and the name.
        """
        if not names or not all(isinstance(n, str) and n for n in names):
            raise TypeError(f"{self.part}: register{names!r} is invalid; expected one or more "
                            "layer class names")

        def add(value):
            if self._frozen:
                raise RuntimeError(f"{self.part}: register{names!r} after the table was frozen; "
                                   "register at import time, in the part's own modules")
            for n in names:
                if n in self._entries:
                    raise ValueError(f"{self.part}: {n!r} is registered twice "
                                     f"({_where(self._entries[n])} and {_where(value)})")
            for n in names:
                self._entries[n] = value
            return value

        return add if entry is None else add(entry)

    def freeze(self) -> None:
        """Refuse further registrations; the table becomes read-only."""
        self._frozen = True
        self._entries = MappingProxyType(dict(self._entries))

    def names(self) -> tuple:
        """The registered names, in registration order."""
        return tuple(self._entries)

    def __contains__(self, name) -> bool:
        return name in self._entries

    def __getitem__(self, name: str):
        return self._entries[name]

    def find(self, layer) -> str | None:
        """The registered name of ``layer``'s class or nearest base, or None."""
        return next((c.__name__ for c in type(layer).__mro__ if c.__name__ in self._entries), None)

    def key_of(self, layer, owner: str | None = None) -> str:
        """The registered name of ``layer``'s class or nearest base; a TypeError if none."""
        key = self.find(layer)
        if key is None:
            raise TypeError(f"{owner or self.part}: layer={layer!r} is invalid; expected one of "
                            f"{', '.join(sorted(self._entries))}")
        return key

    def resolve(self, layer, owner: str | None = None):
        """The entry of ``layer`` (by its class or nearest registered base)."""
        return self._entries[self.key_of(layer, owner)]


def _where(value) -> str:
    """``module.function`` of a registered value, for the duplicate message."""
    return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', repr(value))}"


def import_families(package: str, path) -> tuple:
    """Import every module of ``package`` (its ``__path__``) whose name has no leading ``_``.

    A part's ``__init__`` calls this so that each family module registers its entries,
    then freezes its registry: adding a family file needs no edit elsewhere. Returns the
    modules, sorted by name.
    """
    return tuple(import_module(f"{package}.{m.name}") for m in sorted(iter_modules(path),
                                                                       key=lambda m: m.name)
                 if not m.name.startswith("_"))
