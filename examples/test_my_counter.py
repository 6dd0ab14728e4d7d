"""Testing a FLOP counter against nnref: the suite a counter's maintainer would write.

``toy_flops`` below is a small analytic counter for torch modules, the kind every FLOP
tool contains. Its tests draw random layers with hypothesis (``nnref.testing.strategies``
yields each nnref layer with its torch twin), count the twin with the toy counter and
ask nnref's oracle, the ``nnref_oracle`` fixture that installing nnref registers with
pytest, whether the count is exact::

    pytest examples/test_my_counter.py                          # passes; one case skipped
    NNREF_SHOW_FAILURE=1 pytest examples/test_my_counter.py     # ... and fails on purpose

The skipped case is a deliberately wrong formula, the seed derivation's (2·Cin·K² − 1)
per output, applied to convolutions that have a bias. With NNREF_SHOW_FAILURE=1 it runs
and fails with nnref's diff table, whose last column says "bias not counted".
"""
import math
import os

import pytest
import torch
from hypothesis import Phase, given, settings

from nnref import BatchNorm2d, Conv2d, Flatten, Linear, ReLU6
from nnref.models import Sequential
from nnref.testing import strategies as nst
from nnref.testing import torch_twin

nn = torch.nn
SWEEP = settings(max_examples=25, deadline=None,  # no "explain" phase: nnref's table says why
                 phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink))
DENSE_PADDING = [("im2col", "dense")]  # the toy counter multiplies padding zeros too


# -- the counter under test ----------------------------------------------------------------
def toy_flops(module: nn.Module, input_shape) -> int:
    """Every operation of a forward pass: mul, add, compare, divide, ... (nnref's rules)."""
    x = torch.zeros(input_shape)
    total = 0
    for layer in (module if isinstance(module, nn.Sequential) else [module]):
        y = layer(x)
        total += _flops(layer, x, y)
        x = y
    return total


def _flops(m, x, y) -> int:
    if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
        k = m.in_channels // m.groups * math.prod(m.kernel_size)
        return y.numel() * (2 * k - 1 + (m.bias is not None))  # k mul, k − 1 add, + bias
    if isinstance(m, nn.Linear):
        return y.numel() * (2 * m.in_features - 1 + (m.bias is not None))
    if isinstance(m, (nn.ReLU, nn.ReLU6)):
        return x.numel() * (1 if isinstance(m, nn.ReLU) else 2)  # max(x, 0): 1 compare
    if isinstance(m, nn.BatchNorm2d):  # scale and shift once per channel, then x·s + t
        return 2 * x.numel() + 5 * m.num_features
    if isinstance(m, (nn.Flatten, nn.Dropout, nn.Identity)):
        return 0
    raise NotImplementedError(f"toy_flops has no rule for {type(m).__name__}")


def seed_flops(conv: nn.Conv2d, input_shape) -> int:
    """The seed derivation's (2·Cin·K² − 1)·Ho·Wo·Co: right without a bias, wrong with one."""
    y = conv(torch.zeros(input_shape))
    return y.numel() * (2 * conv.in_channels // conv.groups * math.prod(conv.kernel_size) - 1)


# -- the tests ------------------------------------------------------------------------------
@SWEEP
@given(sample=nst.conv2d(modes=DENSE_PADDING))
def test_conv2d(nnref_oracle, sample):
    layer, shape, twin = sample
    nnref_oracle.assert_counts(toy_flops(twin, shape), layer, shape)


@SWEEP
@given(sample=nst.conv1d(modes=DENSE_PADDING))
def test_conv1d(nnref_oracle, sample):
    layer, shape, twin = sample
    nnref_oracle.assert_counts(toy_flops(twin, shape), layer, shape)


@SWEEP
@given(sample=nst.linear())
def test_linear(nnref_oracle, sample):
    layer, shape, twin = sample
    nnref_oracle.assert_counts(toy_flops(twin, shape), layer, shape)


@SWEEP
@given(sample=nst.relu())
def test_relu(nnref_oracle, sample):
    layer, shape, twin = sample
    nnref_oracle.assert_counts(toy_flops(twin, shape), layer, shape)


def test_a_small_network(nnref_oracle):
    """conv → batch norm → ReLU6 → flatten → linear, as nnref layers and their torch twins."""
    layers = [Conv2d(3, 8, 3, stride=2, padding=1), BatchNorm2d(8), ReLU6(), Flatten(),
              Linear(8 * 4 * 4, 10)]
    model, shape = Sequential(*layers), (2, 3, 8, 8)
    twin = nn.Sequential(*(torch_twin(layer) for layer in layers))
    nnref_oracle.assert_counts(toy_flops(twin, shape), model, shape)


def test_the_products_are_what_thop_calls_macs(nnref_oracle):
    """THOP counts one MAC per product and ignores the bias: 16·32·32 outputs × 27 taps."""
    nnref_oracle.assert_counts(16 * 32 * 32 * 27, Conv2d(3, 16, 3, padding=1), (1, 3, 32, 32),
                               "thop")


@pytest.mark.skipif(os.environ.get("NNREF_SHOW_FAILURE") != "1",
                    reason="deliberately wrong formula: NNREF_SHOW_FAILURE=1 shows its failure")
@SWEEP
@given(sample=nst.conv2d(modes=DENSE_PADDING))
def test_the_seed_formula_is_wrong_with_a_bias(nnref_oracle, sample):
    layer, shape, twin = sample
    nnref_oracle.assert_counts(seed_flops(twin, shape), layer, shape)
