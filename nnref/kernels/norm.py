"""Counted normalisation: BatchNorm's fold of the running statistics, and the two-pass
normalisation of LayerNorm, GroupNorm and InstanceNorm with their input's statistics.

:func:`batchnorm` (BatchNorm, InstanceNorm with running statistics), over (N, C, L).
First the fold, once per channel and call (serial, counter row 0):

    σ = sqrt(var + eps),   scale = γ / σ,   shift = β − μ·scale

then every element (one task per run of (batch, channel) planes of at least BN_TASK
elements, counter rows 1…):

    y = x·scale + shift

and, when a ReLU, ReLU6 or Hardtanh is the only reader of the output (the models'
runner asks for it: :func:`nnref.models.run.fusable`), the activation's clamp of each
value before it is stored, counted in a table of its own as its kernel counts it
(:func:`.activation.clamp`). Counts: :func:`nnref.formulas.norm.batch_norm`.
:func:`normalize`: see its docstring.
"""
import math

import numpy as np

from ._numba import ADD, CMP, DIV, MUL, NKINDS, SQRT, SUB, njit, prange, record
from .activation import clamp as clamp_value

#: Elements per task of :func:`normalize`, in whole groups (at least one group a task).
CHUNK = 1024
#: Elements summed in order by :func:`tree_sum` before its pairwise merges.
BLOCK = 8
#: Fewest elements of a task of :func:`batchnorm` (whole planes; but two tasks at least):
#: MobileNetV2's 960 × 7² runs as 6 tasks, not 960, whose counter table took longer to
#: sum (22 µs) than the kernel ran (27 µs).
BN_TASK = 8192
#: What :func:`batchnorm` does after the affine transform: nothing, ``max(y, lo)`` (ReLU),
#: or ``min(max(y, lo), hi)`` (ReLU6, Hardtanh).
NO_CLAMP, CLAMP_BELOW, CLAMP_BOTH = 0, 1, 2


@njit(inline="always")
def _plane(xp, yp, a, b, clamped, lo, hi, upper):
    """``yp = xp·a + b``, each value then clamped (:func:`.activation.clamp`) if
    ``clamped`` before it is stored; returns (products, sums, comparisons)."""
    nmul = nadd = ncmp = 0
    for i in range(xp.size):
        v = xp[i] * a + b
        nmul += 1
        nadd += 1
        if clamped:
            v, k = clamp_value(v, lo, hi, upper)
            ncmp += k
        yp[i] = v
    return nmul, nadd, ncmp


