"""Speed never changes a count: the fast kernels against the simple ones, untimed.

* the tiled GEMM (packed panels, register tiles, either orientation, edges, blocks of
  the reduction, an output column offset) against the dot-product GEMM;
* the unpacked 4 × 4 row dot products (:mod:`nnref.kernels._dots`) and the routing
  between them and the tiled GEMM, against the same;
* the im2col convolution (windows read in place, or unrolled into a chunked column
  buffer, 1×1 without unrolling, ``groups == in_channels`` routed to the depthwise
  kernel) against the textbook naive loop, and the in-place offsets against im2col;
* the routed depthwise convolution against the grouped im2col it replaces.

Counts are equal kind by kind; outputs agree to float rounding (fused multiply-adds, and
the vectorised row dot products' partial sums, may round differently).
"""
import os
import subprocess
import sys
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import FACTORIES, seeds

from nnref import OpCounts
from nnref.kernels import _gemm as gemm
from nnref.kernels import _tile
from nnref.kernels import conv
from nnref.layers import Conv1d, Conv2d, Conv3d

TOL = {np.float32: 2e-5, np.float64: 1e-12}
#: Sizes around the register tiles (their rows and columns on this CPU) and the reduction
#: blocks (512, 1024 reductions).
SIZES = st.one_of(st.integers(1, 70), st.sampled_from(
    [gemm.MR_F64, gemm.MR_F32, gemm.NR_F32, gemm.NR_F64, gemm.NR, 2 * gemm.NR + 1]))
DEPTHS = st.one_of(st.integers(1, 40), st.sampled_from([511, 512, 513, 1023, 1024, 1025]))


def close(y, ref):
    scale = max(1.0, float(np.nanmax(np.abs(ref), initial=0)))
    np.testing.assert_allclose(y, ref, rtol=TOL[y.dtype.type], atol=TOL[y.dtype.type] * scale)


AVX512 = "+avx,+avx2,+fma,+avx512f,+avx512bw,+avx512dq,+avx512vl,+evex512"
AVX2 = "+avx,+avx2,+fma,+f16c,+bmi,+bmi2,+popcnt,+sse4.2,+sse4.1,+ssse3,+lzcnt,-avx512f"


@pytest.mark.parametrize("cpu, features, shape, cols", [
    ("znver4", AVX512, (64, 32), 32),  # AMD: LLVM makes 512-bit vectors
    ("sapphirerapids", AVX512, (32, 32), 16),  # Intel's AVX-512: LLVM prefers 256 bits
    ("skylake-avx512", AVX512, (32, 32), 16),
    ("znver3", AVX2, (32, 16), 16)])  # AVX2
def test_the_register_tile_follows_the_vectors_llvm_makes_for_the_cpu(cpu, features, shape, cols):
    env = dict(os.environ, NUMBA_CPU_NAME=cpu, NUMBA_CPU_FEATURES=features)
    code = "from nnref.kernels import _tile as t; print(t.VECTOR_BYTES, t.REGISTERS, t.NR_F32)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert (int(out[0]), int(out[1]), int(out[2])) == shape + (cols,)


#: Run in a process compiling for AVX2, whose float64 tile takes two reductions a pass
#: (_tile.STEPS): the tiled GEMM against the dot products, values and counts, on
#: reductions of odd and even length, in one block and in several (KC = 512), edges,
#: both orientations, packed and unpacked operands, an output column offset.
_TWO_STEPS = """
import numpy as np
from nnref import OpCounts
from nnref.kernels import _gemm as gemm, _tile
assert (_tile.STEPS_F32, _tile.STEPS_F64, _tile.TWO_STEPS) == (1, 2, True)
rng = np.random.default_rng(0)
cases = 0
for m, n, k in [(6, 32, 1), (6, 32, 2), (7, 33, 3), (13, 70, 8), (12, 64, 9), (19, 45, 513),
                (6, 32, 1024), (25, 97, 1025), (64, 64, 64)]:
    for dtype in (np.float64, np.float32):
        for mode, transposed, col0 in [(gemm.BIAS_ROW, False, 0), (gemm.BIAS_COL, True, 2),
                                       (gemm.BIAS_NONE, True, 0)]:
            a = rng.standard_normal((m, k)).astype(dtype)
            bt = rng.standard_normal((n, k)).astype(dtype)
            bias = rng.standard_normal(m if mode == gemm.BIAS_ROW else n).astype(dtype)
            ref = np.empty((m, n), dtype)
            simple = OpCounts.from_rows(gemm.gemm_rows(a, bt, bias, mode, ref))
            out = np.full((m, n + col0), np.nan, dtype)
            b = bt.T if transposed else np.ascontiguousarray(bt.T)
            assert OpCounts.from_rows(gemm.gemm(a, b, bias, mode, out, col0)) == simple
            tol = 1e-12 if dtype == np.float64 else 2e-5
            np.testing.assert_allclose(out[:, col0:], ref, rtol=tol,
                                       atol=tol * max(1, np.abs(ref).max()))
            cases += 1
print(cases)
"""


