"""Cat, Chunk, Split (nnref/layers/concat.py): pieces as torch cuts them, no arithmetic.

Torch agreement and kernel = traced = formula on every configuration are in
tests/test_every_layer.py and tests/test_three_way.py.
"""
import numpy as np
import pytest
from conftest import rand, to_torch

from nnref import OpCounts, formulas
from nnref.layers.concat import Cat, Chunk, Split


def test_cat_joins_along_dim_without_arithmetic():
    a, b, c = rand((2, 1, 3)), rand((2, 4, 3), seed=1), rand((2, 2, 3), seed=2)
    y, ops = Cat(1, inputs=3)(a, b, c)
    np.testing.assert_array_equal(y, np.concatenate([a, b, c], 1))
    assert ops == OpCounts() == formulas.for_layer(Cat(1, 3), ((2, 1, 3), (2, 4, 3), (2, 2, 3)))
    assert Cat(-1).output_shape((2, 5)) == (2, 10)  # one shape: both operands have it


def test_cat_refuses_what_torch_refuses():
    with pytest.raises(ValueError, match="cannot be joined along dim=1"):
        Cat(1)(rand((2, 3)), rand((3, 3)))
    with pytest.raises(TypeError, match="dtypes"):
        Cat(0)(rand((2,)), rand((2,), np.float32))
    with pytest.raises(ValueError, match="0-d"):
        Cat(0).output_shape(((), ()))
    with pytest.raises(TypeError, match="takes 2 arrays"):
        Cat(0)(rand((2,)))


@pytest.mark.parametrize("n,chunks", [(7, 3), (5, 4), (6, 6), (2, 5)])
def test_chunk_pieces_are_torchs(n, chunks):
    x = rand((2, n))
    pieces = to_torch(x).chunk(chunks, 1)  # fewer than asked when they do not divide
    for i, piece in enumerate(pieces):
        y, ops = Chunk(chunks, 1, i)(x)
        np.testing.assert_array_equal(y, piece.numpy())
        assert ops == OpCounts()
    with pytest.raises(ValueError, match=f"index={len(pieces)} is out of range.*into "
                                         f"{len(pieces)} pieces"):
        Chunk(chunks, 1, len(pieces)).output_shape(x.shape)


@pytest.mark.parametrize("sizes", [3, 2, (1, 4, 2), (7,)])
def test_split_pieces_are_torchs(sizes):
    x = rand((7, 2))
    for i, piece in enumerate(to_torch(x).split(sizes if isinstance(sizes, int) else list(sizes))):
        np.testing.assert_array_equal(Split(sizes, 0, i)(x)[0], piece.numpy())


def test_split_sections_must_sum_to_the_axis():
    with pytest.raises(ValueError, match=r"split_size_or_sections=\(1, 2\) sums to 3.*7 elements"):
        Split((1, 2)).output_shape((7, 2))
    with pytest.raises(ValueError, match="split_size_or_sections=\\(1, 0\\) is invalid"):
        Split((1, 0))
