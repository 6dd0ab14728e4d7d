"""Closed form for data movement (Identity, Flatten, Reshape, Dropout in inference, Permute,
Transpose, Contiguous, ChannelShuffle, Expand, Parameter): no arithmetic."""
from ..core.opcounts import OpCounts
from ._registry import formula


def reshape() -> OpCounts:
    """Counts of moving data without computing: none.

    Notes
    -----
    Identity, Flatten, Reshape, Dropout (inference), Permute, Transpose, Contiguous,
    ChannelShuffle and Expand (a broadcast view) only view or copy their input, and a
    Parameter (a tensor the model holds, read in forward) reads no input at all: no
    operation of any kind. So do a
    convolution's reflect, replicate and circular padding, and the joins and splits of
    :mod:`.concat`.
    """
    return OpCounts()


@formula("Identity", "Flatten", "Reshape", "Dropout", "Permute", "Transpose", "Contiguous",
         "ChannelShuffle", "Expand", "Parameter")
def reshape_layer(layer, input_shape) -> OpCounts:
    """Counts of ``layer`` (a data-movement layer) on ``input_shape``: none."""
    return reshape()
