"""Models: a graph of layers (``Sequential``, ``Residual``, ``Concat``, ``Reshape``) and the zoo."""
from ..layers.reshape import Reshape
from . import zoo
from .graph import Concat, Container, Model, Residual, Sequential, Step

__all__ = ["Concat", "Container", "Model", "Reshape", "Residual", "Sequential", "Step", "zoo"]
