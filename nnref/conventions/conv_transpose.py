"""Every tool's rule for ConvTranspose1d/2d/3d (torch's ``nn.ConvTranspose{1,2,3}d``).

The exact products are every input element times every tap, N·Cin·∏i × (Co/g)·∏k.
ptflops 0.7.5 (``conv_flops_counter_hook(transpose=True)``), fvcore 0.1.5 and torch's
FlopCounterMode (``conv_flop_count(transposed=True)``) count them so, on input positions;
THOP 0.1.1 still runs ``count_convNd`` on the output, out numel × Cin/g × ∏k, the old
transposed-convolution mistake (several times too many with a stride). TF's
``Conv2DBackpropInput`` divides its output by the strides. nnref's counts:
:func:`nnref.formulas.conv_transpose.conv_transpose`.
"""
from __future__ import annotations

from ._common import has_bias, numel
from ._registry import hook_only, rule

CLASSES = ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")


def products(layer, shape_in) -> int:
    """Every input element times every tap: N·Cin·∏i × (Co/g)·∏k (= N·∏i × numel(weight))."""
    return numel(shape_in) * (layer.out_channels // layer.groups) * numel(layer.kernel_size)


def _bias(layer, shape_out) -> tuple:
    return (numel(shape_out), " + bias 1 per output") if has_bias(layer) else (0, "")


@rule("thop", *CLASSES)
def thop(layer, shape_in, shape_out):
    taps = layer.in_channels // layer.groups * numel(layer.kernel_size)
    return numel(shape_out) * taps, ("count_convNd: out numel × Cin/g × ∏k (output positions, "
                                     "not input); bias ignored")


@rule("ptflops", *CLASSES)
@hook_only
def ptflops(layer, shape_in, shape_out):
    b, why = _bias(layer, shape_out)
    return products(layer, shape_in) + b, f"conv hook (transpose): in numel × Co/g × ∏k{why}"


@rule("ptflops_aten", *CLASSES)
def ptflops_aten(layer, shape_in, shape_out):
    b, why = _bias(layer, shape_out)
    return products(layer, shape_in) + b, ("aten.convolution (transposed): N·∏i × numel(weight)"
                                           + why)


@rule("fvcore", *CLASSES)
def fvcore(layer, shape_in, shape_out):
    return products(layer, shape_in), ("aten::_convolution (transposed): N·∏i × numel(weight); "
                                       "bias ignored")


@rule("torch", *CLASSES)
def torch(layer, shape_in, shape_out):
    return 2 * products(layer, shape_in), ("aten.convolution (transposed): 2 × N·∏i × "
                                           "numel(weight); bias ignored")


def _uncropped(layer, shape_in) -> list:
    """Keras' ``padding="valid"`` output size per axis, before the Cropping of torch's padding:
    (i − 1)·s + d·(k − 1) + 1 + output_padding."""
    return [(i - 1) * s + d * (k - 1) + 1 + q for i, k, s, d, q in
            zip(shape_in[2:], layer.kernel_size, layer.stride, layer.dilation,
                layer.output_padding)]


@rule("tf", *CLASSES)
def tf(layer, shape_in, shape_out):
    """Keras' Conv{1,2,3}DTranspose (padding "valid", then a Cropping layer for torch's
    padding; one op per group), measured with TF 2.21 (tests/data/tf_profiler.json):
    Conv2DBackpropInput counts 2 × its (uncropped) out numel × kernel numel / (out depth ×
    ∏strides) (``flops_registry.py``); Conv3DBackpropInputV2 is not registered; the BiasAdd
    runs before the Cropping, 1 per uncropped output: N·Co·∏(uncropped size), not out numel."""
    full = _uncropped(layer, shape_in)
    n, g = int(shape_in[0]), layer.groups
    b, why = ((n * layer.out_channels * numel(full), " + BiasAdd N·Co·∏(uncropped size)")
              if has_bias(layer) else (0, ""))
    if layer.kind == "ConvTranspose3d":
        return b, f"Conv3DBackpropInputV2: not registered, 0{why}"
    per_group = (2 * n * numel(full) * numel(layer.kernel_size)
                 * (layer.in_channels // g) * (layer.out_channels // g))
    return g * (per_group // numel(layer.stride)) + b, (
        f"Conv2DBackpropInput: 2 × uncropped out numel × ∏k × Cin/g / ∏s{why}")
