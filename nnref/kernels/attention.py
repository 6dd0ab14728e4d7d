"""Counted attention: ``softmax(Q·Kᵀ·scale + masks)·V`` on a grid of G groups, through the
counted GEMM.

Each group ``g`` of the score grid (a batch element and head) reads its query rows
``q[qi[g]]`` (L, E), keys ``k[ki[g]]`` (S, E) and transposed values ``vt[vi[g]]`` (Ev, S);
the index arrays broadcast operands, as grouped-query attention and torch's batch
broadcasting do, without copies. A task is a block of ``ROWS`` query rows of one group
(shapes only, never the thread count). For each row, every operation is counted where
it happens:

    s_j = (q · k_j)·scale        the dot products through gemm_block (mul E, add E − 1),
                                 then mul 1 per score
    s_j += mask terms            dense: add 1 per score for each mask and for is_causal
                                 (0 where kept, −inf where masked); skip: add 1 per
                                 computed score for each float mask only
    w = softmax(s)               over the computed scores, as kernels/softmax.py, with
                                 ``safe``: one more cmp per row, m = −inf (every score
                                 −inf) gives weights of 0 (torch's _safe_softmax)
    y = w · V                    through gemm_block: mul n, add n − 1 per output element

``skip`` computes only the kept scores: the keys that every row of a task keeps form one
rectangle of gemm_block (for is_causal, the prefix up to the task's first row), each row's
other kept keys runs of consecutive columns of their own; the runs' partial sums of
``w · V`` are added (add 1 per output element per run after the first, so a row of n kept
keys still costs mul n, add n − 1 per output element, however its keys are split). A row with no kept score
costs nothing and gives 0 (``safe``) or NaN. Whether a score is kept is read from the
masks' ``keep`` arrays and from ``j > i`` (is_causal): control flow, not arithmetic.
Counts: :func:`nnref.formulas.attention.attention`.
"""
import math

import numpy as np

from ..core.masks import Mask
from ._gemm import BIAS_NONE, gemm_block
from ._numba import ADD, DIV, NKINDS, njit, prange, record

#: Query rows per task.
ROWS = 16


@njit
def _at(a, m, i, j):
    """Entry (row i, column j) of group m of a compact mask array (rows 1 or L)."""
    return a[m, i if a.shape[1] > 1 else 0, j]


@njit
def _kept(i, j, causal, nmask, k0, m0, k1, m1):
    if causal and j > i:
        return False
    if nmask > 0 and not _at(k0, m0, i, j):
        return False
    return not (nmask > 1 and not _at(k1, m1, i, j))


@njit(parallel=True)
def attention(q, k, vt, qi, ki, vi, t0, k0, i0s, t1, k1, i1s, nmask, add0, add1, causal,
              skip, safe, scale, out, weights, store):
    """Fill ``out`` (G, L, Ev) (and ``weights`` (G, L, S) if ``store``); return the counter table.

    ``t0, k0`` / ``t1, k1``: the term and keep arrays of up to two masks (``nmask``) with
    their group indices ``i0s`` / ``i1s``; ``add0`` / ``add1``: the mask is a float mask
    (added in skip mode too). ``scale`` is a 1-element array of the inputs' dtype.
    """
    G, L = qi.shape[0], q.shape[1]
    nblk = (L + ROWS - 1) // ROWS
    counts = np.zeros((max(G * nblk, 1), NKINDS), np.int64)
    for t in prange(G * nblk):
        g, r0 = t // nblk, (t % nblk) * ROWS
        _block(q[qi[g]], k[ki[g]], vt[vi[g]], out[g], weights[g if store else 0], r0,
               min(r0 + ROWS, L) - r0, t0, k0, i0s[g], t1, k1, i1s[g], nmask, add0, add1,
               causal, skip, safe, scale, store, counts[t])
    return counts


@njit
def _runs(keep, out):
    """The runs of True in the bool row ``keep`` as [start, end) rows of ``out``; their number."""
    n = j = 0
    S = keep.shape[0]
    while j < S:
        if keep[j]:
            out[n, 0] = j
            while j < S and keep[j]:
                j += 1
            out[n, 1] = j
            n += 1
        else:
            j += 1
    return n


