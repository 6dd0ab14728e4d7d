"""Keras 3 ports of the transposed convolutions, resizing, matrix products and attention,
for ``benchmarks/tf_fixtures.py``.

These layer classes come with later branches: ``tf_fixtures`` skips, with a message, a
spec of :data:`LAYERS` the nnref it runs on cannot parse, so the same script serves a
checkout with or without them. Ports, as a user would write them (channels last):

* ConvTranspose1d/2d/3d: ``Conv{1,2,3}DTranspose(padding="valid", output_padding=...)``
  then ``Cropping{1,2,3}D`` for torch's padding; groups as one layer per group
  (``ops.split`` → ... → ``ops.concatenate``: Keras' transposed convolutions have none).
* Upsample, UpsamplingNearest2d, UpsamplingBilinear2d: ``UpSampling{1,2,3}D`` for integer
  factors (``interpolation="bilinear"`` in 2-d), ``ops.image.resize`` for a ``size``,
  ``tf.compat.v1.image.resize_bilinear(align_corners=True)`` for align_corners.
* MatMul, BatchMatMul: ``ops.matmul``; BAddBMM: ``beta * c + alpha * ops.matmul(a, b)``
  without the multiplications by 1; FunctionalLinear: ``ops.matmul(x, ops.transpose(w))
  + b``.
* ScaledDotProductAttention: ``ops.dot_product_attention`` on (N, L, heads, E), the
  torch operands' heads moved to axis 2; MultiheadAttention: ``layers.MultiHeadAttention``
  on batch-first inputs, with ``return_attention_scores`` for ``need_weights`` (and
  ``ops.mean`` over the heads for ``average_attn_weights``).
* Parameter: a ``keras.Variable`` the model holds, read in the call (no input); Expand:
  ``ops.broadcast_to`` to the output shape (torch's -1 resolved).
"""
from __future__ import annotations

CAUSAL3 = "((True, False, False), (True, True, False), (True, True, True))"

#: (nnref layer spec, input shape (NCHW, as nnref; a tuple of shapes for several operands)).
LAYERS = [
    ("ConvTranspose1d(2, 3, 3)", (1, 2, 5)),
    ("ConvTranspose1d(2, 4, 3, stride=2, padding=1, output_padding=1)", (2, 2, 6)),
    ("ConvTranspose2d(3, 2, 3)", (1, 3, 4, 4)),
    ("ConvTranspose2d(2, 4, 3, stride=2, padding=1, bias=False)", (1, 2, 5, 5)),
    ("ConvTranspose2d(4, 4, (3, 2), stride=(2, 1), groups=2)", (2, 4, 3, 4)),
    ("ConvTranspose2d(2, 3, 4, stride=2, padding=1, output_padding=1)", (1, 2, 3, 3)),
    ("ConvTranspose2d(2, 2, 3, dilation=2)", (1, 2, 4, 4)),
    ("ConvTranspose3d(2, 3, 2, stride=2)", (1, 2, 2, 3, 2)),
    ("ConvTranspose3d(1, 2, 3, padding=1, bias=False)", (1, 1, 3, 3, 3)),
    ("Upsample(scale_factor=2)", (1, 2, 3, 3)),
    ("Upsample(scale_factor=3)", (2, 2, 4)),
    ("Upsample(scale_factor=2)", (1, 1, 2, 2, 2)),
    ("Upsample(size=(5, 7))", (1, 2, 3, 4)),
    ("Upsample(scale_factor=2, mode='bilinear')", (1, 2, 3, 3)),
    ("Upsample(size=(5, 6), mode='bilinear')", (2, 1, 3, 4)),
    ("UpsamplingNearest2d(scale_factor=2)", (1, 3, 2, 3)),
    ("UpsamplingBilinear2d(scale_factor=2)", (1, 2, 3, 3)),
    ("UpsamplingBilinear2d(size=(5, 5))", (1, 1, 3, 4)),
    ("MatMul()", ((3, 4), (4, 5))),
    ("MatMul()", ((2, 3, 4), (4, 5))),
    ("MatMul()", ((2, 3, 4), (2, 4, 5))),
    ("MatMul()", ((2, 1, 3, 4), (3, 4, 2))),
    ("MatMul()", ((4,), (4, 3))),
    ("MatMul()", ((5,), (5,))),
    ("BatchMatMul()", ((2, 3, 4), (2, 4, 5))),
    ("BAddBMM()", ((2, 3, 5), (2, 3, 4), (2, 4, 5))),
    ("BAddBMM(beta=0.5, alpha=2.0)", ((3, 5), (2, 3, 4), (2, 4, 5))),
    ("BAddBMM(beta=0.0)", ((2, 3, 5), (2, 3, 4), (2, 4, 5))),
    ("FunctionalLinear()", ((4, 6), (3, 6), (3,))),
    ("FunctionalLinear(bias=False)", ((2, 5, 6), (3, 6))),
    ("RNN(5, 7, num_layers=2)", (3, 2, 5)),
    ("GRU(5, 7, bidirectional=True)", (3, 2, 5)),
    ("GRU(5, 6, num_layers=2, bidirectional=True)", (2, 4, 5)),
    ("LSTM(5, 6, num_layers=2)", (1, 4, 5)),
    ("LSTM(4, 3, bidirectional=True, bias=False)", (3, 2, 4)),
    ("ScaledDotProductAttention()", (1, 2, 3, 4)),
    ("ScaledDotProductAttention()", ((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 6))),
    ("ScaledDotProductAttention(is_causal=True)", (1, 2, 4, 4)),
    ("ScaledDotProductAttention(scale=0.5)", (2, 1, 3, 4)),
    (f"ScaledDotProductAttention(attn_mask={CAUSAL3})", (1, 2, 3, 4)),
    ("ScaledDotProductAttention(enable_gqa=True)", ((1, 4, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4))),
    ("MultiheadAttention(8, 2)", (3, 2, 8)),
    ("MultiheadAttention(8, 2, batch_first=True)", (2, 3, 8)),
    ("MultiheadAttention(8, 4, need_weights=False)", (3, 1, 8)),
    ("MultiheadAttention(6, 2, average_attn_weights=False)", (4, 2, 6)),
    ("MultiheadAttention(8, 2, bias=False, batch_first=True)", (1, 5, 8)),
    ("MultiheadAttention(8, 2, kdim=4, vdim=6, batch_first=True)",
     ((2, 3, 8), (2, 5, 4), (2, 5, 6))),
    ("Parameter([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])", ()),  # no operand: input shape ()
    ("Expand(4, 2, -1, 3)", (2, 1, 3)),
    ("Expand(3, 5)", (3, 1)),
]


