"""torch's padding arguments on the convolutions: padding="same"/"valid" and padding_mode
zeros/reflect/replicate/circular, against torch's own modules; their padding is data
movement, so every mode counts as zero padding with dense taps."""
import numpy as np
import pytest
from conftest import assert_close_torch, rand, to_torch, torch

from nnref import formulas
from nnref.layers.conv import Conv1d, Conv2d, Conv3d
from nnref.layers.depthwise import DepthwiseConv2d
from nnref.reference import reference

MODES = ["zeros", "reflect", "replicate", "circular"]
#: torch warns that its own asymmetric "same" padding copies the input
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


def torch_twin(layer):
    """torch's own nn.Conv*d with the nnref layer's arguments and weights (float64)."""
    nd = len(layer.kernel_size)
    padding = layer.padding_string or layer.padding
    module = getattr(torch.nn, f"Conv{nd}d")(
        layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride, padding,
        layer.dilation, layer.groups, layer.bias is not None, layer.padding_mode).double()
    with torch.no_grad():
        module.weight.copy_(to_torch(layer.weight.astype(np.float64)))
        if layer.bias is not None:
            module.bias.copy_(to_torch(layer.bias.astype(np.float64)))
    return module


def check(layer, shape):
    """Output = torch's, and kernel = traced = formula = the zeros-padding dense count."""
    x = rand(shape)
    y, ops = layer(x)
    with torch.no_grad():
        assert_close_torch(y, torch_twin(layer)(to_torch(x)))
    y_t, ops_t = reference(layer, x)
    assert ops == ops_t == formulas.for_layer(layer, shape)
    np.testing.assert_allclose(y_t, y, rtol=1e-10)
    return y, ops


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("algorithm", ["im2col", "naive"])
def test_padding_modes_match_torch_and_count_as_zero_padding(mode, algorithm):
    layer = Conv2d(2, 3, (3, 2), padding=(2, 1), padding_mode=mode, algorithm=algorithm, rng=0)
    _, ops = check(layer, (2, 2, 4, 5))
    dense_zeros = Conv2d(2, 3, (3, 2), padding=(2, 1), rng=0)(rand((2, 2, 4, 5)))[1]
    assert ops == dense_zeros  # the padding holds other values, the arithmetic is the same


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cls,kernel,dilation,shape", [
    (Conv1d, 4, 1, (1, 2, 7)),  # even kernel: one more padding at the end
    (Conv2d, (3, 2), (2, 3), (1, 2, 6, 7)),  # odd d·(k − 1) on the second axis only
    (Conv3d, 2, 1, (1, 2, 3, 4, 3)),
])
def test_same_keeps_the_size_with_torch_asymmetric_padding(mode, cls, kernel, dilation, shape):
    layer = cls(2, 3, kernel, padding="same", dilation=dilation, padding_mode=mode, rng=0)
    y, _ = check(layer, shape)
    assert y.shape[2:] == shape[2:]


def test_same_symmetric_with_skip_and_valid():
    layer = Conv2d(2, 3, 3, padding="same", algorithm="naive", padding_taps="skip", rng=0)
    _, ops = check(layer, (1, 2, 4, 4))
    # 3×3 windows on a 4×4 input padded by 1: the in-bound taps of each axis are 2, 3, 3, 2
    assert ops.mul == 3 * 2 * (2 + 3 + 3 + 2) ** 2
    layer = Conv2d(2, 3, 3, padding="valid", rng=0)
    assert layer.padding == (0, 0) and check(layer, (1, 2, 5, 5))[0].shape == (1, 3, 3, 3)
    assert "padding='same'" in repr(Conv2d(1, 1, 2, padding="same"))


@pytest.mark.parametrize("mode", ["zeros", "reflect"])
def test_depthwise_takes_torch_padding_too(mode):
    check(DepthwiseConv2d(2, (2, 3), 2, padding="same", padding_mode=mode, rng=0), (1, 2, 4, 5))


def test_bad_padding_arguments_are_named():
    with pytest.raises(ValueError, match="padding='same' is invalid with stride=\\(2, 2\\)"):
        Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_taps='skip' is invalid with padding_mode="
                                         "'circular'"):
        Conv1d(1, 1, 3, padding_mode="circular", algorithm="naive", padding_taps="skip")
    with pytest.raises(ValueError, match="padding_taps='skip' is invalid with padding='same'"):
        Conv1d(1, 1, 2, padding="same", algorithm="naive", padding_taps="skip")
    with pytest.raises(ValueError, match="padding='full' is invalid"):
        DepthwiseConv2d(1, 3, padding="full")
    # torch's limits: reflect padding below the input size, circular at most it
    with pytest.raises(ValueError, match=r"padding=\(2,\).*'reflect'.*\(1, 1, 2\).*below"):
        Conv1d(1, 1, 3, padding=2, padding_mode="reflect").output_shape((1, 1, 2))
    assert Conv1d(1, 1, 3, padding=2, padding_mode="circular").output_shape((1, 1, 2)) == (1, 1, 4)
    with pytest.raises(ValueError, match="at most"):
        Conv1d(1, 1, 3, padding=3, padding_mode="circular").output_shape((1, 1, 2))
