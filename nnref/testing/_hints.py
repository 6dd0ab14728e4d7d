"""Hints for a formula that is off: patterns the differences fit, with the usual cause.

Each pattern must hold on every failing configuration (and, for a factor, be 1 where the
formula is exact), so a hint is a fact about the sweep, not a guess from one row:

* an additive difference of c × a quantity: one per output (the bias add), one per
  multiply, the taps on padding, a constant;
* a ratio: exactly 2 or 1/2 (MACs vs FLOPs), a named quantity (N, groups, K², ...),
  roughly 2 or 1/2;
* a condition: the formula fails exactly on the configurations with bias, groups > 1,
  N > 1, stride > 1, padding > 0, dilation > 1, a non-square kernel, ceil_mode;
* otherwise, the direction and range of the error.
"""
from __future__ import annotations

from fractions import Fraction


def _v(r, name):
    return r.values.get(name)


def _outputs_label(rows) -> str:
    r = rows[0]
    if "O" in r.values:
        per = "O"
    elif "Lo" in r.values:
        per = "Lo·" + ("C" if "count_include_pad" in r.values else "Co")
    else:
        per = "Ho·Wo·" + ("C" if "count_include_pad" in r.values else "Co")
    return per if all(_v(x, "N") == 1 for x in rows) else "N·" + per


def _mul_label(rows) -> str:
    if "O" in rows[0].values:
        return "the multiplies (N·I·O)"
    return "the multiplies (MACs: Cin/groups·Kh·Kw per output)"


def _c(c: Fraction) -> str:
    s = str(c).replace("-", "−")
    return s if c.denominator == 1 and c > 0 else f"({s})"


#: (name of the quantity, label, unit, reason when the formula is too high, too low)
_ADDITIVE = (
    ("_outputs", None, "output element",
     "the bias add? (a sum of T products costs T − 1 adds; only a bias makes it T)",
     "the bias add?"),
    ("_mul", None, "multiply", "an add counted for every product? The first product of each "
                               "sum initialises it", "an add missing for every product?"),
    ("_padding_taps", "the taps on padding", "tap on padding",
     "padding_taps='skip' does not compute them; the formula counts them (dense)",
     "padding_taps='skip' does not compute them"),
)

#: (predicate name, label, reason)
_CONDITIONS = (
    (lambda r: _v(r, "bias") == 1, "bias=1", "the bias add?"),
    (lambda r: _v(r, "bias") == 0, "bias=0", "the formula counts a bias add that a layer "
                                            "without bias does not do?"),
    (lambda r: (_v(r, "groups") or 1) > 1 and "multiplier" not in r.values, "groups > 1",
     "each output reads only Cin/groups input channels: Cin/groups·K² taps?"),
    (lambda r: _v(r, "N") > 1, "N > 1", "the batch: the executed count covers all N inputs?"),
    (lambda r: r.values["_stride"] > 1, "stride > 1",
     "the output size: Ho = ⌊(H + 2p − d·(K − 1) − 1)/s⌋ + 1?"),
    (lambda r: r.values["_padding"] > 0, "padding > 0",
     "the taps on padding, or the padded output size?"),
    (lambda r: r.values["_dilation"] > 1, "dilation > 1",
     "a dilated kernel spans d·(K − 1) + 1 inputs but still has K taps per axis"),
    (lambda r: _v(r, "Kh") != _v(r, "Kw"), "Kh ≠ Kw", "a non-square kernel: Kh·Kw taps, not K²?"),
    (lambda r: _v(r, "ceil_mode") == 1, "ceil_mode=1",
     "ceil_mode can add a last window that is cut by the border"),
    (lambda r: (_v(r, "multiplier") or 1) > 1, "multiplier > 1",
     "the depth multiplier: Co = C·multiplier outputs per position?"),
)

#: Ratios formula/executed that name a quantity: (label, value of one row, reason)
_FACTORS = (
    ("N", lambda r: _v(r, "N"), "the batch?"),
    ("groups", lambda r: _v(r, "groups"), "each output reads Cin/groups channels, not Cin?"),
    ("K²", lambda r: (_v(r, "Kh") or 1) * (_v(r, "Kw") or 1), "the kernel's taps?"),
    ("Cin", lambda r: _v(r, "Cin"), "the input channels?"),
    ("Co", lambda r: _v(r, "Co"), "the output channels?"),
    ("Ho·Wo", lambda r: (_v(r, "Ho") or 1) * (_v(r, "Wo") or 1), "the output positions?"),
    ("stride²", lambda r: (_v(r, "stride") or 0) ** 2, "the stride: Ho and Wo already hold it?"),
    ("stride", lambda r: _v(r, "stride"), "the stride: Ho and Wo already hold it?"),
    ("multiplier", lambda r: _v(r, "multiplier"), "the depth multiplier?"),
)