def channels_last(shape) -> tuple:
    return (shape[0], *shape[2:], shape[1])


def port(layer, shape):
    """``(inputs, fn, description)`` of the Keras 3 port of ``layer`` on ``shape`` (one
    shape, or a tuple of one per operand), or None."""
    import keras

    kind = layer.kind
    if kind == "Parameter":  # a held tensor: no input, the frozen graph reads a constant
        held = keras.Variable(layer.data)
        return [], lambda xs: keras.ops.convert_to_tensor(held), "keras.Variable (held, read)"
    if kind == "Expand":
        out = layer.output_shape(shape)
        return [(tuple(shape), "float32")], lambda xs: keras.ops.broadcast_to(xs[0], out), \
            f"ops.broadcast_to(x, {out})"
    if shape and isinstance(shape[0], (tuple, list)):
        shapes = [tuple(s) for s in shape]
    else:  # one shape: every operand's (SDPA), or self-attention (MultiheadAttention)
        shapes = [tuple(shape)] * (3 if kind == "ScaledDotProductAttention" else 1)
    if kind.startswith("ConvTranspose"):
        return _conv_transpose(keras, layer, shapes[0])
    if kind.startswith("Upsampl"):
        return _resize(keras, layer, shapes[0])
    if kind in ("MatMul", "BatchMatMul", "BAddBMM", "FunctionalLinear"):
        return _product(keras, layer, shapes)
    if kind == "ScaledDotProductAttention":
        return _sdpa(keras, layer, shapes)
    if kind == "MultiheadAttention":
        return _mha(keras, layer, shapes)
    return None


def _conv_transpose(keras, layer, shape):
    L, ops, nd = keras.layers, keras.ops, layer.ndim
    g, co = layer.groups, layer.out_channels // layer.groups
    convs = [getattr(L, f"Conv{nd}DTranspose")(
        co, layer.kernel_size, layer.stride, padding="valid",
        output_padding=layer.output_padding if any(layer.output_padding) else None,
        dilation_rate=layer.dilation, use_bias=layer.bias is not None) for _ in range(g)]
    crop = getattr(L, f"Cropping{nd}D")(layer.padding[0] if nd == 1 else tuple(layer.padding))

    def fn(xs):
        parts = ops.split(xs[0], g, axis=-1) if g > 1 else [xs[0]]
        y = [c(p) for c, p in zip(convs, parts)]
        y = ops.concatenate(y, axis=-1) if g > 1 else y[0]
        return crop(y) if any(layer.padding) else y

    desc = f"Conv{nd}DTranspose" + (f" ×{g} (ops.split, ops.concatenate)" if g > 1 else "")
    return [(channels_last(shape), "float32")], fn, desc + (
        f" → Cropping{nd}D" if any(layer.padding) else "")


