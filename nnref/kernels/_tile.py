"""The register-tiled micro-kernel of the counted GEMM (:mod:`._gemm`), and the stores
after it.

A tile is ``MR × NR`` outputs (:func:`tile_rows` × :func:`tile_cols`, by the CPU: see
TILES), kept in registers (a stack array that LLVM promotes) while :func:`products`, for
each k, adds the outer product of a column of ``a`` and a row of a packed panel of ``b``
to it::

    for k:                       # along the reduction
        for j < NR:              # vector lanes
            for i < MR:          # one broadcast of a[i, k] per row
                c[i, j] += a[i, k] · b[k, j]
                nmul += 1
                nadd += 1

So each output element is still a plain dot product taken in the order k = 0, 1, …: its
first product (k = 0) initialises it, every later one is added, each operation counted
where it happens (LLVM hoists the increments out of the loop, which costs nothing).

* :func:`block`: one block of ``kc`` reductions of a tile. When the block is the whole
  reduction (K ≤ KC: most convolutions of a CNN), the tile goes from the registers to
  the output with its bias added (:func:`store`): the partial sums never touch memory.
  That halved the time of a K = 16 tile (200 → 135 ns on a Zen 4 core; 96 × 12544
  outputs: 3.1 → 0.85 ms). A transposed product (``outᵀ = bᵀ·aᵀ``) stores each column
  of the tile as a run of contiguous outputs, the same way (ResNet-50's 7 × 7 stem,
  12544 positions × 64 channels over 147: 2.8 → 2.4 ms). A deeper reduction keeps the
  partial sums in the task's ``acc`` between blocks, and its last block stores the tile
  with its bias straight from the registers (no second pass over the output).

One ``block`` serves every tile: full ones, the 16-column ones and the one-row ones at
the edges. It was three functions (one-block tiles, deeper ones, and a store of the
partial sums after the last block), each with its own copy of the unrolled
micro-kernel; folded into one, the GEMM compiles 2–4 s faster (of 11–14 s, measured on a
Zen 4 core with a cold cache) and runs no slower.

At the right edge, a panel of half a tile's columns or more runs a full-height tile half
as wide (a constant width, in registers: 16 columns of AVX-512's 32) when the reduction
is one block; what is left, and the
bottom edge, runs a row at a time with fewer columns. Nothing is computed on padding. A
4-column tile as well saved a quarter of the time of 196-column products (384 × 196 over
64: 158 → 120 µs on a Zen 4 core) but added 3–4 s to the GEMM's compilation, which a
cold ``nnref count`` waits for: it was left out.
"""
from types import MappingProxyType

from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from ._numba import ADD, MUL, njit

#: Bias modes: none, one per row of the output (conv), one per column (dense).
BIAS_NONE, BIAS_ROW, BIAS_COL = 0, 1, 2


#: A loop for LLVM to vectorise (:func:`vector_shape`): ``c[i] += a[i]`` over floats.
_PROBE = """
define void @probe(ptr noalias %a, ptr noalias %c, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %j, %loop ]
  %pa = getelementptr inbounds float, ptr %a, i64 %i
  %pc = getelementptr inbounds float, ptr %c, i64 %i
  %x = load float, ptr %pa
  %y = load float, ptr %pc
  %z = fadd float %x, %y
  store float %z, ptr %pc
  %j = add nuw nsw i64 %i, 1
  %done = icmp eq i64 %j, %n
  br i1 %done, label %exit, label %loop
exit:
  ret void
}"""


def vector_shape() -> tuple:
    """``(bytes, registers)``: how wide the vectors are that LLVM's vectorisers make for
    the CPU numba compiles for, and how many vector registers it has (32 with AVX-512,
    else 16). The width is not the widest the CPU has: LLVM prefers 256-bit vectors on
    Intel's AVX-512 cores (Skylake-SP to Sapphire Rapids), 512-bit ones on AMD's Zen 4.
    So a small loop is vectorised with numba's target machine (CPU name and features, as
    set by ``NUMBA_CPU_NAME``/``NUMBA_CPU_FEATURES`` or the host's) and its assembly read:
    about 35 ms, once a process, when the GEMM is first imported. If numba's internals
    differ from what this expects, the features decide alone."""
    from numba.core import codegen, config

    features = config.CPU_FEATURES
    if features is None:
        features = codegen.get_host_cpu_features()
    avx512 = "+avx512f" in features.split(",")
    try:
        import llvmlite.binding as ll
        from numba.core.registry import cpu_target

        machine = cpu_target.target_context.codegen()._tm
        module = ll.parse_assembly(_PROBE)
        builder = ll.create_pass_builder(machine, ll.create_pipeline_tuning_options(3))
        builder.getModulePassManager().run(module, builder)
        asm = machine.emit_assembly(module)
        width = 64 if "zmm" in asm else 32
    except (AttributeError, ImportError, RuntimeError, TypeError):
        width = 64 if avx512 else 32
    return width, 32 if avx512 else 16