def _additive(fails) -> str | None:
    for name, label, unit, high, low in _ADDITIVE:
        qs = [r.values.get(name) for r in fails]
        if any(not q for q in qs):
            continue
        cs = {Fraction(r.difference) / q for r, q in zip(fails, qs, strict=True)}
        if len(cs) == 1:
            c = cs.pop()
            what = label or (_outputs_label(fails) if name == "_outputs" else _mul_label(fails))
            sign = "+" if c > 0 else "−"
            if abs(c) == 1:
                return f"off by {sign}{what} (one per {unit}): {high if c > 0 else low}"
            return f"off by {sign}{_c(abs(c))}·{what} ({_c(c)} per {unit})"
    diffs = {r.difference for r in fails}
    if len(diffs) == 1:
        d = diffs.pop()
        return f"off by a constant {'+' if d > 0 else '−'}{abs(d)}: an off-by-one?"
    return None


def _named_factor(rows):
    """A quantity q with formula = executed × q (or ÷ q) on every row; None if none fits."""
    for label, value, why in _FACTORS:
        for power, word in ((1, ""), (-1, "1/")):
            try:
                if all(Fraction(r.formula) == r.executed * Fraction(value(r)) ** power
                       for r in rows):
                    return word + label, why, {value(r) for r in rows}
            except (TypeError, ZeroDivisionError):
                continue
    return None


def _ratio(rows, fails, count) -> str | None:
    if any(r.executed == 0 for r in fails):
        return None
    ratios = [Fraction(r.formula) / r.executed for r in fails]
    named = _named_factor(rows)
    if named and len(named[2]) > 1:  # the quantity varies: the factor is that quantity
        return f"off by a factor of {named[0]}: {named[1]}"
    also = f"; or {named[0]} = {named[2].pop()} on every configuration: {named[1]}" if named else ""
    if len(set(ratios)) == 1 and len(fails) == len(rows):
        r = ratios[0]
        if r == 2:
            why = ("the formula counts FLOPs, 2 per multiply-add, and --kind mul counts "
                   "multiplies (MACs)" if count == "mul" else "2 per multiply-add")
            return f"off by a factor of 2: MACs vs FLOPs? ({why}){also}"
        if r == Fraction(1, 2):
            return ("off by a factor of 1/2: MACs vs FLOPs? (the formula looks like MACs, the "
                    f"executed count has mul and add; compare it with --kind mul){also}")
        return f"off by a constant factor of {r}{also}"
    lo, hi = float(min(ratios)), float(max(ratios))
    if 1.5 <= lo and hi <= 2.5:
        return (f"about twice the executed count (×{lo:.3g} to ×{hi:.3g}): MACs vs FLOPs? 2 "
                "per multiply-add, but the first product of each sum needs no add")
    if 0.4 <= lo and hi <= 0.7:
        return (f"about half the executed count (×{lo:.3g} to ×{hi:.3g}): MACs vs FLOPs? "
                "MACs are the multiplies (--kind mul)")
    return None


def _condition(rows, fails) -> tuple | None:
    if len(fails) == len(rows):
        return None
    for pred, label, why in _CONDITIONS:
        try:
            if all(pred(r) for r in fails) and not any(pred(r) for r in rows if r.exact):
                return label, why
        except (KeyError, TypeError):
            continue
    return None


def hints(rows, count) -> list:
    """The hints for ``rows`` (from :func:`~nnref.testing.formula.check_formula`)."""
    fails = [r for r in rows if not r.exact]
    if not fails:
        return []
    out = []
    cond = _condition(rows, fails)
    ratios = {Fraction(r.formula) / r.executed for r in fails if r.executed}
    exact_factor = len(fails) == len(rows) and len(ratios) == 1 and all(r.executed for r in rows)
    found = _ratio(rows, fails, count) if exact_factor else None
    found = found or _additive(fails) or _ratio(rows, fails, count)
    if found:
        out.append(found)
    if cond:
        out.append(f"it fails exactly on the configurations with {cond[0]} and is exact on "
                   f"the others: {cond[1]}")
    if not out and all(r.values.get("_padding_taps", 0) > 0 and r.difference > 0 for r in fails):
        out.append("too high wherever taps land on padding: padding_taps='skip' does not "
                   "compute them, and the formula counts them (the dense form)")
    if not out:
        diffs = [r.difference / r.executed for r in fails if r.executed]
        if diffs and all(d > 0 for d in diffs):
            out.append(f"the formula is always too high, by {float(min(diffs)):.1%} to "
                       f"{float(max(diffs)):.1%}")
        elif diffs and all(d < 0 for d in diffs):
            out.append(f"the formula is always too low, by {float(-max(diffs)):.1%} to "
                       f"{float(-min(diffs)):.1%}")
        else:
            out.append("the formula is too high on some configurations and too low on others")
    return out
