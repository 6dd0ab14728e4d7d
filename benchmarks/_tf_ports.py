"""Keras 3 ports of nnref's functional-style layers, for ``benchmarks/tf_fixtures.py``.

Each port is what a user would write for the torch call: ``keras.ops`` for tensor
arithmetic (``x * s`` → ``ops.multiply``, ``torch.cat`` → ``ops.concatenate``), Keras'
layers where they exist (LayerNormalization, GroupNormalization, PReLU, ELU,
Embedding), ``keras.activations`` for the rest (``gelu(approximate=...)``, ``mish``,
``hard_silu``). Layers with channels (GroupNorm, InstanceNorm, PReLU, ChannelShuffle)
run channels last, the others on nnref's shape as it is. A multi-operand layer takes
a tuple of shapes, one per operand (one shape: every operand has it).

:func:`port` gives ``([(keras input shape, dtype), ...], fn, description)`` with
``fn(list of Keras inputs) -> output``, or None for a layer type ported in
``tf_fixtures.keras_layers`` (a Sequential of Keras layers).
"""
from __future__ import annotations

from functools import partial

#: (nnref layer spec, input shape (NCHW, as nnref; a tuple of shapes for several operands)).
LAYERS = [
    ("Add()", ((2, 3, 4), (2, 3, 1))),
    ("Add(1.0)", (2, 5)),
    ("Sub()", (2, 3, 4)),
    ("Sub()", ((2, 3, 4), (4,))),
    ("Sub(1.0, reverse=True)", (3, 4)),
    ("Mul()", (2, 6)),
    ("Mul()", ((2, 4, 3, 3), (2, 4, 1, 1))),  # squeeze-and-excitation's x * s
    ("Mul(0.5)", (2, 3, 4)),
    ("Div()", (2, 5)),
    ("Div(6.0)", (1, 18)),
    ("Div(1.0, reverse=True)", (2, 3)),
    ("Cat(dim=1)", ((2, 3, 4), (2, 5, 4))),
    ("Cat(dim=-1, inputs=3)", (2, 3)),
    ("Chunk(2, dim=1, index=1)", (2, 6, 3)),
    ("Chunk(3, dim=-1, index=2)", (2, 7)),
    ("Split(2, dim=1)", (2, 5, 3)),
    ("Split(3, dim=1, index=1)", (2, 6)),
    ("Split((2, 2, 1), dim=0, index=2)", (5, 3)),
    ("Split((1, 3), dim=-1, index=1)", (2, 4)),
    ("Contiguous()", (2, 3, 4)),
    ("Permute((0, 2, 1))", (2, 3, 4)),
    ("Permute((0, 2, 3, 1))", (1, 3, 4, 5)),
    ("Transpose(1, 2)", (2, 3, 4)),
    ("Transpose(0, -1)", (3, 5)),
    ("ChannelShuffle(2)", (1, 4, 3, 3)),
    ("ChannelShuffle(3)", (2, 6, 4)),
    ("Mean(dim=1)", (2, 3, 4)),
    ("Mean(dim=(2, 3), keepdim=True)", (2, 4, 3, 3)),
    ("Mean()", (3, 5)),
    ("Mean(dim=-1)", (2, 7)),
    ("Embedding(10, 4)", (2, 5)),
    ("Embedding(7, 3, padding_idx=0)", (3,)),
    ("Embedding(20, 6)", (2, 3, 4)),
    ("LayerNorm(6)", (2, 6)),
    ("LayerNorm(4)", (2, 3, 4)),
    ("LayerNorm((3, 4))", (2, 3, 4)),
    ("LayerNorm(5, elementwise_affine=False)", (3, 5)),
    ("LayerNorm(5, bias=False)", (2, 4, 5)),
    ("LayerNorm(8, eps=1e-6)", (1, 3, 8)),
    ("GroupNorm(2, 4)", (1, 4, 3, 3)),
    ("GroupNorm(3, 6, affine=False)", (2, 6, 4, 4)),
    ("GroupNorm(1, 4)", (2, 4, 5)),
    ("GroupNorm(4, 4)", (1, 4, 2, 3)),
    ("GroupNorm(2, 6)", (2, 6, 3, 2, 2)),
    ("InstanceNorm1d(3)", (2, 3, 5)),
    ("InstanceNorm1d(4, affine=True)", (1, 4, 6)),
    ("InstanceNorm1d(3)", (3, 5)),
    ("InstanceNorm2d(3)", (2, 3, 4, 4)),
    ("InstanceNorm2d(4, affine=True)", (1, 4, 3, 3)),
    ("InstanceNorm2d(3, track_running_stats=True)", (2, 3, 3, 3)),
    ("InstanceNorm2d(2, affine=True, track_running_stats=True)", (1, 2, 3, 3)),
    ("InstanceNorm3d(2)", (1, 2, 3, 3, 3)),
    ("InstanceNorm3d(2, affine=True)", (2, 2, 2, 3, 2)),
    ("GELU()", (2, 9)),
    ("GELU()", (2, 3, 4)),
    ("GELU(approximate='tanh')", (2, 9)),
    ("GELU(approximate='tanh')", (1, 3, 4, 4)),
    ("ELU()", (2, 9)),
    ("ELU(alpha=0.5)", (2, 9)),
    ("ELU(alpha=2.0)", (1, 3, 4)),
    ("PReLU()", (2, 9)),
    ("PReLU(3)", (2, 3)),
    ("PReLU(4)", (1, 4, 3, 3)),
    ("PReLU()", (2, 3, 5)),
    ("PReLU(2, init=0.1)", (2, 2, 5)),
    ("Softplus()", (2, 9)),
    ("Softplus(beta=2.0)", (2, 9)),
    ("Softplus(beta=0.5, threshold=10.0)", (1, 3, 4)),
    ("Mish()", (2, 9)),
    ("Mish()", (1, 3, 4, 4)),
    ("Hardtanh()", (2, 9)),
    ("Hardtanh(-2.0, 2.0)", (1, 3, 4)),
    ("Hardtanh(0.0, 6.0)", (2, 5)),
    ("Hardsigmoid()", (2, 9)),
    ("Hardsigmoid()", (1, 3, 4, 4)),
    ("Hardswish()", (2, 9)),
    ("Hardswish()", (1, 3, 4, 4)),
    ("LogSoftmax(dim=1)", (2, 5)),
    ("LogSoftmax(dim=-1)", (2, 3, 4)),
    ("LogSoftmax(dim=1)", (2, 3, 4)),
    ("LogSoftmax(dim=0)", (3, 4)),
]