#: The register tile by vector width, vector registers and element size: ``(rows,
#: columns)``, rows of ``a`` (broadcast) × columns of ``b`` (vector lanes).
#:
#: * 512-bit vectors (Zen 4): float32 8 × 32, 16 registers of accumulators, and 8 divides
#:   the power-of-two channel counts of CNNs (6 left 4 rows of every 64 to one-row tiles:
#:   9% of the time of ResNet-50's 1×1 products, measured side by side on a Zen 4);
#:   float64 6 × 32, 24 registers (8 rows would need all 32 and spill).
#: * 256-bit vectors and 16 registers (AVX2: Zen 3, Haswell to Alder Lake): float32 4 × 16,
#:   8 accumulators beside 4 broadcasts and 2 rows of ``b``. On a Zen 3 core, ResNet-50's
#:   convolutions went from 0.62× to 0.87× of NumPy + OpenBLAS with it (8 × 32 needs 32
#:   registers, and spills; so do 6 × 16 and its 6 broadcasts: 0.66×). float64 keeps
#:   6 × 32: 4 × 8 and 2 × 16 ran no faster there (0.45× and 0.28–0.40× against 0.44×),
#:   nor did 6 × 8, 4 × 12, 3 × 16 or 8 × 16 with AVX2 code on a Zen 5 (0.30–0.38× for
#:   Linear against 0.58×); it spills, and takes two reductions a pass (STEPS).
#: * 256-bit vectors and 32 registers (Intel's AVX-512 cores, where LLVM prefers 256
#:   bits): the register budget of the 512-bit tiles, 16 and 24 accumulators, in
#:   half-width vectors: 8 × 16 and 6 × 16. On an Intel Xeon (family 6 model 167) they
#:   gave 0.61–0.63× (float32) and 0.46× (float64) of OpenBLAS's zmm kernel for Linear
#:   4096; 512-bit code (``-prefer-256-bit``, Zen 4's tiles) 0.79× and 0.58× (README).
TILES = MappingProxyType({
    (64, 32, 4): (8, 32), (64, 32, 8): (6, 32),
    (32, 16, 4): (4, 16), (32, 16, 8): (6, 32),
    (32, 32, 4): (8, 16), (32, 32, 8): (6, 16)})
VECTOR_BYTES, REGISTERS = vector_shape()
(MR_F32, NR_F32), (MR_F64, NR_F64) = (TILES[VECTOR_BYTES, REGISTERS, 4],
                                      TILES[VECTOR_BYTES, REGISTERS, 8])
#: The fewest rows and the most columns of a tile, of any dtype.
MR, NR = min(MR_F32, MR_F64), max(NR_F32, NR_F64)
#: Reductions a pass of the micro-kernel's loop over k takes (:func:`products`), by the
#: keys of TILES; 1 where none is given. AVX2's float64 tile, 6 × 32, needs 48
#: accumulators in 16 registers: LLVM keeps most of them in memory, loading and storing
#: each once a pass, so two reductions a pass halve that traffic. Smaller float64 tiles,
#: which fit, are vectorised along k by LLVM's loop vectoriser instead (gathers) and ran
#: slower (see TILES). Measured with AVX2 code (``NUMBA_CPU_NAME=znver3``, its features
#: without AVX-512) on a Zen 5 core against OpenBLAS's Haswell kernel, 2 threads: Linear
#: 4096 → 4096 on 256 went from 0.44–0.58× to 0.65–0.83×, ResNet-50's convolutions from
#: 0.57–0.71× to 0.85–0.99× (four fresh processes each, alternated). float32's 4 × 16,
#: which fits, ran no faster with two (0.76–0.85× against 0.86–1.01×); with four, float64
#: ran slower (0.63×).
STEPS = MappingProxyType({(32, 16, 8): 2})
STEPS_F32, STEPS_F64 = (STEPS.get((VECTOR_BYTES, REGISTERS, 4), 1),
                        STEPS.get((VECTOR_BYTES, REGISTERS, 8), 1))
