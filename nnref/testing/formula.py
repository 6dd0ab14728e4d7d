"""Check a cost formula of your own against the operations the kernels execute.

    >>> from nnref.testing import check_formula
    >>> r = check_formula("Conv2d", "(2*Cin*K**2 - 1)*Ho*Wo*Co", sweep=50)
    >>> print(r.summary)       # fails only with bias=1, off by Ho·Wo·Co: the bias add?
    >>> check_formula("Conv2d", "2*Cin*K**2*Ho*Wo*Co", fix={"bias": 1}).exact
    True

The formula is an expression over the layer's named quantities (:data:`NAMES`, e.g.
Cin, Co, K, Kh, Kw, Ho, Wo, N, groups, stride, padding, dilation, bias as 0/1; I and O
for Linear), parsed with :mod:`ast` and a whitelist, never evaluated as Python
(:class:`~nnref.testing._expr.Formula`). nnref draws ``sweep`` valid configurations
from a seeded generator, runs the numba kernel on each, and compares the executed
count (all kinds, or one ``kind``) with the formula's exact value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from ..core.opcounts import KINDS
from ..core.validate import check_int, check_str
from . import _sweep
from ._expr import Formula, as_text
from ._hints import hints

__all__ = ["SEED_FORMS", "Formula", "FormulaCheck", "Row", "check_formula", "formula_for_page",
           "formula_names", "seed_form"]

COUNT_KINDS = ("total",) + KINDS
MAX_SWEEP = 10_000
#: What may be fixed with ``fix=`` (the derived output sizes may not).
FIXABLE = ("N", "Cin", "C", "Cout", "Co", "groups", "multiplier", "K", "Kh", "Kw", "H", "W",
           "L", "stride", "padding", "dilation", "bias", "I", "O", "ceil_mode",
           "count_include_pad")


#: The seed derivations in the formula language, one per layer kind: exact for dense
#: padding (and, for pools, without padding or ceil_mode); the step page shows them.
SEED_FORMS = {
    "Conv1d": "(2*Cin/groups*K - 1 + bias)*N*Co*Lo",
    "Conv2d": "(2*Cin/groups*Kh*Kw - 1 + bias)*N*Co*Ho*Wo",
    "DepthwiseConv2d": "(2*Kh*Kw - 1 + bias)*N*Co*Ho*Wo",
    "PointwiseConv2d": "(2*Cin - 1 + bias)*N*Co*Ho*Wo",
    "Linear": "(2*I - 1 + bias)*N*O", "Dense": "(2*I - 1 + bias)*N*O",
    "MaxPool1d": "(K - 1)*N*C*Lo", "MaxPool2d": "(Kh*Kw - 1)*N*C*Ho*Wo",
    "AvgPool1d": "K*N*C*Lo", "AvgPool2d": "Kh*Kw*N*C*Ho*Wo",
}


def seed_form(layer_or_kind) -> str:
    """The seed formula of this layer kind (:data:`SEED_FORMS`)."""
    return SEED_FORMS[_kind(layer_or_kind)]


def formula_for_page(layer, input_shape, text=None, kind="total") -> dict:
    """What the step page (:func:`nnref.trace.html.save_html`) shows of a formula: its text,
    the text with the layer's values put in, and its exact value (an int, or a
    ValueError if the formula does not give a whole number here)."""
    import re

    text = seed_form(layer) if text is None else text
    f = Formula(text, _sweep.names(_kind(layer)))
    values = _sweep.quantities(layer, input_shape)
    value = f({k: v for k, v in values.items()})
    if value.denominator != 1:
        raise ValueError(f"formula {text!r} gives {value} for {layer!r} on {tuple(input_shape)}; "
                         "expected a whole number")
    put = re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: str(values.get(m.group(0), m.group(0))), text)
    return {"text": text, "substituted": put, "value": int(value),
            "count": check_str(kind, "kind", "formula_for_page", COUNT_KINDS)}


@dataclass(frozen=True)
class Row:
    """One configuration: the spec, the input shape, the quantities and the two numbers."""

    spec: str
    input_shape: tuple
    values: dict
    executed: int
    formula: Fraction

    @property
    def difference(self) -> Fraction:
        """formula − executed."""
        return self.formula - self.executed

    @property
    def exact(self) -> bool:
        return self.difference == 0

    @property
    def configuration(self) -> str:
        return f"{self.spec} on {','.join(map(str, self.input_shape))}"


@dataclass(frozen=True)
class FormulaCheck:
    """The outcome of :func:`check_formula`: one :class:`Row` per configuration."""

    kind: str  # the layer class
    formula: str
    count: str  # "total" or one kind
    rows: tuple
    held: dict = field(default_factory=dict)  # quantities held fixed, and why

    @property
    def exact(self) -> bool:
        return all(r.exact for r in self.rows)

    @property
    def failures(self) -> tuple:
        return tuple(r for r in self.rows if not r.exact)

    @property
    def smallest_failure(self):
        """The failing row with the fewest executed operations (None if exact)."""
        return min(self.failures, key=lambda r: (r.executed, len(r.configuration)), default=None)

    @property
    def hints(self) -> list:
        return hints(self.rows, self.count)

    @property
    def summary(self) -> str:
        n = len(self.rows)
        what = "the executed total" if self.count == "total" else f"the executed {self.count}"
        if self.exact:
            return f"{self.formula} = {what}: exact on all {n} configurations"
        r = self.smallest_failure
        d = r.difference
        rel = f" ({float(d) / r.executed:+.1%})".replace("-", "−") if r.executed else ""
        lines = [f"{self.formula} differs from {what} on {len(self.failures)} of {n} "
                 f"configurations; the smallest: {r.configuration}: formula {as_text(r.formula)}, "
                 f"executed {r.executed:,}, off by {_signed(d)}{rel}"]
        return "\n".join(lines + [f"hint: {h}" for h in self.hints])

    def table(self, rows=None) -> str:
        """The rows (all by default) as a table: configuration, executed, formula, difference."""
        from tabulate import tabulate

        body = [[r.configuration, f"{r.executed:,}", as_text(r.formula),
                 "exact" if r.exact else _signed(r.difference)] for r in (rows or self.rows)]
        executed = "executed" if self.count == "total" else f"executed {self.count}"
        return tabulate(body, ["configuration", executed, "formula", "difference"],
                        tablefmt="simple", stralign="right", disable_numparse=True,
                        colalign=("left", "right", "right", "right"))

    def assert_exact(self) -> None:
        """Raise AssertionError with the summary unless the formula is exact everywhere."""
        if not self.exact:
            raise AssertionError(self.summary)

    def __bool__(self):
        return self.exact

    @property
    def header(self) -> str:
        """What was compared, and the quantities held at 1 because the formula does not name them."""
        what = "the total of every kind" if self.count == "total" else f"{self.count} only"
        line = f"{self.kind}: {self.formula} against the executed count ({what})"
        if self.held:
            names = ", ".join(f"{k}={v}" for k, v in self.held.items())
            line += (f"\nheld at {names}: the formula does not name them (name them to sweep "
                     "them, or fix them)")
        return line

    def __str__(self):
        return "\n\n".join((self.header, self.table(), self.summary))


def _signed(d: Fraction) -> str:
    return ("+" if d > 0 else "−" if d < 0 else "") + as_text(abs(d))


def formula_names(layer_or_kind) -> tuple:
    """The quantities a formula for this layer (or layer class name) may use."""
    kind = _kind(layer_or_kind)
    return _sweep.names(kind)


def _kind(layer_or_kind) -> str:
    from ..layers import Layer

    kind = layer_or_kind.kind if isinstance(layer_or_kind, Layer) else layer_or_kind
    if not isinstance(kind, str):
        raise TypeError(f"layer={layer_or_kind!r} is invalid; expected a layer, a spec such as "
                        f"'Conv2d(3, 8, 3)' or one of {', '.join(_sweep.KINDS)}")
    name = kind.split("(")[0].strip()
    if name not in _sweep.KINDS:
        raise ValueError(f"layer={kind!r} is not supported by the formula check; expected one "
                         f"of {', '.join(_sweep.KINDS)}")
    return name


def _check_fix(fix, allowed) -> dict:
    if fix is None:
        return {}
    if not isinstance(fix, dict):
        raise TypeError(f"fix={fix!r} is invalid; expected a dict such as {{'bias': 0}}")
    for k, v in fix.items():
        if k not in allowed or k not in FIXABLE:
            ok = [n for n in FIXABLE if n in allowed]
            raise ValueError(f"fix: {k!r} cannot be fixed for this layer; expected one of "
                             f"{', '.join(ok)}")
        minimum = 0 if k in ("padding", "bias", "ceil_mode", "count_include_pad") else 1
        check_int(v, f"fix[{k!r}]", "check_formula", minimum=minimum)
    return dict(fix)


def check_formula(layer, formula, sweep=200, kind="total", seed=0, fix=None,
                  padding_taps="dense") -> FormulaCheck:
    """Compare ``formula`` with the executed count on ``sweep`` configurations.

    Parameters
    ----------
    layer : str or Layer
        A layer class name (``"Conv2d"``: every configuration drawn), a spec with
        arguments (``"Conv2d(3, 8, 3, padding=1)"``: only the input varies), or a layer.
    formula : str or Formula
        E.g. ``"(2*Cin*K**2 - 1)*Ho*Wo*Co"``; the names are :func:`formula_names`.
    sweep : int
        How many distinct configurations to draw (fewer if the space is smaller).
    kind : {"total", "add", "mul", ...}
        Compare with the total of every kind (default) or with one kind.
    seed : int
        Seed of the configurations (the counts do not depend on the values).
    fix : dict, optional
        Quantities to hold, e.g. ``{"bias": 0, "groups": 1}``.
    padding_taps : {"dense", "skip"}
        How the convolutions treat taps on padding.

    Returns
    -------
    FormulaCheck
        ``.exact``, ``.rows``, ``.summary`` (with hints), ``.table()``, ``.assert_exact()``.

    Bad arguments (an unknown layer or name, a formula off the whitelist) raise
    ValueError or TypeError with one line that names them.
    """
    from ..layers import Layer
    from ..layers.spec import parse_layer

    name = _kind(layer)
    allowed = _sweep.names(name)
    f = formula if isinstance(formula, Formula) else Formula(formula, allowed)
    count = check_str(kind, "kind", "check_formula", COUNT_KINDS)
    sweep = check_int(sweep, "sweep", "check_formula")
    if sweep > MAX_SWEEP:
        raise ValueError(f"check_formula: sweep={sweep} is too large; expected at most {MAX_SWEEP}")
    seed = check_int(seed, "seed", "check_formula", minimum=0)
    taps = check_str(padding_taps, "padding_taps", "check_formula", ("dense", "skip"))
    fix = _check_fix(fix, allowed)
    given = layer if isinstance(layer, Layer) else parse_layer(layer) if "(" in layer else None
    rng = _sweep.rng_for(seed)
    rows, seen = [], set()
    for _ in range(sweep * 20):
        if len(rows) == sweep:
            break
        try:
            spec = given if given is not None else _sweep.draw_layer(rng, name, f.uses, fix)
            one = parse_layer(spec) if isinstance(spec, str) else spec
            shape = _sweep.draw_shape(rng, one, f.uses, fix)
            one.output_shape(shape)
        except ValueError:  # an impossible combination of fixed values: draw again
            continue
        label = spec if isinstance(spec, str) else layer if isinstance(layer, str) else repr(spec)
        if (label, shape) in seen:
            continue
        seen.add((label, shape))
        rows.append(_row(_with_taps(one, taps), label, shape, f, count))
    if not rows:
        raise ValueError(f"check_formula: no valid configuration of {name} with fix={fix}")
    held = {k: 1 for k in _sweep.NEUTRAL if k in allowed and k not in f.uses and k not in fix
            and given is None}
    return FormulaCheck(name, f.text, count, tuple(rows), held)


def _with_taps(layer, taps):
    if taps == "skip" and hasattr(layer, "padding_taps"):
        import copy

        layer = copy.copy(layer)
        layer.padding_taps = "skip"
        if hasattr(layer, "algorithm"):
            layer.algorithm = "naive"
    return layer


def _row(layer, label, shape, f, count) -> Row:
    from ..api import count as run

    ops = run(layer, shape, dtype="float32")
    executed = ops.flops if count == "total" else getattr(ops, count)
    values = _sweep.quantities(layer, shape)
    values["_outputs"] = _outputs(layer, shape)
    values["_mul"] = ops.mul
    for name, default in (("stride", 1), ("padding", 0), ("dilation", 1)):
        v = getattr(layer, name, default)
        values[f"_{name}"] = max(v) if isinstance(v, tuple) else v
    if getattr(layer, "padding_taps", None) == "skip":
        from ..formulas import for_layer

        dense = copy_dense(layer)
        values["_padding_taps"] = for_layer(dense, shape).mul - ops.mul
    public = {k: v for k, v in values.items() if not k.startswith("_")}
    return Row(label, tuple(shape), values, executed, f(public))


def copy_dense(layer):
    import copy

    twin = copy.copy(layer)
    twin.padding_taps = "dense"
    return twin


def _outputs(layer, shape) -> int:
    from math import prod

    return prod(layer.output_shape(shape))
