"""Closed form for joining and splitting (Cat, Chunk, Split): no arithmetic."""
from ..core.opcounts import OpCounts
from ._registry import formula


def concat() -> OpCounts:
    """Counts of joining tensors along an axis, or taking one piece of a tensor: none.

    Notes
    -----
    ``torch.cat`` copies its operands one after the other; a piece of ``x.chunk`` or
    ``x.split`` is a view of a slice. No operation of any kind.
    """
    return OpCounts()


@formula("Cat", "Chunk", "Split")
def concat_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (Cat, Chunk, Split) on ``input_shape``: none."""
    return concat()
