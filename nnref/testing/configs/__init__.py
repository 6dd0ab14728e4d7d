"""One module per layer family of hypothesis strategies drawing ``(layer, input_shape)``.

Each family module registers its strategies with ``@family(...)`` (:mod:`._draw`), as
the formulas and the traced references register theirs; the public interface, with the
torch twins, is :mod:`nnref.testing.strategies`.
"""
from ...core.registry import import_families
from ._draw import FAMILIES, MODES, family, seeds, trained

MODULES = import_families(__name__, __path__)
FAMILIES.freeze()

__all__ = ["FAMILIES", "MODES", "MODULES", "family", "seeds", "trained"]
