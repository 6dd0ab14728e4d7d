"""The counted depthwise 3 × 3 convolution of stride 1 or 2 with dense padding, plane by
plane (:func:`depthwise3x3`), which :func:`.depthwise.depthwise_conv` routes to for rows
of 7 or more outputs (``PLANE_ROW``).

A task copies each of its input planes into a buffer with a border of zeros, which stays
in cache while every output takes its nine taps, read from the buffer by index
(:func:`_plane9`). With stride 2 and rows of SPLIT_ROW outputs or more, the buffer holds
each padded row as its even and its odd elements instead, so that the taps read it
unit-stride (:func:`_taps9_split`): on a Zen 4 core, MobileNetV2's four stride-2 layers
went from 295, 153, 100 and 99 µs to 181, 106, 59 and 72 µs (LLVM vectorises the
stride-2 loads poorly). The split writes only the plane's elements, into views that
start at their offsets; the padding is zeroed once per task (on a Zen 5 core, 2 threads,
interleaved with the per-row split that zeroed every row: 96 × 112² 268 → 211 µs,
144 × 56² 189 → 127 µs). The taps, the order they are added in, and the counts are those
of the general kernel with zero padding (:func:`.depthwise.depthwise`; counts:
:func:`nnref.formulas.depthwise.depthwise`).
"""
import numpy as np

from ._numba import ADD, MUL, NKINDS, njit, prange

#: Fewest outputs of a task of :func:`depthwise3x3`: small planes (MobileNetV2's 14²
#: and 7²) share a task and its buffers rather than allocate one each.
PLANE_TASK = 2048
#: Fewest outputs of a row of stride 2 that splits the padded rows into even and odd
#: elements (:func:`_taps9_split`); shorter rows, and every row of stride 1, run the plane
#: as one loop nest over its buffer (:func:`_plane9`). Measured on a Zen 4 core,
#: interleaved, 2 threads: the plane loop against rows taken one at a time through views,
#: 960 × 7² 121 → 89 µs, 576 × 14² 158 → 129, the same of stride 2 138 → 109, 384 × 14²
#: 119 → 104, and on long rows of stride 1 the same or faster (192 × 28² 143 → 119,
#: 144 × 56² 192 → 170); the plane loop on long rows of stride 2, unsplit, was slower.
SPLIT_ROW = 16


@njit(inline="always")
def _plane9(o, buf, w, bval, has_bias, step):
    """Every output of the plane ``o`` (OH, OW) from the padded plane ``buf``:
    ``o[i, j] = w[0,0]·buf[r, q] + w[0,1]·buf[r, q + 1] + … + w[2,2]·buf[r + 2, q + 2]``
    (+ the bias), r = ``step``·i, q = ``step``·j: the nine taps of its window in order
    (the first product initialises, the others are added, then the bias), read by index
    (no views). Called with a constant ``step``, 1 or 2 (stride 1 vectorises along j).
    Returns the products and the sums."""
    w00, w01, w02 = w[0, 0], w[0, 1], w[0, 2]
    w10, w11, w12 = w[1, 0], w[1, 1], w[1, 2]
    w20, w21, w22 = w[2, 0], w[2, 1], w[2, 2]
    nmul = 0
    nadd = 0
    for i in range(o.shape[0]):
        r = step * i
        for j in range(o.shape[1]):
            q = step * j
            v = w00 * buf[r, q] + w01 * buf[r, q + 1] + w02 * buf[r, q + 2]
            v = v + w10 * buf[r + 1, q] + w11 * buf[r + 1, q + 1] + w12 * buf[r + 1, q + 2]
            v = v + w20 * buf[r + 2, q] + w21 * buf[r + 2, q + 1] + w22 * buf[r + 2, q + 2]
            nmul += 9
            nadd += 8
            if has_bias:
                v += bval
                nadd += 1
            o[i, j] = v
    return nmul, nadd


@njit(inline="always")
def _taps9_split(o, e0, d0, e1, d1, e2, d2, w, bval, has_bias):
    """Stride 2, each padded input row split into its even (``e``) and odd (``d``)
    elements: ``o[j] = w[0,0]·e0[j] + w[0,1]·d0[j] + w[0,2]·e0[j + 1] + … + w[2,2]·e2[j + 1]``
    (+ the bias), the nine taps of a window of stride 2 in the order of :func:`_plane9`,
    every load unit-stride. Returns the products and the sums."""
    w00, w01, w02 = w[0, 0], w[0, 1], w[0, 2]
    w10, w11, w12 = w[1, 0], w[1, 1], w[1, 2]
    w20, w21, w22 = w[2, 0], w[2, 1], w[2, 2]
    nmul = 0
    nadd = 0
    for j in range(o.size):
        v = w00 * e0[j] + w01 * d0[j] + w02 * e0[j + 1]
        v = v + w10 * e1[j] + w11 * d1[j] + w12 * e1[j + 1]
        v = v + w20 * e2[j] + w21 * d2[j] + w22 * e2[j + 1]
        nmul += 9
        nadd += 8
        if has_bias:
            v += bval
            nadd += 1
        o[j] = v
    return nmul, nadd


