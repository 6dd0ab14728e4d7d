"""Counted GEMM: ``out = a·b`` (+ bias), tiled as BLIS and GotoBLAS tile it.

:func:`gemm` splits the output into **tasks** of ``MC × NC`` elements (from the shapes
alone, never the thread count), run in parallel, each with its own counter row. The
right operand ``b`` is copied ("packed") into panels of ``NR`` columns (a tile's), ``KC``
reductions deep, stored in the order the micro-kernel reads them, unless its rows
already run along the outputs (the input of a 1×1 convolution); the left operand ``a``
is read as it is when its rows run along the reduction (a weight matrix, an im2col
column matrix: one unit-stride stream per row of a tile), and packed into panels of a
tile's rows only when they do not. Either way, its element (i, k) is ``A[ri[i] +
kk[k]]``, an offset per row plus one per reduction (unsigned, so indexing needs no
negative-index check), which also lets a convolution read its windows straight from
its input (:func:`.conv.windows_gemm`). :func:`gemm` computes ``out = a·b`` or ``outᵀ =
bᵀ·aᵀ``, whichever :func:`_cost` finds cheaper (packing, and the one-row tiles at the
edges). A task walks the reduction in blocks of ``KC``, running the register-tiled
**micro-kernel** of :mod:`._tile` on each ``MR × NR`` tile of its block; each output
element is a plain dot product taken in the order k = 0, 1, …, its bias added once as it
is stored. Counts: the rule of the calling family (:func:`nnref.formulas.conv.conv`,
:func:`nnref.formulas.dense.dense`).

Products with both operands' reduction axis last go to the dot products of
:mod:`._dots` where those win (:func:`matmul_nt`, :func:`gemm_nt`: deep reductions onto
few outputs, a few rows such as a ``Linear`` on a batch of 1), and so do the last few
columns of a tiled product. :func:`gemm_block` and :func:`gemm_rows` are the simple
dot-product GEMM, one dot product at a time: the tests check every route against it.
Shared machinery of :mod:`.conv`, :mod:`.pointwise`, :mod:`.dense` and :mod:`.recurrent`.
"""
import functools

import numpy as np

from ._dots import gemm_rows_nt
from ._numba import ADD, MUL, NKINDS, njit, prange
from ._pack import pack, packed_offsets
# BIAS_NONE is imported for the callers, which take the bias modes from here.
from ._tile import (BIAS_COL, BIAS_NONE, BIAS_ROW, MR, MR_F32, MR_F64, NR, NR_F32,  # noqa: F401
                    NR_F64, TILES, block, cols_of, narrow_cols, narrow_of, rows_of, tile_cols,
                    tile_rows)

#: Most output rows and columns of a task (:func:`task_grid`).
MC, NC = 96, 128
#: Bytes of one column of a block of the reduction (KC): KC at most 1024 for float32, 512
#: for float64, a deeper reduction split into blocks as equal as can be (K = 1152 as 2 ×
#: 576, not 1024 + 128, whose short block pays a tile's fixed cost for little). Deep
#: blocks mean few passes over the partial sums, and most products of a CNN in one block
#: (straight from the registers to the output, :mod:`._tile`); a packed panel of ``b``
#: (128 KiB with AVX-512's 32 columns, 64 KiB with AVX2's 16) stays in L2 on every x86
#: server core since 2017 while the rows of ``a`` stream past. From half as deep,
#: measured on a Zen 4 core side by side: 96 × 576 × 196 and 256 × 1024 × 196 went from
#: 265 and 1307 µs to 167 and 763 µs; deeper ones did not move.
DEPTH_BYTES = 4096
#: Columns of the output per task of the simple dot-product GEMM :func:`gemm_rows`.
COLS = 64
#: Fewest tasks of a tiled product (:func:`task_grid`), for two or more threads.
TASKS = 8
#: The cost of packing one element, in products (:func:`_cost`): 60 for an operand that
#: comes from memory (a third of the time of ``Linear(4096, 4096)`` on a batch of 256 went
#: to transposing its 64 MB of weights), 8 for one of at most PACK_CACHED bytes, which
#: packs from cache at about copy speed. :func:`order` counts none as cached (see there).
PACK_COST, PACK_COST_CACHED, PACK_CACHED = 60, 8, 4 << 20


