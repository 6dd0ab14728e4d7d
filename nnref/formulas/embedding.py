"""Closed form for Embedding: a gather, no arithmetic."""
from ..core.opcounts import OpCounts
from ._registry import formula


def embedding() -> OpCounts:
    """Counts of looking up rows of a table: none.

    Notes
    -----
    Each index of the input selects one row of ``weight`` (num_embeddings ×
    embedding_dim), copied to the output: no operation of any kind, whatever the number
    of indices. The table is counted among the parameters (num_embeddings·embedding_dim),
    not as arithmetic.
    """
    return OpCounts()


@formula("Embedding")
def embedding_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (an Embedding) on indices of ``input_shape``: :func:`embedding`."""
    return embedding()
