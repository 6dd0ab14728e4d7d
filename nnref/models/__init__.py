"""Models: containers of layers (``Graph``, ``Sequential``, ``Residual``, ``Concat``,
``Model``) and the zoo."""
from ..layers.reshape import Reshape
from . import zoo
from .dag import Graph, Node
from .graph import Concat, Container, Model, Residual, Sequential, Step

__all__ = ["Concat", "Container", "Graph", "Model", "Node", "Reshape", "Residual", "Sequential",
           "Step", "zoo"]