@functools.lru_cache(maxsize=256)
def row_offsets(rows: int, depth: int):
    """``(ri, kk)`` for a C-contiguous (``rows``, ``depth``) operand read as it is."""
    return np.arange(rows, dtype=np.uint64) * np.uint64(depth), np.arange(depth, dtype=np.uint64)


@njit
def gemm_task(A, ri, kk, bp, ldb, K, kb, N, bias, bias_mode, out, col0, to, i0, i1, j0, j1, acc,
              row):
    """Output block rows ``i0 … i1`` × columns ``j0 … j1``, the whole reduction, serially.
    Element (i, k) of ``a`` is ``A[ri[i] + kk[k]]`` (packed panels, :func:`pack`; its rows
    as they are; or the windows of a convolution in its input); ``bp`` holds ``b``,
    packed (``ldb = 0``) or as its rows of ``ldb`` elements. For each block of ``kb``
    reductions, for each panel of ``b``, for each tile of ``a``'s rows: one tile (narrow
    panels and the edges in several, see :mod:`._tile`), stored into ``o = out[:, col0:]``
    with its bias after the last block (logical (i, j) at ``o[i, j]``, ``o[j, i]`` if ``to``)."""
    mr_, nr_, nn = rows_of(A), cols_of(A), narrow_of(A)  # the tiles' sizes, constants
    Np = (N + nr_ - 1) // nr_ * nr_
    sbk = nr_ if ldb == 0 else ldb
    for k0 in range(0, K, kb):
        kc = min(kb, K - k0)
        first, last = k0 == 0, k0 + kc == K
        direct = first and last  # one block: tiles go straight to out
        kb_ = kk[k0:k0 + kc]
        for j in range(j0, j1, nr_):
            nr = min(nr_, j1 - j)
            b_panel = bp[k0 * Np + j * kb:] if ldb == 0 else bp[k0 * ldb + j:]
            for i in range(i0, i1, mr_):
                mr = min(mr_, i1 - i)
                c = 0  # columns of the panel done
                if mr == mr_ and nr == nr_:
                    block(kc, A, ri[i:i + mr_], kb_, b_panel, sbk, mr_, nr_, first, last, acc,
                          i - i0, j - j0, out, col0, to, i, j, bias, bias_mode, row)
                    c = nr_
                elif mr == mr_ and direct and nr >= nn:  # a narrow panel, in registers
                    block(kc, A, ri[i:i + mr_], kb_, b_panel, sbk, mr_, nn, True, True, acc,
                          0, 0, out, col0, to, i, j, bias, bias_mode, row)
                    c = nn
                if c < nr:  # the rest a row at a time (the loop along j vectorises)
                    for r in range(i, i + mr):
                        block(kc, A, ri[r:r + 1], kb_, b_panel[c:], sbk, 1, nr - c, first, last,
                              acc, r - i0, j + c - j0, out, col0, to, r, j + c, bias, bias_mode,
                              row)


@njit(parallel=True)
def gemm_tiled(A, ri, kk, bp, ldb, K, kb, bias, bias_mode, out, col0, to, M, N, mt, nt):
    """Logical ``out (M, N) = a (M, K) · b (K, N)`` (+ bias), ``a`` and ``b`` as
    :func:`gemm_task` takes them, as ``mt × nt`` tasks: the rows split into ``mt`` runs
    of whole tiles as equal as can be, the columns into ``nt`` runs of whole panels.
    Logical ``out[i, j]`` is ``o[i, j]`` (``o[j, i]`` if ``to``) with ``o = out[:, col0:]``.
    Returns the counter table."""
    mr, nr = rows_of(A), cols_of(A)
    mu, nu = (M + mr - 1) // mr, (N + nr - 1) // nr  # tiles down, panels across
    mc, nc = (mu + mt - 1) // mt * mr, (nu + nt - 1) // nt * nr  # the largest task
    counts = np.zeros((max(mt * nt, 1), NKINDS), np.int64)
    for t in prange(mt * nt):
        ti, tj = t // nt, t % nt
        i0, i1 = ti * mu // mt * mr, min((ti + 1) * mu // mt * mr, M)
        j0, j1 = tj * nu // nt * nr, min((tj + 1) * nu // nt * nr, N)
        acc = np.empty((mc, nc), A.dtype)
        gemm_task(A, ri, kk, bp, ldb, K, kb, N, bias, bias_mode, out, col0, to, i0, i1, j0, j1,
                  acc, counts[t])
    return counts


