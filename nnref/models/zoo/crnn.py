"""``seed_crnn``: the Conv2D + GRU + Dense network of the reference article."""
from __future__ import annotations

from ...layers.activation import ReLU, Sigmoid
from ...layers.recurrent import GRU
from ...layers.reshape import Reshape
from ..dag import Graph, Node
from .common import Builder


def seed_crnn(seed=0, padding_taps="dense", algorithm="im2col") -> Graph:
    """The article's CRNN for input (B, C, T, F) = (1, 1, 100, 256): 1,224,032 parameters.

    ``conv`` Conv2d(1→32, kernel (4, 4), stride (1, 2)) gives (1, 32, 97, 127); ``relu``;
    ``reshape`` to (B, 97, 32·127 = 4064), the article's plain ``x.reshape`` (a tensor
    method) without a permute (so channels and time are interleaved, as in the article); ``gru``
    GRU(4064→96); ``dense`` Linear(96→256); ``sigmoid``. Output (1, 97, 256).

    Notes
    -----
    The article's PyTorch code keeps GRU's default ``batch_first=False``, so the
    (1, 97, 4064) tensor is read as 1 time step over a batch of 97, not 97 steps of a
    batch of 1. We do exactly what that code does. The operation count is the same
    either way: every count of a GRU is (per step and batch row) × T × B, including the
    mat-vec with h0 = 0, and T·B = 97 in both readings. Only the values differ.
    """
    b = Builder(seed, padding_taps, algorithm)
    return Graph([
        Node("conv", b.conv(1, 32, (4, 4), stride=(1, 2))),
        Node("relu", ReLU()),
        Node("reshape", Reshape((-1, 97, 32 * 127)), call="method", target="Tensor.reshape"),
        Node("gru", GRU(32 * 127, 96, batch_first=False, rng=b.rng)),
        Node("dense", b.linear(96, 256)),
        Node("sigmoid", Sigmoid()),
    ], name="seed_crnn")