def _host_has(*features):
    from numba.core import codegen
    have = codegen.get_host_cpu_features().split(",")
    return all(f"+{f}" in have for f in features)


@pytest.mark.skipif(not _host_has("avx2", "fma"), reason="runs AVX2 code: needs a CPU with it")
def test_the_two_step_tile_of_avx2_float64_equals_dot_products():
    env = dict(os.environ, NUMBA_CPU_NAME="znver3", NUMBA_CPU_FEATURES=AVX2)
    out = subprocess.run([sys.executable, "-c", _TWO_STEPS], env=env, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["54"]  # 9 shapes × 2 dtypes × 3 ways


@given(m=SIZES, n=SIZES, k=DEPTHS, mode=st.sampled_from([gemm.BIAS_NONE, gemm.BIAS_ROW, gemm.BIAS_COL]),
       dtype=st.sampled_from([np.float32, np.float64]), col0=st.integers(0, 3),
       transposed=st.booleans(), a_transposed=st.booleans(), seed=seeds)
def test_tiled_gemm_equals_dot_products(m, n, k, mode, dtype, col0, transposed, a_transposed, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, k)).astype(dtype)
    bt = rng.standard_normal((n, k)).astype(dtype)  # b as rows (the dot products' layout)
    bias = rng.standard_normal(m if mode == gemm.BIAS_ROW else n).astype(dtype)
    ref = np.empty((m, n), dtype)
    simple = OpCounts.from_rows(gemm.gemm_rows(a, bt, bias, mode, ref))
    out = np.full((m, n + col0 + 1), np.nan, dtype)
    b = bt.T if transposed else np.ascontiguousarray(bt.T)  # a transposed view or a copy
    a = np.ascontiguousarray(a.T).T if a_transposed else a  # rows as they are, or packed
    fast = OpCounts.from_rows(gemm.gemm(a, b, bias, mode, out, col0))
    assert fast == simple
    close(out[:, col0:col0 + n], ref)
    assert np.isnan(out[:, :col0]).all() and np.isnan(out[:, col0 + n:]).all()  # untouched


@given(m=SIZES, n=SIZES, k=DEPTHS, mode=st.sampled_from([gemm.BIAS_NONE, gemm.BIAS_ROW, gemm.BIAS_COL]),
       dtype=st.sampled_from([np.float32, np.float64]), transposed=st.booleans(), seed=seeds)