#: Whether a tile of this CPU takes two: where none does, numba drops the loop for two
#: before compiling it (a branch on a global constant), which spares 0.6 s of the GEMM's
#: compilation (12.0–12.4 s against 11.5–11.6 s on a Zen 5 core).
TWO_STEPS = 2 in (STEPS_F32, STEPS_F64)


def tile_rows(itemsize: int) -> int:
    """Rows of the register tile for elements of ``itemsize`` bytes (Python side)."""
    return MR_F32 if itemsize <= 4 else MR_F64


def tile_cols(itemsize: int) -> int:
    """Columns of the register tile (a panel of ``b``) for elements of ``itemsize`` bytes."""
    return NR_F32 if itemsize <= 4 else NR_F64


def tile_steps(itemsize: int) -> int:
    """Reductions a pass of the micro-kernel's loop takes (STEPS), 1 or 2."""
    return STEPS_F32 if itemsize <= 4 else STEPS_F64


def narrow_cols(itemsize: int) -> int:
    """Columns of the narrow tile that a panel of fewer than :func:`tile_cols` columns
    runs at a right edge (:func:`._gemm.gemm_task`): half a panel."""
    return tile_cols(itemsize) // 2


def _constant(of):
    """An intrinsic giving ``of(itemsize)`` of its argument's dtype as a compile-time
    constant (so the loops of a full tile unroll into registers)."""
    @intrinsic
    def constant(typingctx, like):
        value = of(like.dtype.bitwidth // 8)

        def codegen(context, builder, sig, args):
            return context.get_constant(types.intp, value)

        return types.intp(like), codegen

    constant.__doc__ = f":func:`{of.__name__}` of ``like``'s dtype, a compile-time constant."
    return constant


rows_of, cols_of, narrow_of = _constant(tile_rows), _constant(tile_cols), _constant(narrow_cols)
steps_of = _constant(tile_steps)


@intrinsic
def stack_tile(typingctx, like):
    """An uninitialised (rows_of(like), cols_of(like)) array of ``like``'s dtype on the
    stack (an ``alloca``, which LLVM keeps in registers once the loops over it are
    unrolled)."""
    arrty = types.Array(like.dtype, 2, "C")
    rows, cols = tile_rows(like.dtype.bitwidth // 8), tile_cols(like.dtype.bitwidth // 8)

    def codegen(context, builder, sig, args):
        lty = context.get_value_type(like.dtype)
        size = context.get_abi_sizeof(lty)
        tile = context.make_array(arrty)(context, builder)
        intp = lambda v: context.get_constant(types.intp, v)
        context.populate_array(tile, data=cgutils.alloca_once(builder, lty, size=rows * cols),
                               shape=[intp(rows), intp(cols)],
                               strides=[intp(cols * size), intp(size)],
                               itemsize=intp(size), meminfo=None)
        return tile._getvalue()

    return arrty(like), codegen


@njit(inline="always")
def products(kc, A, ri, kk, bp, sbk, mr, nr, first, c, row):
    """The outer products of one block of ``kc`` reductions into the register tile ``c``
    (``mr`` rows × ``nr`` columns). Row ``i``, reduction ``k`` of ``a`` is ``A[ri[i] +
    kk[k]]``: ``ri`` holds the offsets of the tile's rows, ``kk`` those of the block's
    reductions (a packed panel, the rows of ``a`` as they are, or the windows of a
    convolution read from its input, see :func:`._gemm.gemm`); reduction ``k`` of the
    panel of ``b`` starts at ``bp[k·sbk]`` (a packed panel: ``sbk`` = its columns; or the
    rows of ``b`` as they are: ``sbk`` = their length). ``first``: the block holds k = 0, whose
    products initialise ``c``; else ``c`` holds the partial sums. Where the tile takes two
    reductions a pass (STEPS: a tile too big for the registers), k and k + 1 are added in
    one pass, each element's products still one after the other in the order of k.
    Counts go to the task's ``row``.
    """
    nmul = 0
    nadd = 0
    k0 = 0
    cols = cols_of(A)
    if first:  # k = 0: the first product of each dot product initialises it
        a = kk[0]
        b = bp[:cols]
        for j in range(nr):
            bj = b[j]
            for i in range(mr):
                c[i, j] = A[a + ri[i]] * bj
                nmul += 1
        k0 = 1
    k = k0
    if TWO_STEPS:  # a constant: where it is False, numba compiles none of this
        if steps_of(A) == 2:  # two reductions a pass (STEPS), each in its turn, as below
            while k + 1 < kc:
                a, a1 = kk[k], kk[k + 1]
                b, b1 = bp[k * sbk:k * sbk + cols], bp[(k + 1) * sbk:(k + 1) * sbk + cols]
                for j in range(nr):
                    bj, bj1 = b[j], b1[j]
                    for i in range(mr):
                        c[i, j] += A[a + ri[i]] * bj
                        nmul += 1
                        nadd += 1
                        c[i, j] += A[a1 + ri[i]] * bj1
                        nmul += 1
                        nadd += 1
                k += 2
    for k in range(k, kc):
        a = kk[k]
        b = bp[k * sbk:k * sbk + cols]
        for j in range(nr):
            bj = b[j]
            for i in range(mr):
                c[i, j] += A[a + ri[i]] * bj
                nmul += 1
                nadd += 1
    row[MUL] += nmul
    row[ADD] += nadd


@njit(inline="always")
def biased(v, bias, bias_mode, i, j):
    """``(v + bias, additions)`` for logical output (``i``, ``j``): its row's bias
    (BIAS_ROW), its column's (BIAS_COL) or none; the stores of a transposed tile, which
    run element by element, add it here (counted: the 1 beside the sum)."""
    if bias_mode == BIAS_ROW:
        return v + bias[i], 1
    if bias_mode == BIAS_COL:
        return v + bias[j], 1
    return v, 0


@njit(inline="always")
def store(c, mr, nr, out, col0, to, gi, gj, bias, bias_mode, row):
    """Store the ``mr × nr`` tile ``c`` with its bias added (counted in ``row``) at
    (``gi``, ``gj``) of ``o = out[:, col0:]`` (``o[j, i]`` when ``to``: a column of the
    tile is ``mr`` contiguous outputs)."""
    nadd = 0
    if to:
        for j in range(nr):
            dst = out[gj + j, col0 + gi:col0 + gi + mr]
            for i in range(mr):
                v, added = biased(c[i, j], bias, bias_mode, gi + i, gj + j)
                nadd += added
                dst[i] = v
    else:
        for i in range(mr):
            dst = out[gi + i, col0 + gj:col0 + gj + nr]
            if bias_mode == BIAS_ROW:
                bv = bias[gi + i]
                for j in range(nr):
                    dst[j] = c[i, j] + bv
                    nadd += 1
            elif bias_mode == BIAS_COL:
                bj = bias[gj:gj + nr]
                for j in range(nr):
                    dst[j] = c[i, j] + bj[j]
                    nadd += 1
            else:
                for j in range(nr):
                    dst[j] = c[i, j]
    row[ADD] += nadd


@njit(inline="always")
def block(kc, A, ri, kk, bp, sbk, mr, nr, first, last, acc, ai, aj, out, col0, to, gi, gj, bias,
          bias_mode, row):
    """One ``mr × nr`` tile of a block of the reduction, in registers: its partial sums
    loaded from ``acc`` at (``ai``, ``aj``) unless the block is the ``first``, the block's
    products added (:func:`products`), and then stored back to ``acc``, or, after the
    ``last`` block, stored to ``out`` with their bias (:func:`store`). A block that is the
    whole reduction goes from the registers to the output: no partial sums in memory."""
    c = stack_tile(A)
    if not first:
        for i in range(mr):
            for j in range(nr):
                c[i, j] = acc[ai + i, aj + j]
    products(kc, A, ri, kk, bp, sbk, mr, nr, first, c, row)
    if last:
        store(c, mr, nr, out, col0, to, gi, gj, bias, bias_mode, row)
    else:
        for i in range(mr):
            for j in range(nr):
                acc[ai + i, aj + j] = c[i, j]