@njit(inline="always")
def _split(xplane, ph, pw, even, odd):
    """Copy the plane ``xplane`` (H, W) into ``even`` and ``odd``, which hold each row of
    the plane padded with ``ph`` rows and ``pw`` columns of zeros, ``padded[p, q]``, as its
    even elements ``even[p, s] = padded[p, 2s]`` and its odd ones ``odd[p, s] =
    padded[p, 2s + 1]``. Only the elements from the plane are written: the others, the
    padding, are the same for every plane and stay as the task set them, zero."""
    h = pw // 2
    if pw % 2 == 0:  # x[2r], x[2r + 1] are padded[2(r + h)], padded[2(r + h) + 1]
        _pairs(xplane, even, odd, ph, h, h)
    else:  # they are padded[2(r + h) + 1], padded[2(r + h + 1)]
        _pairs(xplane, odd, even, ph, h, h + 1)


@njit(inline="always")
def _pairs(xplane, first, second, ph, f0, s0):
    """``first[ph + i, f0 + r] = xplane[i, 2r]``, ``second[ph + i, s0 + r] = xplane[i, 2r +
    1]``, an odd last element of a row to ``first``: the loop reads a row two at a time,
    which LLVM vectorises as one interleaved load, on contiguous views that start at the
    offsets (an offset added to the index would need numba's negative-index check, which
    stops it: the split alone 4 × slower on a Zen 5 core)."""
    H, W = xplane.shape
    for i in range(H):
        xr, a, b = xplane[i], first[ph + i, f0:], second[ph + i, s0:]
        for r in range(W // 2):
            a[r] = xr[2 * r]
            b[r] = xr[2 * r + 1]
        if W % 2:
            a[W // 2] = xr[W - 1]


@njit(parallel=True)
def depthwise3x3(x, w, bias, has_bias, step, ph, pw, out):
    """Dense padding, a 3 × 3 kernel, stride ``step`` (1 or 2) along both axes, no
    dilation: ``x`` (N, C, H, W), ``w`` (C·m, 3, 3), ``out`` (N, C·m, OH, OW). A task is a
    run of output planes of at least PLANE_TASK outputs in all (from the shapes); it
    copies each input plane into its buffer with a border of zeros (the padding, whose
    taps are products with zero as in :func:`.depthwise.depthwise`), which stays in cache
    while the plane's outputs take their nine taps (:func:`_plane9`). With stride 2 and
    rows of SPLIT_ROW outputs or more, the buffer holds each padded row as its even and
    its odd elements, so that the taps read it unit-stride (:func:`_taps9_split`).
    Returns the counter table."""
    N, C, H, W = x.shape
    Co, OH, OW = out.shape[1], out.shape[2], out.shape[3]
    m = Co // C
    Hp, Wp = H + 2 * ph, W + 2 * pw
    per = max(1, min(Co, PLANE_TASK // max(1, OH * OW)))  # planes per task
    nblock = (Co + per - 1) // per
    counts = np.zeros((max(N * nblock, 1), NKINDS), np.int64)
    for t in prange(N * nblock):
        n, c0 = t // nblock, (t % nblock) * per
        nmul = 0
        nadd = 0
        if step == 2 and OW >= SPLIT_ROW:
            even = np.zeros((Hp, (Wp + 1) // 2), x.dtype)  # the padding stays zero
            odd = np.zeros((Hp, Wp // 2), x.dtype)
            for co in range(c0, min(Co, c0 + per)):
                _split(x[n, co // m], ph, pw, even, odd)
                for oh in range(OH):
                    r = 2 * oh
                    km, ka = _taps9_split(out[n, co, oh], even[r], odd[r], even[r + 1],
                                          odd[r + 1], even[r + 2], odd[r + 2], w[co], bias[co],
                                          has_bias)
                    nmul += km
                    nadd += ka
        else:
            buf = np.zeros((Hp, Wp), x.dtype)  # its border stays zero: the padding
            for co in range(c0, min(Co, c0 + per)):
                for i in range(H):
                    buf[ph + i, pw:pw + W] = x[n, co // m, i]
                if step == 1:
                    km, ka = _plane9(out[n, co], buf, w[co], bias[co], has_bias, 1)
                else:
                    km, ka = _plane9(out[n, co], buf, w[co], bias[co], has_bias, 2)
                nmul += km
                nadd += ka
        counts[t, MUL] = nmul
        counts[t, ADD] = nadd
    return counts
