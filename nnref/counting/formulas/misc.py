"""Closed forms for Flatten, Reshape and Dropout (no arithmetic) and Add (add 1 per element)."""
from math import prod

from ..opcounts import OpCounts

FOR_LAYER = {
    "Flatten": lambda layer, shape: OpCounts(),
    "Reshape": lambda layer, shape: OpCounts(),
    "Dropout": lambda layer, shape: OpCounts(),
    "Add": lambda layer, shape: OpCounts(add=prod(int(v) for v in shape)),
}