def _base(x):
    """``(array, transposed)``: ``x`` as a C-contiguous array or the transpose of one."""
    if x.flags.c_contiguous:
        return x, False
    if x.T.flags.c_contiguous:
        return x.T, True
    return np.ascontiguousarray(x), False


def block_depth(itemsize: int) -> int:
    """The most reductions in one block (KC) for elements of ``itemsize`` bytes."""
    return max(1, DEPTH_BYTES // itemsize)


def task_grid(m: int, n: int, itemsize: int) -> tuple:
    """``(mt, nt)``: how many runs of rows and of columns split the tiled GEMM's ``m × n``
    outputs into tasks (:func:`gemm_tiled`), from the shapes alone: blocks of at most
    MC × NC, split further along the wider side until there are at least TASKS and their
    number is a multiple of 4 (numba hands each thread an equal run of tasks: 9 tasks on
    2 threads left one of them idle for a ninth of the time)."""
    mu, nu = -(-m // tile_rows(itemsize)), -(-n // tile_cols(itemsize))
    mt, nt = min(mu, -(-m // MC)), min(nu, -(-n // NC))
    while mt * nt < TASKS or mt * nt % 4:
        more_n, more_m = nt < nu, mt < mu
        if more_n and (n * mt >= m * nt or not more_m):
            nt += 1
        elif more_m:
            mt += 1
        else:
            break
    return mt, nt


def tiled_columns(n: int, k: int, itemsize: int) -> int:
    """Columns of ``n`` that run in tiles over ``k``: whole panels (:func:`tile_cols`), and
    a narrow tile after them (:func:`narrow_cols`) when it fits what is left and the
    reduction is one block."""
    nr, nn = tile_cols(itemsize), narrow_cols(itemsize)
    whole = n // nr * nr
    return whole + (nn if n - whole >= nn and k <= block_depth(itemsize) else 0)


def _cost(m: int, n: int, k: int, pack_a: bool, pack_b: bool, itemsize: int, tiled: int,
          cached: int = PACK_CACHED) -> int:
    """A relative cost of the tiled product of ``m`` × ``n`` outputs over ``k``, of which
    the first ``tiled`` columns run tiled and the others as row dot products: products in
    full tiles count 1, in one-row tiles, in the narrow tiles of a narrow panel and in
    the dot products 2, in what is left of the tiled columns (run a row at a time, one
    chain of sums per column) 8, at least 64 per row; each element packed counts
    PACK_COST, or PACK_COST_CACHED when its operand fits ``cached`` bytes (measured on
    ResNet-50, MobileNetV2 and Linear shapes)."""
    mr, nr = tile_rows(itemsize), tile_cols(itemsize)
    mf, whole, narrow = m // mr * mr, tiled // nr * nr, tiled_columns(tiled, k, itemsize)
    rest = tiled - narrow
    tiles = (mf * whole + 2 * (m - mf) * whole + 2 * m * (narrow - whole)
             + m * max(8 * rest, 64 * (rest > 0)))
    packing = 0
    for rows, packed in ((m, pack_a), (tiled, pack_b)):
        if packed:
            packing += k * rows * (PACK_COST_CACHED if k * rows * itemsize <= cached
                                   else PACK_COST)
    return k * (tiles + 2 * m * (n - tiled)) + packing


def routes(m: int, n: int, k: int, pack_l: bool, pack_r: bool, itemsize: int,
           cached: int = PACK_CACHED) -> list:
    """``[(cost, tiled), …]``: the ways :func:`gemm` can run ``m`` × ``n`` outputs over
    ``k`` in one orientation, with :func:`_cost`: all tiled, or, when the left operand's
    rows are read as they are (the dot products read them too), its last few columns as
    row dot products."""
    out = [(_cost(m, n, k, pack_l, pack_r, itemsize, n, cached), n)]
    n0 = tiled_columns(n, k, itemsize)
    if tile_cols(itemsize) <= n0 < n and not pack_l:
        out.append((_cost(m, n, k, pack_l, pack_r, itemsize, n0, cached), n0))
    return out


@functools.lru_cache(maxsize=1024)
def order(M: int, N: int, K: int, ta: bool, tb: bool, itemsize: int) -> tuple:
    """``(to, tiled)``: how :func:`gemm` runs ``a`` (M, K) · ``b`` (K, N), ``ta``/``tb``
    saying whether each is the transpose of a C-contiguous array: as ``out = a·b`` or as
    ``outᵀ = bᵀ·aᵀ`` (``to``), with the first ``tiled`` columns tiled, the cheapest of
    :func:`routes` in both orientations (the first of equal costs), each packed element
    at PACK_COST: a model reads each weight once a forward, from memory. (Costed as
    cached, MobileNetV2's 7 × 7 pointwise layers ran transposed, their weights packed:
    382 µs for 960 → 160 against 161 read as they are, 1.0–1.4 ms of the forward.)"""
    orders = []
    for to in (False, True):
        tl, tr, m, n = (not tb, not ta, N, M) if to else (ta, tb, M, N)
        orders += [(cost, to, tiled) for cost, tiled in routes(m, n, K, tl, tr, itemsize, 0)]
    return min(orders, key=lambda o: o[:2])[1:]


def gemm(a, b, bias, bias_mode, out, col0=0):
    """Fill ``out[:, col0:col0+N]`` with ``a`` (M, K) · ``b`` (K, N) (+ bias); return the
    counter table.

    ``a`` and ``b`` are C-contiguous or transposes of C-contiguous arrays (anything else
    is copied first); ``out`` is C-contiguous, with M rows. ``bias`` has length M
    (``BIAS_ROW``), N (``BIAS_COL``) or is ignored (``BIAS_NONE``). The product is
    computed as ``out = a·b`` or ``outᵀ = bᵀ·aᵀ`` (:func:`order`), all tiled or with its
    last few columns (:func:`tiled_columns`) as row dot products (:func:`._dots.gemm_rows_nt`),
    which spares packing the other operand for a 196-column product. Each operand is read
    as it is when it runs the right way (the rows of ``a`` along the reduction, as a weight
    matrix; the rows of ``b`` along the outputs, as the input of a 1×1 convolution) and
    packed otherwise. Every route gives the same values and the same counts."""
    (M, K), N = a.shape, b.shape[1]
    if min(M, N, K) < 1 or b.shape[0] != K or out.shape[0] != M or out.shape[1] < col0 + N:
        raise ValueError(f"gemm: shapes {a.shape} · {b.shape} into {out.shape} at column {col0} "
                         "are invalid; expected (M, K) · (K, N) into (M, >= col0 + N), sizes >= 1")
    if not out.flags.c_contiguous:
        raise ValueError("gemm: out must be C-contiguous (a copy would drop the results)")
    itemsize, (a, ta), (b, tb) = out.itemsize, _base(a), _base(b)
    to, tiled = order(M, N, K, ta, tb, itemsize)
    if to:  # outᵀ = bᵀ·aᵀ: the left operand is bᵀ, whose base is b's, transposed or not
        a, ta, b, tb, M, N = b, not tb, a, not ta, N, M
        bias_mode = {BIAS_ROW: BIAS_COL, BIAS_COL: BIAS_ROW}.get(bias_mode, bias_mode)
    most = block_depth(itemsize)
    kb = -(-K // -(-K // most))  # equal blocks: K = 1152 as 2 × 576, not 1024 + 128
    mr = tile_rows(itemsize)
    if ta:  # a[k, i]: packed into panels of a tile's rows
        A, (ri, kk) = pack(a, True, M, K, mr, kb), packed_offsets(M, K, mr, kb)
    else:  # the rows of a as they are
        A, (ri, kk) = a.reshape(-1), row_offsets(M, K)
    if tb:  # b[j, k]: packed into panels of a tile's columns
        bp, ldb = pack(b, False, tiled, K, tile_cols(itemsize), kb), 0
    else:  # the rows of b as they are: each k of a panel is a run of contiguous elements
        bp, ldb = b.reshape(-1), N
    counts = gemm_tiled(A, ri, kk, bp, ldb, K, kb, bias, bias_mode, out, col0, to, M, tiled,
                        *task_grid(M, tiled, itemsize))
    if tiled == N:
        return counts
    # the last columns: dot products of the rows of a and of b's last columns
    rest = b[tiled:] if tb else np.ascontiguousarray(b[:, tiled:].T)
    part = np.empty((M, N - tiled), out.dtype)
    rows = gemm_rows_nt(a, rest, bias[tiled:] if bias_mode == BIAS_COL else bias, bias_mode, part)
    if to:
        out[tiled:N, col0:col0 + M] = part.T
    else:
        out[:, col0 + tiled:col0 + N] = part
    return np.concatenate((counts, rows))


# -- the simple dot-product GEMM: skinny products, and the tests' reference -------------

@njit
def gemm_block(a, b, bias, bias_mode, out, i0, i1, j0, j1, row):
    """Fill ``out[i0:i1, j0:j1]`` with ``a[i]·b[j]`` dot products, ``a`` (M, K) and ``b``
    (N, K); add the products and sums, counted where they happen, to the task's ``row``."""
    K = a.shape[1]
    nmul = 0
    nadd = 0
    for i in range(i0, i1):
        ai = a[i]
        for j in range(j0, j1):
            bj = b[j]
            c = ai[0] * bj[0]
            nmul += 1
            for k in range(1, K):
                c += ai[k] * bj[k]
                nmul += 1
                nadd += 1
            if bias_mode == BIAS_ROW:
                c += bias[i]
                nadd += 1
            elif bias_mode == BIAS_COL:
                c += bias[j]
                nadd += 1
            out[i, j] = c
    row[MUL] += nmul
    row[ADD] += nadd


@njit(parallel=True)
def gemm_rows(a, b, bias, bias_mode, out):
    """``out`` (M, N) = ``a`` (M, K) · ``b`` (N, K)ᵀ with dot products, one task per row of
    ``a`` and block of COLS columns. Returns the counter table."""
    M, N = a.shape[0], b.shape[0]
    ncol = (N + COLS - 1) // COLS
    counts = np.zeros((max(M * ncol, 1), NKINDS), np.int64)
    for t in prange(M * ncol):
        i, j0 = t // ncol, COLS * (t % ncol)
        gemm_block(a, b, bias, bias_mode, out, i, i + 1, j0, min(j0 + COLS, N), counts[t])
    return counts


def few_rows(itemsize: int) -> int:
    """Rows (or columns) below which a product runs as row dot products, not tiled
    (:func:`matmul_nt`, :func:`gemm_nt`, a convolution's route): the rows of the 512-bit
    tile (8 in float32, 6 in float64) on every machine, so that small products keep the
    routes measured with it (AVX2's 4-row tile would leave them one task of a tile or
    two)."""
    return TILES[64, 32, 4 if itemsize <= 4 else 8][0]


def gemm_nt(a, b, bias, bias_mode, out):
    """Fill ``out`` (M, N) with ``a`` (M, K) times ``b`` (N, K) transposed; return counts.

    ``bias`` has length M (``bias_mode=BIAS_ROW``), N (``BIAS_COL``) or is ignored.
    Fewer rows than :func:`few_rows` (a batch of 1 through a ``Linear``, a recurrent
    step) run as dot products (:func:`._dots.gemm_rows_nt`), which read each row of ``b``
    once; others run tiled.
    """
    if a.shape[0] < few_rows(out.itemsize):
        return gemm_rows_nt(np.ascontiguousarray(a), np.ascontiguousarray(b), bias, bias_mode, out)
    return gemm(a, b.T, bias, bias_mode, out)


#: Reductions from which :func:`matmul_nt` multiplies rows as they are (measured: packing
#: pays for itself below, where the chunks are too short for LLVM's vector loop).
DEEP = 1024
#: Outputs from which a deep product runs tiled all the same (measured, ResNet-50's deep
#: convolutions and Linear(4096, 4096): the row dot products win below, on 49 to 784
#: positions; the tiled GEMM above, with the weights read as they are and only the
#: other operand packed).
MANY = 1 << 18


def matmul_nt(a, b, bias, bias_mode, out, col0=0):
    """``out[:, col0:col0+N]`` = ``a`` (M, K) · ``b`` (N, K)ᵀ (+ bias), both C-contiguous,
    by the fastest counted route for the shapes: :func:`._dots.gemm_rows_nt` for deep
    reductions onto fewer than MANY outputs and for fewer rows or columns than
    :func:`few_rows` (a matrix times a few vectors), else the tiled :func:`gemm`. Every
    route gives the same counts. Returns the counter table."""
    few = few_rows(out.itemsize)
    deep = a.shape[1] >= DEEP and a.shape[0] * b.shape[0] < MANY
    skinny = min(a.shape[0], b.shape[0]) < few
    if (deep or skinny) and a.flags.c_contiguous and b.flags.c_contiguous:
        return gemm_rows_nt(a, b, bias, bias_mode, out, col0)
    if a.shape[0] < few and col0 == 0 and out.shape[1] == b.shape[0]:
        return gemm_nt(a, b, bias, bias_mode, out)
    return gemm(a, b.T, bias, bias_mode, out, col0)
