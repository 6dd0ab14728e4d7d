"""nnref: neural-network layers in NumPy + numba that count every operation they execute."""
from .counting.opcounts import KINDS, OpCounts, format_flops, format_si

__version__ = "0.1.0"