CHANNELS = ("GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "PReLU",
            "ChannelShuffle")
_OPS = {"Add": "add", "Sub": "subtract", "Mul": "multiply", "Div": "divide"}


def operand_shapes(layer, shape) -> list:
    """One shape per operand: ``shape`` itself if it is a tuple of shapes, else repeated."""
    if shape and isinstance(shape[0], (tuple, list)):
        return [tuple(s) for s in shape]
    return [tuple(shape)] * getattr(layer, "operands", 1)


def channels_last(shape) -> tuple:
    return (shape[0], *shape[2:], shape[1]) if len(shape) > 2 else tuple(shape)


def port(layer, shape):
    """``(inputs, fn, description)`` of the Keras 3 port of ``layer``, or None."""
    import keras

    L, ops, act, kind = keras.layers, keras.ops, keras.activations, layer.kind
    shapes = operand_shapes(layer, shape)
    inputs = [(s, "float32") for s in shapes]

    def unary(fn, desc, kshape=None, dtype="float32"):
        return [(kshape or shapes[0], dtype)], lambda xs: fn(xs[0]), desc

    if kind in _OPS:
        op = getattr(ops, _OPS[kind])
        if layer.other is None:
            return inputs, lambda xs: op(*xs), f"ops.{_OPS[kind]}(a, b)"
        c = layer.other
        if layer.reverse:
            return unary(lambda x: op(c, x), f"ops.{_OPS[kind]}({c}, x)")
        return unary(lambda x: op(x, c), f"ops.{_OPS[kind]}(x, {c})")
    if kind == "Cat":
        return inputs, lambda xs: ops.concatenate(xs, axis=layer.dim), "ops.concatenate"
    if kind in ("Chunk", "Split"):
        d = layer.bounds(shapes[0])[0]
        sizes = layer._sizes(shapes[0][d], shapes[0])
        cuts = len(sizes) if len(set(sizes)) == 1 else _cuts(sizes)  # equal pieces: a count
        return unary(lambda x: ops.split(x, cuts, axis=d)[layer.index],
                     f"ops.split(x, {cuts}, axis={d})[{layer.index}]")
    if kind == "Contiguous":
        return unary(L.Identity(), "Identity")
    if kind == "Permute":
        axes = [a % len(shapes[0]) for a in layer.dims]
        return unary(lambda x: ops.transpose(x, axes), f"ops.transpose(x, {axes})")
    if kind == "Transpose":
        return unary(lambda x: ops.swapaxes(x, layer.dim0, layer.dim1),
                     f"ops.swapaxes(x, {layer.dim0}, {layer.dim1})")
    if kind == "ChannelShuffle":
        k = channels_last(shapes[0])
        g, c = layer.groups, k[-1]
        return unary(lambda x: ops.reshape(ops.swapaxes(ops.reshape(x, (*k[:-1], g, c // g)),
                                                        -1, -2), k),
                     "ops.reshape → ops.swapaxes → ops.reshape", k)
    if kind == "Mean":
        return unary(lambda x: ops.mean(x, axis=layer.dim, keepdims=layer.keepdim),
                     f"ops.mean(axis={layer.dim}, keepdims={layer.keepdim})")
    if kind == "Embedding":
        return unary(L.Embedding(layer.num_embeddings, layer.embedding_dim), "Embedding",
                     dtype="int32")
    if kind == "LayerNorm":
        r = len(shapes[0])
        axis = list(range(r - len(layer.normalized_shape), r))
        return unary(L.LayerNormalization(axis=axis, epsilon=layer.eps, center=layer.shifted,
                                          scale=layer.scaled),
                     f"LayerNormalization(axis={axis}, center={layer.shifted}, "
                     f"scale={layer.scaled})")
    if kind == "GroupNorm":
        return unary(L.GroupNormalization(layer.num_groups, epsilon=layer.eps,
                                          center=layer.affine, scale=layer.affine),
                     f"GroupNormalization({layer.num_groups}, center/scale={layer.affine})",
                     channels_last(shapes[0]))
    if kind.startswith("InstanceNorm"):
        s = shapes[0] if len(shapes[0]) == layer.spatial + 2 else (1, *shapes[0])  # batch of 1
        if layer.track_running_stats:
            norm, desc = L.BatchNormalization(epsilon=layer.eps, center=layer.affine,
                                              scale=layer.affine), "BatchNormalization"
        else:
            norm, desc = L.GroupNormalization(-1, epsilon=layer.eps, center=layer.affine,
                                              scale=layer.affine), "GroupNormalization(-1)"
        return unary(norm, f"{desc} (center/scale={layer.affine})", channels_last(s))
    if kind == "PReLU":
        k = channels_last(shapes[0])
        shared = list(range(1, len(k))) if layer.num_parameters == 1 else list(range(1, len(k) - 1))
        prelu = L.PReLU(keras.initializers.Constant(layer.init), shared_axes=shared or None)
        return unary(prelu, f"PReLU(shared_axes={shared or None})", k)
    return _activation(layer, unary, L, ops, act)


def _cuts(sizes) -> list:
    """Where ``x.chunk``/``x.split`` cuts an axis into ``sizes``: numpy-style split indices."""
    cuts = []
    for s in sizes[:-1]:
        cuts.append((cuts[-1] if cuts else 0) + s)
    return cuts


def _activation(layer, unary, L, ops, act):
    kind = layer.kind
    if kind == "GELU":
        approx = layer.approximate == "tanh"
        return unary(L.Activation(partial(act.gelu, approximate=approx)),
                     f"activations.gelu(approximate={approx})")
    if kind == "ELU":
        return unary(L.ELU(alpha=layer.alpha), f"ELU(alpha={layer.alpha})")
    if kind == "Softplus":
        if layer.beta == 1:
            return unary(L.Activation("softplus"), "activations.softplus")
        b = layer.beta
        return unary(L.Activation(lambda x: ops.divide(ops.softplus(ops.multiply(x, b)), b)),
                     f"ops.softplus(x * {b}) / {b}")
    if kind == "Mish":
        return unary(L.Activation("mish"), "activations.mish")
    if kind == "Hardtanh":
        lo, hi = layer.min_val, layer.max_val
        return unary(L.Activation(lambda x: ops.clip(x, lo, hi)), f"ops.clip(x, {lo}, {hi})")
    if kind == "Hardsigmoid":
        return unary(L.Activation("hard_sigmoid"), "activations.hard_sigmoid")
    if kind == "Hardswish":
        return unary(L.Activation("hard_silu"), "activations.hard_silu")
    if kind == "LogSoftmax":
        return unary(L.Activation(partial(act.log_softmax, axis=layer.dim)),
                     f"activations.log_softmax(axis={layer.dim})")
    return None
