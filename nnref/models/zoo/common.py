"""What every zoo builder shares: one seeded generator and the convolution settings."""
from __future__ import annotations

from ...core.validate import make_rng
from ...layers.conv import Conv2d
from ...layers.dense import Linear
from ...layers.norm import BatchNorm2d


class Builder:
    """Makes layers that draw their initial weights, in order, from one seeded generator.

    Parameters
    ----------
    seed : None, int or numpy Generator
    padding_taps, algorithm : str
        Passed to every :class:`~nnref.layers.conv.Conv2d` (which validates them).
    """

    def __init__(self, seed=0, padding_taps="dense", algorithm="im2col"):
        self.rng = make_rng(seed, "seed")
        self.padding_taps, self.algorithm = padding_taps, algorithm

    def conv(self, cin, cout, kernel_size, stride=1, padding=0, groups=1, bias=True):
        return Conv2d(cin, cout, kernel_size, stride, padding, groups=groups, bias=bias,
                      algorithm=self.algorithm, padding_taps=self.padding_taps, rng=self.rng)

    def linear(self, cin, cout):
        return Linear(cin, cout, rng=self.rng)

    def bn(self, channels):
        return BatchNorm2d(channels)
