"""Closed form for data movement (Flatten, Reshape, Dropout in inference): no arithmetic."""
from ..core.opcounts import OpCounts
from ._registry import formula


def reshape() -> OpCounts:
    """Counts of moving data without computing: none."""
    return OpCounts()


@formula("Flatten", "Reshape", "Dropout")
def reshape_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (Flatten, Reshape, Dropout) on ``input_shape``: :func:`reshape`."""
    return reshape()
