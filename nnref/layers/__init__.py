"""User-facing layers. Each returns ``(y, ops)`` when called; see :class:`.base.Layer`."""
from .activation import LeakyReLU, ReLU, ReLU6, SiLU, Sigmoid, Tanh
from .base import Layer

__all__ = ["Layer", "LeakyReLU", "ReLU", "ReLU6", "SiLU", "Sigmoid", "Tanh"]
