"""OpCounts: an immutable record of exact operation counts by kind."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The kinds of operation nnref counts, in the column order of kernel counter rows. A
#: special function is a kind only when no layer writes it out in these: tanh is
#: 1 − 2/(exp(2x) + 1) everywhere, but erf (GELU) and log (LogSoftmax, Softplus, Mish) are
#: kinds. New kinds go at the end; JSON written before a kind existed reads it as 0.
KINDS = ("add", "sub", "mul", "div", "neg", "exp", "sqrt", "cmp", "erf", "log")

#: SI prefixes of 10^3, 10^6, ..., 10^24.
_SI = ("k", "M", "G", "T", "P", "E", "Z", "Y")


@dataclass(frozen=True)
class OpCounts:
    """Exact counts of executed operations; every field is a Python int."""

    add: int = 0
    sub: int = 0
    mul: int = 0
    div: int = 0
    neg: int = 0
    exp: int = 0
    sqrt: int = 0
    cmp: int = 0
    erf: int = 0
    log: int = 0

    def __post_init__(self):
        for name in KINDS:
            v = getattr(self, name)
            if type(v) is int and v >= 0:  # the common case, already what is stored
                continue
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"OpCounts.{name}={v!r} is invalid; expected an int")
            if v < 0:
                raise ValueError(f"OpCounts.{name}={v!r} is invalid; expected a count >= 0")
            object.__setattr__(self, name, int(v))

    @classmethod
    def from_rows(cls, rows) -> "OpCounts":
        """Sum kernel counter rows of shape (tasks, len(KINDS)) into exact Python ints."""
        rows = np.asarray(rows)
        if rows.dtype.kind not in "iu":
            raise TypeError(f"rows has dtype {rows.dtype}; expected integer counts")
        if rows.ndim == 2 and rows.shape[1] < len(KINDS):  # a kernel compiled before a new kind
            raise ValueError(f"rows has shape {rows.shape}; expected (tasks, {len(KINDS)}), one "
                             "column per kind: the kernel comes from a numba cache written "
                             "before the kinds changed; delete the cache (*.nbi and *.nbc files "
                             "in nnref/kernels/__pycache__ or NUMBA_CACHE_DIR) and run again")
        if rows.ndim != 2 or rows.shape[1] != len(KINDS):
            raise ValueError(f"rows has shape {rows.shape}; expected (tasks, {len(KINDS)})")
        if not rows.shape[0]:
            return cls()
        rows = rows.astype(np.uint64 if rows.dtype.kind == "u" else np.int64, copy=False)
        # Seen as unsigned, a negative count is huge, so the largest value bounds them all.
        most = int(rows.view(np.uint64).max())
        if most * rows.shape[0] < 2**62:  # no sum can overflow int64: exact as it is
            # (summing along the rows is faster for a few; contiguous columns, for many)
            totals = (rows.sum(axis=0) if rows.shape[0] <= 64 else
                      np.ascontiguousarray(rows.T).sum(axis=1)).tolist()
        else:  # each count is hi·2³² + lo with lo < 2³², and sums of fewer than 2³¹ halves
            lo = (rows & 0xFFFFFFFF).sum(axis=0).tolist()  # fit in 64 bits
            hi = (rows >> 32).sum(axis=0).tolist()
            totals = [(h << 32) + v for h, v in zip(hi, lo)]
        if min(totals) < 0:
            return cls(*totals)  # the constructor's error names the negative count
        ops = object.__new__(cls)  # Python ints >= 0: nothing left to check
        ops.__dict__.update(zip(KINDS, totals))
        return ops

    @classmethod
    def from_dict(cls, counts, owner: str = "OpCounts.from_dict") -> "OpCounts":
        """The counts of a dict by kind, as :meth:`as_dict` writes it (JSON reports).

        A kind that is missing is read as 0, so a report written before the kind existed
        stays valid. A ``"flops"`` entry is optional; when present it must equal the sum
        of the kinds. Any other key, or a count that is not an int >= 0, is an error
        naming it.
        """
        if not isinstance(counts, dict):
            raise TypeError(f"{owner}: counts={counts!r} is invalid; expected a dict of counts "
                            f"by kind ({', '.join(KINDS)}, flops)")
        unknown = sorted(set(counts) - set(KINDS) - {"flops"}, key=str)
        if unknown:
            raise ValueError(f"{owner}: counts has unknown key {unknown[0]!r}; expected kinds "
                             f"among {', '.join(KINDS)} and flops")
        for key, v in counts.items():
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"{owner}: counts[{key!r}]={v!r} is invalid; expected an int >= 0")
            if v < 0:
                raise ValueError(f"{owner}: counts[{key!r}]={v!r} is invalid; expected an int >= 0")
        ops = cls(**{k: counts.get(k, 0) for k in KINDS})
        if "flops" in counts and counts["flops"] != ops.flops:
            raise ValueError(f"{owner}: counts['flops']={counts['flops']!r} is not the sum of the "
                             f"kinds ({ops.flops}); expected them to agree")
        return ops

    @property
    def flops(self) -> int:
        """The total number of operations of every kind."""
        return sum(self.as_tuple())

    def as_tuple(self) -> tuple:
        return tuple(getattr(self, k) for k in KINDS)

    def as_dict(self, flops: bool = False) -> dict:
        """The counts by kind; with ``flops=True`` the total is added under "flops"."""
        d = {k: getattr(self, k) for k in KINDS}
        if flops:
            d["flops"] = self.flops
        return d

    def __add__(self, other):
        if not isinstance(other, OpCounts):
            return NotImplemented
        return OpCounts(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def __mul__(self, n):
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
            return NotImplemented
        if n < 0:
            raise ValueError(f"n={n!r} is invalid; expected a multiplier >= 0")
        return OpCounts(*(a * int(n) for a in self.as_tuple()))

    __rmul__ = __mul__

    def __radd__(self, other):
        """Lets ``sum(list_of_counts)`` start from the int 0."""
        if isinstance(other, int) and other == 0:
            return self
        return NotImplemented

    def __str__(self):
        parts = ", ".join(f"{k}={v:,}" for k, v in self.as_dict().items() if v)
        return f"OpCounts({parts or 'none'}; {format_flops(self.flops)})"


def format_si(n: int, unit: str = "", digits: int = 3) -> str:
    """Format ``n`` with an SI prefix from k to Y, e.g. ``format_si(1_430_000_000, 'FLOPs')``.

    ``n`` is rounded (half up) to ``digits`` significant digits, in exact integer
    arithmetic, so ``999_999_999`` is ``"1 G"`` and counts beyond 10^24 keep their digits.
    Numbers below 1000 are printed exactly.
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n={n!r} is invalid; expected an int")
    if not isinstance(unit, str):
        raise TypeError(f"unit={unit!r} is invalid; expected a str")
    if isinstance(digits, (bool, np.bool_)) or not isinstance(digits, (int, np.integer)):
        raise TypeError(f"digits={digits!r} is invalid; expected an int >= 1")
    if digits < 1:
        raise ValueError(f"digits={digits!r} is invalid; expected an int >= 1")
    sign = "-" if n < 0 else ""
    n = abs(int(n))
    if n < 1000:
        return f"{sign}{n}{' ' if unit else ''}{unit}"
    drop = 10 ** max(len(str(n)) - digits, 0)
    n = (n + drop // 2) // drop * drop
    power = min((len(str(n)) - 1) // 3, len(_SI))
    whole, frac = divmod(n, 10 ** (3 * power))
    text = str(whole) + (f".{frac:0{3 * power}d}".rstrip("0") if frac else "")
    return f"{sign}{text} {_SI[power - 1]}{unit}"


def format_flops(n: int) -> str:
    """FLOPs as a count of operations (not FLOPS, a rate): ``'1.43 GFLOPs'``."""
    return format_si(n, "FLOPs")