def _resize(keras, layer, shape):
    L, ops, nd = keras.layers, keras.ops, len(shape) - 2
    out = layer.output_shape(shape)[2:]
    linear = layer.mode != "nearest"
    factors = [o // i for o, i in zip(out, shape[2:])]
    inputs = [(channels_last(shape), "float32")]
    if layer.align_corners:
        import tensorflow as tf

        return inputs, lambda xs: L.Lambda(lambda x: tf.compat.v1.image.resize_bilinear(
            x, out, align_corners=True))(xs[0]), "tf.compat.v1.image.resize_bilinear(align_corners)"
    if layer.mode not in ("nearest", "bilinear"):
        return None
    if all(o == f * i for o, f, i in zip(out, factors, shape[2:])):
        size = factors[0] if nd == 1 else tuple(factors)
        kw = {"interpolation": layer.mode} if nd == 2 else {}
        if linear and nd != 2:
            return None
        up = getattr(L, f"UpSampling{nd}D")(size, **kw)
        return inputs, lambda xs: up(xs[0]), f"UpSampling{nd}D({size}, {layer.mode})"
    if nd != 2:
        return None
    return inputs, lambda xs: ops.image.resize(xs[0], out, interpolation=layer.mode), \
        f"ops.image.resize({out}, {layer.mode})"


def _product(keras, layer, shapes):
    ops = keras.ops
    inputs = [(s, "float32") for s in shapes]
    kind = layer.kind
    if kind in ("MatMul", "BatchMatMul"):
        return inputs, lambda xs: ops.matmul(*xs), "ops.matmul"
    if kind == "FunctionalLinear":
        def linear(xs):
            y = ops.matmul(xs[0], ops.transpose(xs[1]))
            return ops.add(y, xs[2]) if len(xs) == 3 else y
        return inputs, linear, "ops.matmul(x, ops.transpose(w))" + (" + b" * layer.bias)
    a, b = layer.alpha, layer.beta

    def baddbmm(xs):
        y = ops.matmul(xs[1], xs[2])
        y = y if a == 1 else ops.multiply(y, a)
        if b == 0:
            return y
        return ops.add(xs[0] if b == 1 else ops.multiply(xs[0], b), y)
    return inputs, baddbmm, f"{b} * c + {a} * ops.matmul(a, b)"


def _sdpa(keras, layer, shapes):
    """torch's (*, heads, L, E) operands as Keras' (N, L, heads, E)."""
    import numpy as np

    ops = keras.ops
    if any(len(s) != 4 for s in shapes):
        return None
    inputs = [((s[0], s[2], s[1], s[3]), "float32") for s in shapes]
    mask = None if layer.attn_mask is None else np.asarray(layer.attn_mask)
    if mask is not None and mask.dtype != np.bool_:
        return None  # a float mask is Keras' bias=, not ported here

    def fn(xs):
        return ops.dot_product_attention(*xs, mask=mask, scale=layer.scale,
                                         is_causal=layer.is_causal)
    return inputs, fn, "ops.dot_product_attention" + (" (bool mask)" if mask is not None else "")


def _mha(keras, layer, shapes):
    ops = keras.ops
    if layer.add_bias_kv or layer.add_zero_attn or layer.attn_mask is not None \
            or layer.key_padding_mask is not None:
        return None  # no Keras equivalent

    def batch_first(s):
        return tuple(s) if layer.batch_first or len(s) == 2 else (s[1], s[0], s[2])
    inputs = [(batch_first(s), "float32") for s in shapes]
    mha = keras.layers.MultiHeadAttention(layer.num_heads, layer.head_dim, use_bias=layer.bias)

    def fn(xs):
        q, k, v = xs if len(xs) == 3 else (xs[0],) * 3
        if not layer.need_weights:
            return mha(q, v, k)
        y, w = mha(q, v, k, return_attention_scores=True)
        return [y, ops.mean(w, axis=1) if layer.average_attn_weights else w]
    return inputs, fn, "MultiHeadAttention" + (
        "(return_attention_scores)" + " → ops.mean(axis=1)" * layer.average_attn_weights
        if layer.need_weights else "")
