"""Output-size rules in nnref.shapes against torch, on generated configurations."""
import math

from conftest import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from nnref import shapes

F = torch.nn.functional


@given(i=st.integers(1, 30), k=st.integers(1, 6), s=st.integers(1, 4), p=st.integers(0, 3), d=st.integers(1, 3))
def test_conv_out_matches_torch(i, k, s, p, d):
    o = shapes.conv_out(i, k, s, p, d)
    assume(o >= 1)
    y = F.conv1d(torch.zeros(1, 1, i), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d)
    assert y.shape[-1] == o


@given(i=st.integers(1, 30), k=st.integers(1, 6), s=st.integers(1, 4), p=st.integers(0, 3),
       d=st.integers(1, 3), ceil=st.booleans())
def test_pool_out_matches_torch(i, k, s, p, d, ceil):
    assume(p <= k // 2)
    o = shapes.pool_out(i, k, s, p, d, ceil)
    assume(o >= 1)
    y = F.max_pool1d(torch.zeros(1, 1, i), k, s, p, d, ceil_mode=ceil)
    assert y.shape[-1] == o


@given(i=st.integers(1, 40), o=st.integers(1, 40))
def test_adaptive_bounds_cover_input_as_torch(i, o):
    x = torch.arange(i, dtype=torch.float64).reshape(1, 1, i)
    y = F.adaptive_max_pool1d(x, o).flatten().tolist()
    for j in range(o):
        start, end = shapes.adaptive_bounds(i, o, j)
        assert start == math.floor(j * i / o) and end == math.ceil((j + 1) * i / o)
        assert y[j] == end - 1  # the max of arange over the window is its last index


def test_window_taps_counts_in_bounds_only():
    # i=5, k=3, s=2, p=1: windows start at -1, 1, 3 -> taps {-1,0,1}, {1,2,3}, {3,4,5}
    assert [shapes.window_taps(5, 3, 2, 1, 1, j) for j in range(3)] == [2, 3, 2]
