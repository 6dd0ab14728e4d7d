"""Counting: OpCounts, closed-form formulas, other tools' conventions, reports."""
from .opcounts import KINDS, OpCounts, format_flops, format_si

__all__ = ["KINDS", "OpCounts", "format_flops", "format_si"]