@njit(parallel=True)
def batchnorm(x, mean, var, weight, bias, eps, scale, shift, out, clamp, lo, hi):
    """Normalize ``x`` (N, C, L) into ``out`` with per-channel statistics, then clamp it
    (``clamp``: NO_CLAMP, CLAMP_BELOW or CLAMP_BOTH, to ``lo`` and ``hi``); return the
    counter table: the normalisation's 1 + T rows (T tasks), then, with a clamp, its T
    (:func:`split_rows`; one table, as a second one returned took 5 µs a call).

    ``mean, var, weight, bias`` have shape (C,); ``scale`` and ``shift`` (C,) are filled
    with the folded affine transform.
    """
    N, C, L = x.shape
    per = max(1, min(BN_TASK // max(1, L), (N * C + 1) // 2))  # planes per task (two at least)
    ntask = (N * C + per - 1) // per
    counts = np.zeros((1 + ntask + (ntask if clamp != NO_CLAMP else 0), NKINDS), np.int64)
    lo_, hi_ = x.dtype.type(lo), x.dtype.type(hi)
    nadd = nsqrt = ndiv = nmul = nsub = 0
    for c in range(C):
        sigma = var[c] + eps
        nadd += 1
        sigma = math.sqrt(sigma)
        nsqrt += 1
        scale[c] = weight[c] / sigma
        ndiv += 1
        m = mean[c] * scale[c]
        nmul += 1
        shift[c] = bias[c] - m
        nsub += 1
    counts[0, ADD] = nadd
    counts[0, SQRT] = nsqrt
    counts[0, DIV] = ndiv
    counts[0, MUL] = nmul
    counts[0, SUB] = nsub
    for t in prange(ntask):
        nmul = nadd = ncmp = 0
        for p in range(t * per, min(N * C, (t + 1) * per)):
            c = p % C
            xp = x[p // C, c]
            yp = out[p // C, c]
            a = scale[c]
            b = shift[c]
            if clamp == NO_CLAMP:  # a loop for each mode, its choice made once a plane
                for i in range(L):
                    yp[i] = xp[i] * a + b
                    nmul += 1
                    nadd += 1
            elif clamp == CLAMP_BELOW:
                k = _plane(xp, yp, a, b, True, lo_, hi_, False)
                nmul, nadd, ncmp = nmul + k[0], nadd + k[1], ncmp + k[2]
            else:
                k = _plane(xp, yp, a, b, True, lo_, hi_, True)
                nmul, nadd, ncmp = nmul + k[0], nadd + k[1], ncmp + k[2]
        counts[1 + t, MUL] = nmul
        counts[1 + t, ADD] = nadd
        if clamp != NO_CLAMP:
            counts[1 + ntask + t, CMP] = ncmp
    return counts


def split_rows(rows, clamp):
    """``(normalisation, clamp)``: :func:`batchnorm`'s counter table as its two tables."""
    n = len(rows) if clamp == NO_CLAMP else (len(rows) + 1) // 2
    return rows[:n], rows[n:]


@njit(inline="always")
def tree_sum(a, lo, hi, squared, stack):
    """Σ a[lo:hi], of the squares if ``squared``: ``(sum, adds, muls)``, each counted here.

    Runs of ``BLOCK`` elements are summed in order and the run sums merged pairwise (a
    binary counter over ``stack``, 64 slots of a's dtype), so the rounding error grows with
    log(n) rather than n, as in numpy's and torch's cascade sums. Any order of summing n
    values takes n − 1 adds.
    """
    nadd = nmul = 0
    depth = runs = 0
    for r0 in range(lo, hi, BLOCK):
        s = a[r0]
        if squared:
            s = s * s
            nmul += 1
        for i in range(r0 + 1, min(hi, r0 + BLOCK)):
            v = a[i]
            if squared:
                v = v * v
                nmul += 1
            s += v
            nadd += 1
        runs += 1
        k = runs
        while k % 2 == 0:  # merge with the run sums of the same size below it
            depth -= 1
            s = stack[depth] + s
            nadd += 1
            k //= 2
        stack[depth] = s
        depth += 1
    s = stack[depth - 1]
    for d in range(depth - 2, -1, -1):
        s = stack[d] + s
        nadd += 1
    return s, nadd, nmul


@njit(parallel=True)
def normalize(x, G, L, weight, bias, affine, eps, size, out):
    """Normalise each row of ``x`` (groups, M) with its own mean and variance into ``out``.

    Row g is one normalisation group. Two passes over it, in x's precision (``eps`` and
    ``size`` = M are scalars of x's dtype), summed with :func:`tree_sum`, each operation
    counted where it happens:

        μ = (x_0 + … + x_{M−1}) / M
        d_i = x_i − μ                      (kept in ``out``)
        var = (d_0² + … + d_{M−1}²) / M    (biased, as torch)
        r = 1 / sqrt(var + eps)
        y_i = d_i · r  (· γ  (+ β))

    The affine step (``affine`` 1: γ, 2: γ and β) takes γ and β of element k·L + l at
    (g mod G)·K + k of the flat ``weight`` and ``bias``, K = M / L. A task is a run of
    whole groups of about ``CHUNK`` elements, so the split depends on the shape alone.
    Returns the counter table. Counts: :func:`nnref.formulas.norm.input_norm`.
    """
    groups, M = x.shape
    K = M // L
    per = max(1, CHUNK // M)
    ntask = (groups + per - 1) // per
    counts = np.zeros((max(ntask, 1), NKINDS), np.int64)
    for t in prange(ntask):
        stack = np.empty(64, x.dtype)
        nadd = nsub = nmul = ndiv = nsqrt = 0
        for g in range(t * per, min(groups, (t + 1) * per)):
            xg, yg = x[g], out[g]
            s, adds, _ = tree_sum(xg, 0, M, False, stack)
            nadd += adds
            mean = s / size
            ndiv += 1
            for i in range(M):
                yg[i] = xg[i] - mean
                nsub += 1
            ss, adds, muls = tree_sum(yg, 0, M, True, stack)
            nadd += adds
            nmul += muls
            var = ss / size
            ndiv += 1
            r = var + eps
            nadd += 1
            r = math.sqrt(r)
            nsqrt += 1
            r = 1.0 / r
            ndiv += 1
            base = (g % G) * K
            for k in range(K):
                for i in range(k * L, (k + 1) * L):
                    v = yg[i] * r
                    nmul += 1
                    if affine >= 1:
                        v = v * weight[base + k]
                        nmul += 1
                        if affine == 2:
                            v = v + bias[base + k]
                            nadd += 1
                    yg[i] = v
        record(counts[t], add=nadd, sub=nsub, mul=nmul, div=ndiv, sqrt=nsqrt)
    return counts
