"""The reference article's puzzle, explained: why five tools give five numbers for its CRNN.

    python examples/seed_crnn_explained.py

The article's network (Conv2D 1→32, 4×4, stride (1, 2); ReLU; reshape; GRU 4064→96;
Dense 96→256; sigmoid) on a 1×1×100×256 input. The script prints nnref's exact count
beside THOP, ptflops, fvcore, torch's FlopCounterMode and the TensorFlow profiler, layer
by layer, then explains each disagreement with the numbers. The tools' figures are
nnref's reproductions (nnref.conventions), checked against the real tools in the tests
(TF's against numbers its profiler printed, tests/data/tf_profiler.json).
"""
import textwrap

import numpy as np
from tabulate import tabulate

from nnref.conventions import compare_layers
from nnref.conventions.recurrent import tf_unrolled
from nnref.formulas import for_layer
from nnref.layers import GRU
from nnref.models import zoo

TOOLS = ("thop", "ptflops", "fvcore", "torch", "tf")


def one(layer, shape):
    return [("gru", layer, shape, layer.output_shape(shape))]


def main():
    model = zoo.build("seed_crnn")
    plan = model.plan(zoo.input_shape("seed_crnn"))
    rec = compare_layers(plan, title="seed_crnn")
    rows = [[r.name, r.type, f"{r.exact.mul:,}", f"{r.exact.flops:,}",
             *(f"{r.tools[t]:,}" for t in TOOLS)] for r in rec.layers]
    rows.append(["total", "", f"{rec.exact.mul:,}", f"{rec.exact.flops:,}",
                 *(f"{rec.totals[t]:,}" for t in TOOLS)])
    print("seed_crnn, input 1x1x100x256: nnref's exact count beside five tools\n")
    print(tabulate(rows, headers=["layer", "type", "nnref mul", "nnref ops", "THOP MACs",
                                  "ptflops MACs", "fvcore", "torch FLOPs", "TF FLOPs"],
                   colalign=("left", "left", *["right"] * 7)))
    by = {r.name: r for r in rec.layers}
    gru, conv, relu, dense = by["gru"], by["conv"], by["relu"], by["dense"]
    t = {tool: {name: r.tools[tool] for name, r in by.items()} for tool in TOOLS}

    print("\nWhy the numbers differ, in plain words.")
    i, h = 32 * 127, 96  # the GRU's input and hidden sizes; TF's step 0, and its loop body:
    first, body = 6 * h * (i + h) + 6 * h + 8 * h, 6 * h * i + 3 * h
    say(1, f"TensorFlow counts the GRU's loop body once. Keras runs a GRU as a tf.while_loop; "
           f"the profiler reads the graph, where the loop body appears once, and skips every op "
           f"whose shape is not known statically, as the recurrent state's is not. It counts the "
           f"cell in full once, on the first step (Keras runs it to learn the output's shape: "
           f"{first:,}), and the body's input projection once ({body:,}): {t['tf']['gru']:,} "
           f"FLOPs for a GRU that executes {gru.exact.flops:,} operations. Its whole-model "
           f"figure, {rec.totals['tf']:,}, is {rec.totals['tf'] / rec.exact.flops:.1%} of "
           f"nnref's exact {rec.exact.flops:,}. With unroll=True every step is in the graph: "
           f"{tf_unrolled(gru_layer(plan), gru.input_shape):,}.")
    say(2, f"fvcore has no GRU rule. It traces aten::gru, finds no handle and counts 0 (it warns "
           f"of an unsupported operator), so its {rec.totals['fvcore']:,} is the convolution "
           f"({t['fvcore']['conv']:,}) and the dense layer ({t['fvcore']['dense']:,}) alone; "
           f"nnref's GRU does {gru.exact.mul:,} multiplications.")
    say(3, f"THOP and ptflops differ on the bias and the activations. Both count the GRU alike "
           f"({t['thop']['gru']:,} MACs each), but ptflops adds the bias as one MAC per output "
           f"(conv {t['ptflops']['conv'] - t['thop']['conv']:+,}, dense "
           f"{t['ptflops']['dense'] - t['thop']['dense']:+,}) and counts the ReLU's "
           f"{relu.exact.cmp:,} elements twice, by its module hook and by its patched F.relu "
           f"({t['ptflops']['relu']:,}), where THOP counts ReLU as 0: together "
           f"{rec.totals['ptflops'] - rec.totals['thop']:+,} MACs. Neither counts the sigmoid. "
           f"torch's FlopCounterMode counts 2 per multiply-accumulate of the convolution and "
           f"of the matrix products, nothing else: {rec.totals['torch']:,} FLOPs.")
    steps_into_batch(model, gru)
    tf_does_not_change_with_t()


def gru_layer(plan):
    return next(s.layer for s in plan if s.name == "gru")


def steps_into_batch(model, gru):
    """The article's PyTorch code reads its (1, 97, 4064) tensor as 1 step of a batch of 97."""
    layer = model.state_dict()  # the GRU's weights, to run both readings
    seq = GRU(4064, 96, batch_first=True)
    for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
        setattr(seq, name, layer[f"gru.{name}"])
    x = np.random.default_rng(0).standard_normal((1, 97, 4064)).astype(np.float32)
    y_batch, ops_batch = gru_layer(model.plan((1, 1, 100, 256)))(x)
    y_seq, ops_seq = seq(x)
    same = "the same" if ops_seq == ops_batch else "different"
    say(4, f"The article's PyTorch code turns its steps into batch. It reshapes the "
           f"convolution's output to (1, 97, 4064) and calls nn.GRU with the default "
           f"batch_first=False, so the GRU reads 1 time step of a batch of 97: 97 sequences of "
           f"one step, each from h0 = 0, where Keras (always batch-first) reads 97 steps of one "
           f"sequence. Every count is per step and per row, times T·B = 97 either way, so nnref "
           f"counts {same} {ops_batch.flops:,} operations for both readings, but the outputs "
           f"differ (by up to {float(np.max(np.abs(y_batch - y_seq))):.3f}): only the "
           f"batch-first reading carries the hidden state from step to step. TF's figure does "
           f"depend on the reading, as it multiplies by the batch: read as a batch of 97, the "
           f"Keras GRU would be {_tf(GRU(4064, 96), (97, 1, 4064)):,} FLOPs instead of "
           f"{_tf(GRU(4064, 96), gru.input_shape):,}.")


def say(n, text):
    print("\n" + textwrap.fill(f"{n}. {text}", 92, subsequent_indent="   "))


def _tf(layer, shape):
    return compare_layers(one(layer, shape), tools=["tf"]).totals["tf"]


def tf_does_not_change_with_t():
    rows = []
    for steps in (10, 97, 400):
        layer, shape = GRU(4064, 96), (1, steps, 4064)
        rows.append([steps, f"{for_layer(layer, shape).flops:,}", f"{_tf(layer, shape):,}",
                     f"{tf_unrolled(layer, shape):,}"])
    print("\nThe TF figure for the GRU does not change with the number of steps T (batch 1):\n")
    print(tabulate(rows, headers=["T", "nnref (exact)", "TF profiler", "TF, unroll=True"],
                   colalign=("right", "right", "right", "right")))


if __name__ == "__main__":
    main()
