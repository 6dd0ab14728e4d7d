"""The shared core, at the bottom of nnref: it imports nothing else of nnref.

* :mod:`.opcounts`: :class:`OpCounts`, the exact counts by kind (Python ints);
* :mod:`.validate`: argument and input checks whose messages name the parameter;
* :mod:`.shapes`: every output-size rule (convolution, pooling, adaptive windows);
* :mod:`.registry`: :class:`Registry`, the decorator-filled tables of the other parts;
* :mod:`.report`: :class:`LayerRecord` and :class:`Report`, the records of a model run.
"""
from .opcounts import KINDS, OpCounts, format_flops, format_si
from .registry import Registry

__all__ = ["KINDS", "OpCounts", "Registry", "format_flops", "format_si"]