@njit
def _gather(x, i0, i1, a, b, flat):
    """``x[i0:i1, a:b]`` copied into the front of the 1-D ``flat``, as a C-contiguous 2-D
    array (data movement: gemm_block then reads contiguous rows)."""
    out = flat[:(i1 - i0) * (b - a)].reshape(i1 - i0, b - a)
    for i in range(i1 - i0):
        for j in range(b - a):
            out[i, j] = x[i0 + i, a + j]
    return out


@njit
def _block(qg, kg, vg, og, wg, r0, R, t0, k0, m0, t1, k1, m1, nmask, add0, add1, causal, skip,
           safe, scale, store, row):
    """Rows r0 .. r0 + R of one group: ``qg`` (L, E), ``kg`` (S, E), ``vg`` (Ev, S) into
    ``og`` (L, Ev) and, with ``store``, ``wg`` (L, S); counts added to the task's ``row``.

    Skip: the keys that every row of the block keeps (``common``: for is_causal, the
    prefix up to the first row) go through gemm_block as one rectangle; each row's other
    kept keys as runs of its own."""
    S, Ev = kg.shape[0], vg.shape[0]
    nobias = np.zeros(0, qg.dtype)
    # constants of the inputs' dtype (so that float32 stays float32), and the scale
    zero, unit, neginf, sv = (np.zeros(1, qg.dtype)[0], np.ones(1, qg.dtype)[0],
                              np.full(1, -np.inf, qg.dtype)[0], scale[0])
    qb, ob = qg[r0:r0 + R], og[r0:r0 + R]
    sc = np.empty((R, S), qg.dtype)
    part = np.empty((R, Ev), qg.dtype)
    kept = np.ones((R, S), np.bool_)
    common = np.ones(S, np.bool_)
    runs = np.empty((S // 2 + 1, 2), np.int64)
    rest = kept  # skip: each row's kept keys beyond the common ones
    if skip:
        for r in range(R):
            for j in range(S):
                ok = not causal or j <= r0 + r
                if ok and nmask > 0:
                    ok = _kept(r0 + r, j, False, nmask, k0, m0, k1, m1)
                kept[r, j] = ok
                common[j] = common[j] and ok
        rest = kept & ~common
        for t in range(_runs(common, runs)):  # the rectangle of common keys
            gemm_block(qb, kg, nobias, BIAS_NONE, sc, 0, R, runs[t, 0], runs[t, 1], row)
        for r in range(R):
            for t in range(_runs(rest[r], runs)):
                gemm_block(qb, kg, nobias, BIAS_NONE, sc, r, r + 1, runs[t, 0], runs[t, 1], row)
    else:
        gemm_block(qb, kg, nobias, BIAS_NONE, sc, 0, R, 0, S, row)
    nmul = nadd = ncmp = nsub = nexp = ndiv = 0
    for r in range(R):
        i = r0 + r
        if not kept[r].any():  # skip, every score masked: no arithmetic
            sc[r, :] = zero if safe else np.nan
            ob[r, :] = zero if safe else np.nan
            continue
        m = sv  # typed; the first computed score initialises the maximum
        first = True
        for j in range(S):
            if not kept[r, j]:
                sc[r, j] = zero  # skip: not computed, weight 0
                continue
            s = sc[r, j] * sv
            nmul += 1
            if nmask > 0 and (add0 or not skip):
                s += _at(t0, m0, i, j)
                nadd += 1
            if nmask > 1 and (add1 or not skip):
                s += _at(t1, m1, i, j)
                nadd += 1
            if causal and not skip:
                s += zero if j <= i else neginf
                nadd += 1
            sc[r, j] = s
            if first:
                m, first = s, False
            else:
                ncmp += 1
                if s > m:
                    m = s
        flagged = False
        if safe:
            ncmp += 1
            flagged = m == neginf
            if flagged:  # every score −inf (or −inf and NaN): subtract 0 instead
                m = zero
        total = unit
        first = True
        for j in range(S):
            if kept[r, j]:
                e = math.exp(sc[r, j] - m)
                nsub += 1
                nexp += 1
                sc[r, j] = e
                if first:
                    total, first = e, False
                else:
                    total += e
                    nadd += 1
        if flagged:  # weights exp(−inf) = 0 stay 0, a NaN stays NaN (so does the output)
            total = unit
        for j in range(S):
            if kept[r, j]:
                sc[r, j] = sc[r, j] / total
                ndiv += 1
    if skip:  # w · V: the common rectangle, then each row's runs; later runs are added
        started = np.zeros(R, np.bool_)
        wflat, vflat = np.empty(R * S, qg.dtype), np.empty(Ev * S, qg.dtype)
        for t in range(_runs(common, runs)):
            a, b = runs[t, 0], runs[t, 1]
            w = _gather(sc, 0, R, a, b, wflat)
            # gemm_block reduces over w's b − a columns: a run from key 0 reads vg in place
            v = vg if a == 0 else _gather(vg, 0, Ev, a, b, vflat)
            if started[0]:
                gemm_block(w, v, nobias, BIAS_NONE, part, 0, R, 0, Ev, row)
                for r in range(R):
                    for c in range(Ev):
                        ob[r, c] += part[r, c]
                        nadd += 1
            else:
                gemm_block(w, v, nobias, BIAS_NONE, ob, 0, R, 0, Ev, row)
            started[:] = True
        for r in range(R):
            for t in range(_runs(rest[r], runs)):
                a, j = runs[t, 0], runs[t, 1]
                w, v = _gather(sc, r, r + 1, a, j, wflat), _gather(vg, 0, Ev, a, j, vflat)
                if started[r]:
                    gemm_block(w, v, nobias, BIAS_NONE, part, 0, 1, 0, Ev, row)
                    for c in range(Ev):
                        ob[r, c] += part[0, c]
                        nadd += 1
                else:
                    gemm_block(w, v, nobias, BIAS_NONE, ob[r:r + 1], 0, 1, 0, Ev, row)
                    started[r] = True
    else:
        gemm_block(sc, vg, nobias, BIAS_NONE, ob, 0, R, 0, Ev, row)
    if store:
        wg[r0:r0 + R] = sc
    record(row, add=nadd, sub=nsub, mul=nmul, div=ndiv, exp=nexp, cmp=ncmp)


@njit(parallel=True)
def head_mean(w, heads, out):
    """``out[n, p] = Σ_h w[n, h, p] / H`` for ``w`` (N, H, P); ``heads`` holds H as a 1-element
    array of w's dtype. Return the counter table (one task per N row and 256 columns)."""
    N, H, P = w.shape
    ncol = (P + 255) // 256
    counts = np.zeros((max(N * ncol, 1), NKINDS), np.int64)
    hv = heads[0]
    for t in prange(N * ncol):
        n, p0 = t // ncol, (t % ncol) * 256
        nadd = ndiv = 0
        for p in range(p0, min(p0 + 256, P)):
            s = w[n, 0, p]
            for h in range(1, H):
                s += w[n, h, p]
                nadd += 1
            out[n, p] = s / hv
            ndiv += 1
        counts[t, ADD] = nadd
        counts[t, DIV] = ndiv
    return counts


def attend(q, k, vt, qi, ki, vi, masks, causal, skip, safe, scale, store):
    """:func:`attention` on ``q`` (Gq, L, E), ``k`` (Gk, S, E), ``vt`` (Gv, Ev, S) read through
    the group indices ``qi``, ``ki``, ``vi`` (G,), with up to two
    :class:`~nnref.core.masks.Mask` objects; ``(out (G, L, Ev), weights (G, L, S) or None, counts)``."""
    G, L, S, Ev, dt = len(qi), q.shape[1], k.shape[1], vt.shape[1], q.dtype
    none = Mask(np.zeros((1, 1, 1), dt), np.ones((1, 1, 1), np.bool_), np.zeros(G, np.int64), False)
    m0, m1 = (list(masks) + [none, none])[:2]
    out = np.empty((G, L, Ev), dt)
    weights = np.empty((G, L, S) if store else (1, 1, 1), dt)
    arrays = (q, k, vt, qi, ki, vi, m0.term, m0.keep, m0.index, m1.term, m1.keep, m1.index)
    c = [np.require(a, requirements=("C", "W")) for a in arrays]  # one numba signature
    rows = attention(*c, len(masks), m0.additive, m1.additive, causal, skip, safe,
                     np.full(1, scale, dt), out, weights, store)
    return out, (weights if store else None), rows