def test_tiled_gemm_both_orientations(m, n, k, mode, dtype, transposed, seed):
    """``a·b`` and ``(bᵀ·aᵀ)ᵀ`` (stored transposed, tile by tile), each all tiled or with
    its last columns as row dot products, each equal the dot products, whichever the cost
    would choose."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, k)).astype(dtype)
    bt = rng.standard_normal((n, k)).astype(dtype)
    bias = rng.standard_normal(m if mode == gemm.BIAS_ROW else n).astype(dtype)
    ref = np.empty((m, n), dtype)
    simple = OpCounts.from_rows(gemm.gemm_rows(a, bt, bias, mode, ref))
    b = bt.T if transposed else np.ascontiguousarray(bt.T)
    routes = []  # the arguments of each route gemm costs
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gemm, "order", gemm.order.__wrapped__)  # costed anew, not remembered
        mp.setattr(gemm, "_cost", lambda *args: routes.append(args) or 0)
        gemm.gemm(a, b, bias, mode, np.empty((m, n), dtype))
    assert {r[:2] for r in routes} == {(m, n), (n, m)}  # the logical outputs of the two orders
    for order in range(len(routes)):  # force each route in turn
        calls = []

        def forced(*args, order=order, calls=calls):
            calls.append(args)
            return 0 if len(calls) - 1 == order else 1
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(gemm, "order", gemm.order.__wrapped__)
            mp.setattr(gemm, "_cost", forced)
            out = np.full((m, n), np.nan, dtype)
            assert OpCounts.from_rows(gemm.gemm(a, b, bias, mode, out)) == simple
        close(out, ref)


def test_gemm_routes_the_last_columns_of_196_as_dot_products():
    """196 = 6 × 32 + 4 columns over a deep reduction: the last 4 run as dot products
    (and nothing is packed), not a row at a time."""
    a, b = np.ones((256, 1024), np.float32), np.ones((1024, 196), np.float32)
    routes = []
    real = gemm._cost
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gemm, "order", gemm.order.__wrapped__)
        mp.setattr(gemm, "_cost", lambda *args: routes.append(args) or real(*args))
        out = np.empty((256, 196), np.float32)
        ops = OpCounts.from_rows(gemm.gemm(a, b, np.zeros(256, np.float32), gemm.BIAS_ROW, out))
    best = min(routes, key=lambda r: real(*r))
    assert best[:2] == (256, 196) and best[6] == 192
    assert ops.mul == 256 * 196 * 1024 and ops.add == 256 * 196 * 1024
    np.testing.assert_array_equal(out, 1024)


@pytest.mark.parametrize("co, ci", [(160, 960), (960, 160), (2048, 512)])
def test_gemm_reads_the_weights_of_a_7x7_pointwise_layer_as_they_are(co, ci):
    """49 = 32 + 16 + 1 positions: out = w·x with a 16-column tile and one dot-product
    column, nothing packed, not outᵀ = xᵀ·wᵀ with the weights transposed into panels
    (a model reads each weight once a forward, from memory: :func:`gemm.order`)."""
    assert gemm.order.__wrapped__(co, 49, ci, False, False, 4) == (False, 48)
    packed = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gemm, "pack", lambda *args: packed.append(args))
        w, x = np.ones((co, ci), np.float32), np.ones((ci, 49), np.float32)
        out = np.empty((co, 49), np.float32)
        ops = OpCounts.from_rows(gemm.gemm(w, x, np.zeros(co, np.float32), gemm.BIAS_ROW, out))
    assert not packed and ops.mul == ops.add == co * 49 * ci
    np.testing.assert_array_equal(out, ci)


@pytest.mark.parametrize("n", [4, 16, 20, 23, 49, 55, 196])  # narrow panels: 16 wide, the rest
@pytest.mark.parametrize("k", [1, 16, 1100])  # 1100: two blocks (partial sums), not direct
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tiled_gemm_narrow_panels(n, k, dtype):
    rng = np.random.default_rng(n * k)
    m = 2 * gemm.tile_rows(np.dtype(dtype).itemsize) + 1
    a, bt = rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((n, k)).astype(dtype)
    bias = rng.standard_normal(m).astype(dtype)
    ref = np.empty((m, n), dtype)
    simple = OpCounts.from_rows(gemm.gemm_rows(a, bt, bias, gemm.BIAS_ROW, ref))
    out = np.full((m, n + 2), np.nan, dtype)
    assert OpCounts.from_rows(gemm.gemm(a, bt.T, bias, gemm.BIAS_ROW, out, 1)) == simple
    close(out[:, 1:n + 1], ref)
    assert np.isnan(out[:, 0]).all() and np.isnan(out[:, n + 1]).all()


@given(m=SIZES, n=SIZES, k=st.one_of(DEPTHS, st.sampled_from([1023, 1024, 1025, 2049])),
       mode=st.sampled_from([gemm.BIAS_NONE, gemm.BIAS_ROW, gemm.BIAS_COL]),
       dtype=st.sampled_from([np.float32, np.float64]), col0=st.integers(0, 3), seed=seeds)
def test_row_dot_products_equal_the_simple_ones(m, n, k, mode, dtype, col0, seed):
    from nnref.kernels import _dots

    rng = np.random.default_rng(seed)
    a, bt = rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((n, k)).astype(dtype)
    bias = rng.standard_normal(m if mode == gemm.BIAS_ROW else n).astype(dtype)
    ref = np.empty((m, n), dtype)
    simple = OpCounts.from_rows(gemm.gemm_rows(a, bt, bias, mode, ref))
    for route in (_dots.gemm_rows_nt, gemm.matmul_nt):
        out = np.full((m, n + col0 + 1), np.nan, dtype)
        assert OpCounts.from_rows(route(a, bt, bias, mode, out, col0)) == simple
        close(out[:, col0:col0 + n], ref)
        assert np.isnan(out[:, :col0]).all() and np.isnan(out[:, col0 + n:]).all()  # untouched


def test_gemm_rejects_bad_operands():
    a, b = np.ones((3, 4)), np.ones((4, 5))
    with pytest.raises(ValueError, match="gemm: shapes"):
        gemm.gemm(a, b, np.zeros(0), gemm.BIAS_NONE, np.empty((3, 4)))
    with pytest.raises(ValueError, match="C-contiguous"):
        gemm.gemm(a, b, np.zeros(0), gemm.BIAS_NONE, np.empty((5, 3)).T)


def fast_and_naive(layer, x, column_buffer=None):
    """``(y, ops)`` of ``layer`` as im2col (with ``column_buffer``) and as the naive loop."""
    layer.algorithm, layer.padding_taps, layer.column_buffer = "im2col", "dense", column_buffer
    fast = layer(x)
    layer.algorithm = "naive"
    return fast, layer(x)


@pytest.mark.parametrize("route", ["in place", "taps", "rows"])
@pytest.mark.parametrize("cls", [Conv1d, Conv2d, Conv3d])
@given(data=st.data())
def test_im2col_equals_the_naive_loop(cls, route, data):
    layer, x = data.draw(FACTORIES[cls.__name__](modes=[("naive", "dense")], nan=False))
    budget = data.draw(st.sampled_from([None, 1, 64, 10**4]))  # 1 byte: one output row a chunk
    with mock.patch.object(conv, "route", lambda *shape: route):
        (y, ops), (y_naive, ops_naive) = fast_and_naive(layer, x, budget)
    assert ops == ops_naive
    close(y, y_naive)


@given(c=st.integers(1, 3), k=st.tuples(*[st.integers(1, 3)] * 3), s=st.tuples(*[st.integers(1, 3)] * 3),
       p=st.tuples(*[st.integers(0, 2)] * 3), d=st.tuples(*[st.integers(1, 2)] * 3),
       size=st.tuples(*[st.integers(1, 6)] * 3), seed=seeds)
def test_window_offsets_read_what_im2col_unrolls(c, k, s, p, d, size, seed):
    from nnref.kernels._im2col import im2col, im2col_t
    from nnref.kernels._taps import zero_pad

    x = np.random.default_rng(seed).standard_normal((1, c + 1) + size)
    osize = tuple((n + 2 * p_ - d_ * (k_ - 1) - 1) // s_ + 1 for n, k_, s_, p_, d_ in zip(size, k, s, p, d))
    if min(osize) < 1:
        return
    cols = np.empty((int(np.prod(osize)), c * int(np.prod(k))))
    im2col(x, 0, 1, k, s, p, d, osize, 0, osize[0] * osize[1], cols)  # channels 1 … c
    cols_t = np.empty(cols.shape[::-1])
    im2col_t(x, 0, 1, k, s, p, d, osize, 0, osize[0] * osize[1], cols_t)
    np.testing.assert_array_equal(cols_t, cols.T)
    xp = zero_pad(x, p)
    pos, taps = conv.window_offsets(xp.shape[2:], c, k, s, d, osize)
    assert pos.dtype == taps.dtype == np.uint64
    np.testing.assert_array_equal(xp[0, 1:].reshape(-1)[pos[:, None] + taps[None, :]], cols)


@given(c=st.integers(1, 5), m=st.integers(1, 3), k=st.integers(1, 4), s=st.integers(1, 3),
       p=st.integers(0, 3), d=st.integers(1, 2), size=st.integers(4, 9), bias=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]), seed=seeds)
def test_routed_depthwise_equals_grouped_im2col_and_naive(c, m, k, s, p, d, size, bias, dtype, seed):
    from nnref.kernels.conv import conv_im2col

    layer = Conv2d(c, c * m, k, s, p, d, groups=c, bias=bias, rng=seed)
    x = np.random.default_rng(seed).standard_normal((2, c, size, size + 1)).astype(dtype)
    if min(layer.output_shape(x.shape)[2:]) < 1:
        return
    (y, ops), (y_naive, ops_naive) = fast_and_naive(layer, x)
    grouped = np.empty_like(y)
    b = None if layer.bias is None else layer.bias.astype(dtype)
    rows = conv_im2col(x[:, :, None], layer.weight.astype(dtype)[:, :, None], b, (1, s, s), (0, p, p),
                       (1, d, d), c, grouped[:, :, None])
    assert ops == ops_naive == OpCounts.from_rows(rows)
    close(y, y_naive)
    close(y, grouped)


@pytest.mark.parametrize("cin, cout, k, stride, padding, size, budget, want", [
    (32, 6, 3, 1, 1, 7, None, "rows"), (32, 6, 3, 2, 0, 7, 5000, "rows"),  # onto 6 channels
    (32, 40, 3, 1, 1, 7, 5000, "taps"),  # 7 × 9 positions, unrolled tap by tap, a chunk at a time
    (32, 40, 3, 2, 1, 7, None, "in place"),  # 4 × 5 positions: read in place
    (32, 64, 3, 1, 1, 17, None, "in place"),  # 17 × 19 positions onto 64 channels
    (120, 6, 3, 1, 1, 7, None, "rows"), (120, 6, 3, 2, 1, 7, 20000, "rows"),  # 1080 taps: dot products
    (120, 40, 3, 1, 1, 17, None, "taps"),  # 1080 taps onto 40 channels: 32 + 8, the 8 in place cost most
    (120, 64, 3, 1, 1, 17, None, "in place"),  # onto 64
    (1030, 6, 1, 1, 0, 7, None, "")])  # a deep 1×1: the input transposed for the row dot products
def test_deep_windows_equal_the_naive_loop(cin, cout, k, stride, padding, size, budget, want):
    layer = Conv2d(cin, cout, k, stride, padding, rng=1)
    x = np.random.default_rng(1).standard_normal((2, cin, size, size + 2)).astype(np.float32)
    P = int(np.prod(layer.output_shape(x.shape)[2:]))
    # the route its comment says, costed with the 512-bit tile whatever this CPU's is
    with mock.patch.multiple(_tile, MR_F32=8, NR_F32=32, MR_F64=6, NR_F64=32):
        assert k == 1 or conv.route(cin * k * k, P, cout, 4) == want
    (y, ops), (y_naive, ops_naive) = fast_and_naive(layer, x, budget)
    assert ops == ops_naive
    close(y, y_naive)


@pytest.mark.parametrize("cout, size", [(40, 1), (40, 2), (3, 2), (13, 5)])  # a few positions
def test_pointwise_on_few_positions_equals_the_naive_loop(cout, size):
    layer = Conv2d(24, cout, 1, rng=2)  # the row dot products, the input transposed
    x = np.random.default_rng(2).standard_normal((2, 24, size, size)).astype(np.float32)
    (y, ops), (y_naive, ops_naive) = fast_and_naive(layer, x)
    assert ops == ops_naive
    close(y, y_naive)


def test_column_buffer_setting(monkeypatch):
    layer = Conv2d(2, 3, 3, padding=1, rng=0)
    x = np.random.default_rng(0).standard_normal((1, 2, 9, 9)).astype(np.float32)
    expected = layer(x)
    monkeypatch.setenv("NNREF_COLUMN_BUFFER", "1K")
    y, ops = layer(x)
    assert ops == expected[1]
    close(y, expected[0])
    monkeypatch.setenv("NNREF_COLUMN_BUFFER", "lots")
    with pytest.raises(ValueError, match="NNREF_COLUMN_BUFFER='lots'"):
        layer(x)
    layer.column_buffer = 0
    with pytest.raises(ValueError, match="column_buffer=0"):
        layer(x)
    layer.column_buffer = "1M"
    with pytest.raises(TypeError, match="column_buffer='1M'"):
        layer(x)


@pytest.mark.parametrize("channels, width, kernel, stride, route", [
    (3, 60, 3, 1, "depthwise3x3"), (3, 61, 3, 2, "depthwise3x3"),  # 3 × 3: plane by plane
    (200, 7, 3, 1, "depthwise3x3"), (200, 14, 3, 2, "depthwise3x3"),  # planes sharing tasks
    (3, 60, 5, 1, "depthwise"), (1024, 5, 3, 1, "depthwise"),  # long rows; very wide
    (64, 5, 3, 1, "depthwise_last"), (64, 20, 5, 2, "depthwise_last")])  # short rows
def test_each_depthwise_kernel_equals_the_naive_loop(monkeypatch, channels, width, kernel,
                                                     stride, route):
    from nnref.kernels import depthwise

    ran = []
    for name in ("depthwise3x3", "depthwise", "depthwise_last"):
        kernel_fn = getattr(depthwise, name)
        monkeypatch.setattr(depthwise, name, lambda *a, f=kernel_fn, n=name: ran.append(n) or f(*a))
    layer = Conv2d(channels, channels, kernel, stride, kernel // 2, groups=channels, rng=0)
    x = np.random.default_rng(0).standard_normal((1, channels, 4, width)).astype(np.float32)
    (y, ops), (y_naive, ops_naive) = fast_and_naive(layer, x)
    assert ran == [route]
    assert ops == ops_naive
    close(y, y_naive)


@given(c=st.integers(1, 5), m=st.integers(1, 2), s=st.integers(1, 2), p=st.integers(0, 2),
       height=st.integers(1, 6), width=st.integers(7, 70), bias=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]), seed=seeds)
def test_depthwise_3x3_planes_equal_the_naive_loop(c, m, s, p, height, width, bias, dtype, seed):
    layer = Conv2d(c, c * m, 3, s, p, groups=c, bias=bias, rng=seed)
    x = np.random.default_rng(seed).standard_normal((2, c, height + 2, width)).astype(dtype)
    if min(layer.output_shape(x.shape)[2:]) < 1:
        return
    (y, ops), (y_naive, ops_naive) = fast_and_naive(layer, x)
    assert ops == ops_naive
    close(y, y_naive)


@given(h=st.integers(1, 12), w=st.integers(1, 40), kh=st.integers(1, 4), kw=st.integers(1, 4),
       sh=st.integers(1, 3), sw=st.integers(1, 2), ceil_mode=st.booleans(), nans=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]), seed=seeds, data=st.data())
def test_row_max_pool_equals_the_window_reduction(h, w, kh, kw, sh, sw, ceil_mode, nans, dtype,
                                                  seed, data):
    from nnref.core.shapes import pool_out, pool_windows
    from nnref.kernels import pool
    from nnref.kernels._windows import MAX, reduce_windows

    ph, pw = data.draw(st.integers(0, kh // 2)), data.draw(st.integers(0, kw // 2))
    oh, ow = (pool_out(i, k, s, p, 1, ceil_mode) for i, k, s, p in ((h, kh, sh, ph), (w, kw, sw, pw)))
    if min(oh, ow) < 1:
        return
    x = np.random.default_rng(seed).standard_normal((2, 3, 1, h, w)).astype(dtype)
    if nans:
        x[0, 1, 0, h // 2, w // 3] = np.nan
    fast, slow = np.empty((2, 3, 1, oh, ow), dtype), np.empty((2, 3, 1, oh, ow), dtype)
    tables = [np.array(pool_windows(i, k, s, p, 1, o, True), np.int64).reshape(-1, 4) for
              i, k, s, p, o in ((1, 1, 1, 0, 1), (h, kh, sh, ph, oh), (w, kw, sw, pw, ow))]
    expected = OpCounts.from_rows(reduce_windows(x, slow, *tables, MAX))
    assert OpCounts.from_rows(pool.pool(x, fast, (1, kh, kw), (1, sh, sw), (0, ph, pw),
                                        (1, 1, 1), True, "max")) == expected
    np.testing.assert_array_equal(fast, slow)
