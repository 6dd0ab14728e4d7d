"""Record what the TensorFlow profiler says about Keras twins of nnref's layers and models.

TensorFlow is too heavy for CI, so this script runs once, by hand, in a throwaway venv,
and writes the checked-in fixture ``tests/data/tf_profiler.json``; the tests
(``tests/test_tf_fixture.py``) check nnref's ``tf`` convention
(``nnref.conventions.tf_profiler``) against it, case by case::

    python -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu numpy
    /tmp/tfvenv/bin/python benchmarks/tf_fixtures.py            # writes the fixture
    /tmp/tfvenv/bin/python benchmarks/tf_fixtures.py --print    # prints it only
    PYTHONPATH=/path/to/other/checkout /tmp/tfvenv/bin/python benchmarks/tf_fixtures.py \
        --print --only MatMul,ConvTranspose2d                   # that nnref, some classes

Each case is an nnref layer spec (or a model) and an input shape (a tuple of shapes for
a layer of several operands); the script builds the layer with nnref (numpy only: no
numba, no torch), ports it to Keras 3 as a user would (NHWC, ``ZeroPadding`` for torch's
padding, ``GRU(reset_after=True)``, ``keras.ops`` for tensor arithmetic: the ports of
``benchmarks/_tf_ports.py`` and ``benchmarks/_tf_ports_more.py``), and profiles
the graph with the snippet everybody uses: a ``tf.function`` of the model, frozen with
``convert_variables_to_constants_v2_as_graph``, then ``tf.compat.v1.profiler.profile``
with ``ProfileOptionBuilder.float_operation()``. Recurrent layers keep Keras' default
``unroll=False`` (a ``tf.while_loop``); ``unroll=True`` cases are recorded too. A spec
that this checkout's nnref cannot parse (a layer class of a branch not merged yet) or
that Keras has no port for is skipped with a message on stderr.
"""
from __future__ import annotations

import argparse
import functools
import json
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# nnref from this checkout (its layers need only numpy), unless PYTHONPATH names another
if not any((Path(p) / "nnref").is_dir() for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
           if p):
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
FIXTURE = ROOT / "tests" / "data" / "tf_profiler.json"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _tf_ports import LAYERS as PORTED
from _tf_ports import port
from _tf_ports_more import LAYERS as MORE
from _tf_ports_more import port as port_more

