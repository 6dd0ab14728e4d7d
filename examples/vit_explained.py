"""ViT-B/16: nnref's exact count beside THOP, ptflops, fvcore, FlopCounterMode and TF, and
what each tool misses, with the numbers; then a causal GPT-2 block, dense and skip.

    python examples/vit_explained.py

The ViT is torchvision's structure, written by hand (nnref.bridges.torch.zoo.vit) and
converted with ``nnref.from_torch``; every number below comes from nnref's reproduction
of each tool's rules (checked against the real tools in the test suite) and from nnref's
own closed forms, which equal its counted kernels.
"""
from collections import defaultdict

from tabulate import tabulate

import nnref
from nnref.bridges import zoo
from nnref.conventions import compare_layers
from nnref.formulas.attention import attention

TOOLS = {"thop": "THOP 0.1.1 (MACs)", "ptflops": "ptflops 0.7.5 (MACs)",
         "fvcore": "fvcore (MACs)", "torch": "torch FlopCounterMode (FLOPs)",
         "tf": "TF 2.21 profiler (FLOPs, a Keras port)"}


def g(n) -> str:
    return f"{n / 1e9:,.2f} G"


def products(plan) -> dict:
    """The multiply-accumulates of every product, by where they are (nnref's exact counts)."""
    parts = defaultdict(int)
    for step in plan:
        layer, counts = step.layer, nnref.formulas.for_layer(step.layer, step.input_shape)
        if layer.kind == "MultiheadAttention":
            _, n, L, S = layer.geometry(step.input_shape)
            d = layer.head_dim
            core = attention(n * layer.num_heads, L, S, d, d)
            matmuls = n * layer.num_heads * L * S * 2 * d  # QKᵀ and A·V: E + Ev per score
            parts["attention: q, k, v and out projections"] += counts.mul - core.mul
            parts["attention: QKᵀ and A·V"] += matmuls
            parts["attention: scale of the scores (mul 1 each)"] += core.mul - matmuls
        elif layer.kind in ("Linear", "Conv2d"):
            parts["patch embedding (Conv2d)" if layer.kind == "Conv2d" else
                  "MLPs and head (Linear)"] += counts.mul
        elif counts.mul:
            parts[f"{layer.kind} (its own muls)"] += counts.mul
    return dict(parts)


def main():
    model = zoo.build("vit_b_16")
    shape = zoo.input_shape("vit_b_16")
    plan = model.plan(shape)
    rec = compare_layers(plan, title="vit_b_16")
    exact = rec.exact
    parts = products(plan)
    macs = sum(v for k, v in parts.items() if "(its own muls)" not in k and "scale" not in k)
    print("ViT-B/16 at 224x224, batch 1: nnref's exact count, from every operation executed\n")
    print(tabulate([[k, f"{v:,}"] for k, v in parts.items()], headers=["multiplies", "count"],
                   colalign=("left", "right")))
    print(f"\nmultiply-accumulates of the products: {macs:,} ({g(macs)} MACs)")
    print(f"every multiply: {exact.mul:,}; every operation: {exact.flops:,} ({g(exact.flops)})")
    print(f"  of which softmax exp {exact.exp:,}, GELU erf {exact.erf:,}, LayerNorm sqrt "
          f"{exact.sqrt:,}\n")

    by_type = {t: defaultdict(int) for t in TOOLS}
    for r in rec.layers:
        for t in TOOLS:
            by_type[t][r.type] += r.tools[t]
    rows = []
    for t, label in TOOLS.items():
        unit = rec.counts[t].unit
        # MACs against the products' MACs; FLOPs at 2 per MAC; TF against every operation
        want = exact.flops if t == "tf" else (2 * macs if unit == "FLOPs" else macs)
        rows.append([label, f"{rec.totals[t]:,}", f"{rec.totals[t] - want:+,}",
                     f"{by_type[t]['MultiheadAttention']:,}"])
    print(tabulate(rows, headers=["tool", "says", "vs exact (products; TF: all ops)",
                                  "of it, attention"],
                   colalign=("left", "right", "right", "right")))
    print(f"""
Why they differ:
* THOP counts 0 for nn.MultiheadAttention: it looks hooks up by exact type, has no rule
  for MultiheadAttention, and its out_proj is a NonDynamicallyQuantizableLinear, not an
  nn.Linear. What it misses is every attention product, {g(parts['attention: q, k, v and out projections'] + parts['attention: QKᵀ and A·V'])} MACs:
  the projections ({g(parts['attention: q, k, v and out projections'])}) and QKᵀ, A·V ({g(parts['attention: QKᵀ and A·V'])}).
  Its LayerNorm rule adds {by_type['thop']['LayerNorm']:,} and it has no GELU rule.
* FlopCounterMode counts 0 for attention as well: under no_grad in eval mode
  MultiheadAttention takes the fused fast path (aten._native_multi_head_attention), which
  has no flop formula, and the CPU attention kernel it calls is not counted either. Its
  {rec.totals['torch']:,} FLOPs are 2 per MAC of the Linear and Conv2d layers only.
* fvcore traces the same fast path and lists it as unsupported: {rec.totals['fvcore']:,},
  attention {by_type['fvcore']['MultiheadAttention']:,}; it has no rule for
  scaled_dot_product_attention either.
* ptflops has a MultiheadAttention hook: {rec.totals['ptflops']:,}, the projections and
  both products, plus one MAC per bias element and per softmax input, with no rule for
  GELU: {rec.totals['ptflops'] - macs:+,} against the exact products ({g(rec.totals['ptflops'])},
  its README's figure, "wrong" by its own note).
* The TF profiler, on a Keras port, counts BatchMatMulV2 and the elementwise ops it
  registers statistics for: {rec.totals['tf']:,} FLOPs against nnref's {exact.flops:,}.
Tools that miss only the attention matmuls land at {g(macs - parts['attention: QKᵀ and A·V'])};
those that miss all of MultiheadAttention at {g(macs - parts['attention: q, k, v and out projections'] - parts['attention: QKᵀ and A·V'])}.
""")
    for s in rec.sources:
        print(f"- {s.text}")

    print("\nA causal GPT-2 small block at 1024 tokens (F.scaled_dot_product_attention, "
          "is_causal=True):")
    modes = nnref.count_mask_modes(zoo.build("gpt2_small_block"),
                                   zoo.input_shape("gpt2_small_block"))
    dense, skip = modes.dense.total, modes.skip.total
    print(f"  dense (every score computed, then masked): {dense.flops:,} operations")
    print(f"  skip (only the kept scores, as flash kernels do): {skip.flops:,} operations")
    print(f"  skipping saves {dense.flops - skip.flops:,} "
          f"({100 * (dense.flops - skip.flops) / dense.flops:.1f}% of the block)")


if __name__ == "__main__":
    main()
