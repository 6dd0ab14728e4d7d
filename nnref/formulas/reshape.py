"""Closed form for data movement (Identity, Flatten, Reshape, Dropout in inference): no arithmetic."""
from ..core.opcounts import OpCounts
from ._registry import formula


def reshape() -> OpCounts:
    """Counts of moving data without computing: none.

    Notes
    -----
    Identity, Flatten, Reshape and Dropout (inference) only view or copy their input:
    no operation of any kind.
    """
    return OpCounts()


@formula("Identity", "Flatten", "Reshape", "Dropout")
def reshape_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (Identity, Flatten, Reshape, Dropout) on ``input_shape``: none."""
    return reshape()