#: (nnref layer spec, input shape (NCHW, as nnref)); each ported to Keras and profiled.
LAYERS = [
    ("Conv1d(2, 3, 3)", (1, 2, 10)),
    ("Conv1d(4, 6, 3, stride=2, padding=1, groups=2)", (2, 4, 11)),
    ("Conv1d(2, 4, 3, dilation=2, bias=False)", (1, 2, 12)),
    ("Conv2d(3, 8, 3, padding=1)", (1, 3, 5, 5)),
    ("Conv2d(4, 8, 3, groups=2, bias=False)", (2, 4, 5, 5)),
    ("Conv2d(3, 6, (3, 2), stride=(2, 1), padding=(1, 0))", (1, 3, 9, 8)),
    ("Conv2d(2, 4, 3, dilation=2)", (1, 2, 9, 9)),
    ("Conv2d(2, 4, (3, 2), padding=1, dilation=(2, 3))", (2, 2, 8, 9)),
    ("Conv1d(2, 4, 3, dilation=3)", (1, 2, 11)),
    ("Conv3d(1, 2, 2, dilation=2)", (1, 1, 5, 6, 5)),
    ("DepthwiseConv2d(3, 3, dilation=2)", (1, 3, 9, 8)),
    ("Conv2d(4, 8, 3, groups=2)", (1, 4, 5, 5)),
    ("Conv2d(4, 4, 3, padding=1, groups=4)", (1, 4, 6, 6)),
    ("Conv2d(4, 8, 3, groups=4, bias=False)", (2, 4, 6, 6)),
    ("Conv1d(3, 6, 3, groups=3)", (1, 3, 8)),
    ("Conv3d(1, 2, 2)", (1, 1, 3, 3, 3)),
    ("Conv3d(2, 4, 2, groups=2)", (1, 2, 3, 3, 3)),
    ("Conv3d(2, 4, (2, 3, 1), stride=(1, 2, 1), padding=(1, 0, 1), bias=False)", (1, 2, 4, 7, 3)),
    ("DepthwiseConv2d(4, 3, depth_multiplier=2, padding=1)", (1, 4, 6, 6)),
    ("DepthwiseConv2d(3, (3, 2), stride=(1, 2), bias=False)", (2, 3, 7, 6)),
    ("PointwiseConv2d(4, 6)", (1, 4, 3, 3)),
    ("Dense(7, 3)", (2, 7)),
    ("Linear(20, 3)", (4, 20)),
    ("Linear(16, 9, bias=False)", (25, 16)),  # the bias-free 25×16 by 16×9 matmul
    ("Linear(6, 4)", (3, 2, 6)),
    ("BatchNorm2d(4)", (1, 4, 3, 3)),
    ("BatchNorm2d(4, affine=False)", (2, 4, 3, 3)),
    ("BatchNorm1d(4)", (5, 4)),
    ("BatchNorm1d(3, eps=0.001)", (2, 3, 5)),
    ("BatchNorm3d(2)", (1, 2, 3, 3, 3)),
    ("ReLU()", (2, 3, 4)),
    ("ReLU6()", (1, 18)),
    ("LeakyReLU(0.2)", (1, 18)),
    ("Sigmoid()", (1, 18)),
    ("Tanh()", (1, 18)),
    ("SiLU()", (2, 9)),
    ("Softmax(dim=1)", (2, 5)),
    ("Softmax(dim=1)", (2, 3, 4)),
    ("Softmax(dim=1)", (2, 3, 4, 5)),
    ("Softmax(dim=0)", (3, 4)),
    ("Softmax(dim=-1)", (2, 3, 4)),
    ("MaxPool2d(2)", (1, 1, 4, 4)),
    ("MaxPool2d(3, 2, padding=1)", (1, 1, 5, 5)),
    ("MaxPool2d(3, 2, ceil_mode=True)", (1, 2, 6, 6)),
    ("AvgPool2d(2)", (1, 1, 4, 4)),
    ("AvgPool2d(3, 2, padding=1)", (1, 3, 7, 7)),
    ("MaxPool1d(3, 2)", (1, 2, 9)),
    ("AvgPool1d(2)", (2, 3, 8)),
    ("MaxPool3d(2)", (1, 1, 4, 4, 4)),
    ("AvgPool3d(2)", (1, 1, 4, 4, 4)),
    ("AdaptiveAvgPool2d(1)", (1, 3, 4, 4)),
    ("AdaptiveMaxPool2d(1)", (1, 3, 4, 4)),
    ("AdaptiveAvgPool2d((2, 3))", (1, 2, 6, 6)),
    ("AdaptiveMaxPool2d((2, 3))", (1, 2, 6, 6)),
    ("AdaptiveAvgPool2d(3)", (1, 1, 7, 7)),
    ("AdaptiveMaxPool2d((4, 3))", (1, 2, 6, 5)),
    ("AdaptiveAvgPool1d(2)", (1, 3, 8)),
    ("AdaptiveAvgPool1d(3)", (1, 3, 7)),
    ("AdaptiveAvgPool3d(1)", (1, 2, 4, 4, 4)),
    ("AdaptiveAvgPool3d(2)", (1, 1, 4, 4, 4)),
    ("AdaptiveAvgPool3d((2, 3, 3))", (1, 1, 4, 5, 5)),
    ("AdaptiveMaxPool3d(1)", (1, 2, 3, 3, 3)),
    ("AdaptiveMaxPool3d((2, 3, 3))", (1, 1, 4, 5, 5)),
    ("AdaptiveMaxPool1d(4)", (2, 2, 6)),
    ("AdaptiveAvgPool2d((5, 2))", (1, 1, 3, 7)),
    ("AdaptiveMaxPool2d((2, 2))", (1, 1, 3, 3)),
    ("Flatten()", (2, 3, 4)),
    ("Reshape((-1, 3))", (2, 3, 4)),
    ("Dropout()", (2, 6)),
    ("Identity()", (2, 3)),
    ("RNN(5, 7)", (3, 4, 5)),
    ("RNN(5, 7, bias=False)", (2, 6, 5)),
    ("GRU(5, 7)", (3, 4, 5)),
    ("GRU(5, 7, bias=False)", (2, 6, 5)),
    ("GRU(5, 7)", (1, 9, 5)),
    ("GRU(5, 7, batch_first=True)", (4, 5)),
    ("GRU(5, 7)", (3, 1, 5)),
    ("GRU(4, 3)", (5, 2, 4)),
    ("RNN(5, 7)", (1, 4, 5)),
    ("LSTM(5, 6)", (1, 4, 5)),
    ("LSTM(5, 6)", (3, 4, 5)),
    ("LSTM(5, 6, bias=False)", (2, 6, 5)),
]


def keras_layers(layer, shape, unroll=False):
    """The Keras 3 layers of a port of the nnref ``layer`` (channels last); a ValueError
    if Keras has none."""
    import keras

    L, kind = keras.layers, layer.kind
    nd = len(shape) - 2

    def pad(padding):
        if not any(padding):
            return []
        return [getattr(L, f"ZeroPadding{len(padding)}D")(
            padding[0] if len(padding) == 1 else tuple(padding))]

    if kind in ("Conv1d", "Conv2d") and 1 < layer.groups == layer.in_channels:
        # depthwise, as Keras' own MobileNets are written (Keras has no DepthwiseConv3D)
        return pad(layer.padding) + [getattr(L, f"DepthwiseConv{nd}D")(
            layer.kernel_size, layer.stride, dilation_rate=layer.dilation,
            depth_multiplier=layer.out_channels // layer.in_channels,
            use_bias=layer.bias is not None)]
    if kind in ("Conv1d", "Conv2d", "Conv3d", "PointwiseConv2d"):
        k, s = getattr(layer, "kernel_size", (1, 1)), getattr(layer, "stride", (1, 1))
        d, g = getattr(layer, "dilation", (1, 1)), getattr(layer, "groups", 1)
        conv = getattr(L, f"Conv{len(k)}D")(layer.out_channels, k, s, dilation_rate=d, groups=g,
                                            use_bias=layer.bias is not None)
        return pad(getattr(layer, "padding", ())) + [conv]
    if kind == "DepthwiseConv2d":
        return pad(layer.padding) + [L.DepthwiseConv2D(layer.kernel_size, layer.stride,
                                                       depth_multiplier=layer.depth_multiplier,
                                                       dilation_rate=layer.dilation,
                                                       use_bias=layer.bias is not None)]
    if kind in ("Dense", "Linear"):
        return [L.Dense(layer.out_features, use_bias=layer.bias is not None)]
    if kind.startswith("BatchNorm"):
        return [L.BatchNormalization(epsilon=layer.eps, center=layer.affine, scale=layer.affine)]
    if kind in ("ReLU", "ReLU6", "Sigmoid", "Tanh", "SiLU"):
        return [L.Activation({"ReLU": "relu", "ReLU6": "relu6", "Sigmoid": "sigmoid",
                              "Tanh": "tanh", "SiLU": "silu"}[kind])]
    if kind == "LeakyReLU":
        return [L.LeakyReLU(negative_slope=layer.negative_slope)]
    if kind == "Softmax":
        return [L.Softmax(axis=layer.dim)]
    if kind[:7] in ("MaxPool", "AvgPool"):
        pool = getattr(L, f"{'Max' if kind.startswith('Max') else 'Average'}Pooling{nd}D")
        extra = []  # ceil_mode: pad the right end just enough for torch's last window
        if layer.ceil_mode:
            out = layer.output_shape(shape)[2:]
            right = tuple(max(0, (o - 1) * s + k - i - 2 * p) for o, s, k, i, p in
                          zip(out, layer.stride, layer.kernel_size, shape[2:], layer.padding))
            extra = [getattr(L, f"ZeroPadding{nd}D")(tuple((0, r) for r in right))]
        return pad(layer.padding) + extra + [pool(layer.kernel_size, layer.stride)]
    if kind.startswith("Adaptive"):
        is_max, out = "Max" in kind, layer.output_size
        if all(o == 1 for o in out):
            return [getattr(L, f"Global{'Max' if is_max else 'Average'}Pooling{nd}D")(keepdims=True)]
        if all(i % o == 0 for i, o in zip(shape[2:], out)):
            k = tuple(i // o for i, o in zip(shape[2:], out))
            return [getattr(L, f"{'Max' if is_max else 'Average'}Pooling{nd}D")(k, k)]
        return [getattr(L, f"Adaptive{'Max' if is_max else 'Average'}Pooling{nd}D")(out)]
    if kind == "Flatten":
        return [L.Flatten()]
    if kind == "Reshape":  # Keras keeps the batch axis; the Reshape op counts 0 either way
        return [L.Reshape((math.prod(shape[1:]),))]
    if kind in ("Dropout", "Identity"):
        return [L.Dropout(getattr(layer, "p", 0.5)) if kind == "Dropout" else L.Identity()]
    if kind in ("RNN", "GRU", "LSTM"):  # stacked (num_layers), Bidirectional (concat)
        cell = {"RNN": L.SimpleRNN, "GRU": L.GRU, "LSTM": L.LSTM}[kind]
        if getattr(layer, "proj_size", 0):
            raise ValueError(f"no Keras port of {layer!r}: no Keras cell has a projection")
        ports = [cell(layer.hidden_size, use_bias=layer.bias, return_sequences=True,
                      unroll=unroll) for _ in range(getattr(layer, "num_layers", 1))]
        if getattr(layer, "bidirectional", False):
            ports = [L.Bidirectional(p) for p in ports]
        return ports
    raise ValueError(f"no Keras port of {layer!r}")


def keras_shape(shape, kind):
    """nnref's input shape as Keras takes it: channels last for the layers that have channels
    (convolutions, pools, batch norm); a 2-D recurrent input (T, I) gets a batch axis of 1,
    and a 3-D one is read as Keras always reads it, (batch, time, features)."""
    if kind in ("RNN", "GRU", "LSTM"):
        return (1, *shape) if len(shape) == 2 else tuple(shape)
    channels = ("Conv", "Depthwise", "Pointwise", "MaxPool", "AvgPool", "Adaptive", "BatchNorm")
    if len(shape) > 2 and kind.startswith(channels):
        return (shape[0], *shape[2:], shape[1])
    return tuple(shape)


def profile(model, shapes, dtypes=None) -> dict:
    """``{"float_ops": total, "by_op": {op type: float ops}}`` of the model's frozen graph."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2_as_graph,
    )

    specs = [tf.TensorSpec(s, d) for s, d in zip(shapes, dtypes or ["float32"] * len(shapes))]
    fn = tf.function(lambda *xs: model(xs[0] if len(xs) == 1 else list(xs), training=False))
    _, graph_def = convert_variables_to_constants_v2_as_graph(fn.get_concrete_function(*specs))
    builder = tf.compat.v1.profiler.ProfileOptionBuilder
    with tf.Graph().as_default() as graph:
        tf.graph_util.import_graph_def(graph_def, name="")
        info = tf.compat.v1.profiler.profile(
            graph=graph, run_meta=tf.compat.v1.RunMetadata(), cmd="op",
            options=builder(builder.float_operation()).with_empty_output().build())
    by_op, nodes = {}, list(info.children)
    while nodes:
        node = nodes.pop()
        if node.float_ops:
            by_op[node.name] = node.float_ops
        nodes += list(node.children)
    return {"float_ops": int(info.total_float_ops), "by_op": dict(sorted(by_op.items()))}


def sequential(shape, layers):
    import keras

    return keras.Sequential([keras.Input(shape[1:], batch_size=shape[0]), *layers])


def layer_case(spec, shape, unroll=False) -> dict | None:
    """The fixture entry of one layer; None (with a message) for a spec this checkout of
    nnref cannot parse (a layer class from a branch not merged yet)."""
    import keras

    from nnref.layers.spec import parse_layer

    try:
        layer = parse_layer(spec)
    except (TypeError, ValueError) as e:
        print(f"skipped {spec}: {str(e).split(';')[0]}", file=sys.stderr)
        return None
    built = port(layer, shape) or port_more(layer, shape)
    if built is None:  # a Sequential of Keras layers
        try:
            ports = keras_layers(layer, shape, unroll)
        except ValueError as e:
            print(f"skipped {spec}: {str(e).split(';')[0]}", file=sys.stderr)
            return None
        built = [(keras_shape(shape, layer.kind), "float32")], lambda xs: functools.reduce(
            lambda x, p: p(x), ports, xs[0]), " → ".join(type(p).__name__ for p in ports)
    inputs, fn, keras_desc = built
    xs = [keras.Input(batch_shape=s, dtype=d) for s, d in inputs]
    model = keras.Model(xs, fn(xs)) if xs else lambda _, training: fn([])  # no input: held
    shapes, dtypes = [s for s, _ in inputs], [d for _, d in inputs]
    return {"spec": spec, "input_shape": as_lists(shape), "keras": keras_desc,
            "keras_input": as_lists(shapes[0] if len(shapes) == 1 else shapes),
            "unroll": unroll, **profile(model, shapes, dtypes)}


def as_lists(shape):
    return [as_lists(s) if isinstance(s, (tuple, list)) else s for s in shape]


def seed_crnn(t=100, parts=("conv", "relu", "reshape", "gru", "dense", "sigmoid"), unroll=False):
    """The article's Keras model (its Keras code): Conv2D(32, (4, 4), strides=(1, 2)), ReLU,
    Reshape to (T − 3, 32·127), GRU(96, return_sequences=True), Dense(256), sigmoid."""
    import keras

    L = keras.layers
    steps = t - 3
    port = {"conv": L.Conv2D(32, (4, 4), strides=(1, 2)), "relu": L.ReLU(),
            "reshape": L.Reshape((steps, 32 * 127)),
            "gru": L.GRU(96, return_sequences=True, unroll=unroll),
            "dense": L.Dense(256), "sigmoid": L.Activation("sigmoid")}
    shape = (1, t, 256, 1) if "conv" in parts else (1, steps, 32 * 127)
    return sequential(shape, [port[p] for p in parts]), shape


def alexnet():
    """torchvision's AlexNet as a Keras 3 port: ZeroPadding2D + Conv2D, MaxPooling2D(3, 2),
    AveragePooling2D(1) for the 6×6 → 6×6 adaptive pool, Dense layers."""
    import keras

    L = keras.layers
    layers = []
    for cout, k, s, p, pool in ((64, 11, 4, 2, True), (192, 5, 1, 2, True), (384, 3, 1, 1, False),
                                (256, 3, 1, 1, False), (256, 3, 1, 1, True)):
        layers += [L.ZeroPadding2D(p), L.Conv2D(cout, k, s), L.ReLU()]
        layers += [L.MaxPooling2D(3, 2)] if pool else []
    layers += [L.AveragePooling2D(1), L.Flatten(), L.Dropout(0.5), L.Dense(4096), L.ReLU(),
               L.Dropout(0.5), L.Dense(4096), L.ReLU(), L.Dense(1000)]
    return sequential((1, 224, 224, 3), layers), (1, 224, 224, 3)


def model_cases() -> list:
    cases = []
    for name, (model, shape), nnref_shape in (
            ("seed_crnn", seed_crnn(), [1, 1, 100, 256]),
            ("seed_crnn[conv]", seed_crnn(parts=("conv",)), [1, 1, 100, 256]),
            ("alexnet", alexnet(), [1, 3, 224, 224])):
        cases.append({"model": name, "input_shape": nnref_shape, "keras_input": list(shape),
                      **profile(model, [shape])})
    for t in (20, 100, 400):  # the GRU alone at three sequence lengths: TF's figure stays put
        model, shape = seed_crnn(t, parts=("gru",))
        cases.append({"model": "seed_crnn[gru]", "steps": t - 3, "input_shape": list(shape),
                      "keras_input": list(shape), **profile(model, [shape])})
    model, shape = seed_crnn(unroll=True)
    cases.append({"model": "seed_crnn[unroll=True]", "input_shape": [1, 1, 100, 256],
                  "keras_input": list(shape), **profile(model, [shape])})
    return cases


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--print", action="store_true", help="print the fixture, do not write it")
    p.add_argument("--only", metavar="CLASSES", help="comma-separated layer classes: profile "
                   "their cases only, no models (with --print: a partial fixture is never written)")
    args = p.parse_args(argv)
    if args.only and not args.print:
        p.error("--only needs --print (the fixture must cover every layer class)")
    import keras
    import tensorflow as tf

    only = set(args.only.split(",")) if args.only else None
    cases = [(spec, shape, False) for spec, shape in LAYERS + PORTED + MORE]
    cases += [(spec, shape, True) for spec, shape in LAYERS + MORE
              if spec.split("(")[0] in ("RNN", "GRU", "LSTM")]
    layers = [c for c in (layer_case(*case) for case in cases
                          if only is None or case[0].split("(")[0] in only) if c is not None]
    doc = {"tensorflow": tf.__version__, "keras": keras.__version__,
           "method": "tf.function → convert_variables_to_constants_v2_as_graph → "
                     "tf.compat.v1.profiler.profile(cmd='op', float_operation())",
           "layers": layers, "models": model_cases() if only is None else []}
    text = json.dumps(doc, indent=1)
    if args.print:
        print(text)
    else:
        FIXTURE.write_text(text + "\n")
        print(f"wrote {FIXTURE} ({len(doc['layers'])} layers, {len(doc['models'])} models)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
