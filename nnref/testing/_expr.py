"""A cost formula such as ``(2*Cin*K**2 - 1)*Ho*Wo*Co``, parsed safely and evaluated exactly.

The text is parsed with :mod:`ast` and checked against a whitelist: numbers, the names
of the layer's quantities, parentheses and ``+ - * / // % **`` (an exponent must be a
whole number from 0 to 64). Nothing is ever evaluated as Python: the tree is walked
here, with :class:`fractions.Fraction` arithmetic, so ``Cin/groups`` is exact and a
formula's value never suffers rounding.

The notation of papers is accepted too: ``·`` and ``×`` for ``*``, ``−`` for ``-``,
``²`` and ``³`` for powers and ``^`` for ``**``.
"""
from __future__ import annotations

import ast
import difflib
from fractions import Fraction

MAX_LENGTH = 1000
MAX_EXPONENT = 64
#: Paper notation, rewritten before parsing.
NOTATION = {"·": "*", "×": "*", "⋅": "*", "−": "-", "²": "**2", "³": "**3", "^": "**"}
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
           ast.Mod: "%", ast.Pow: "**"}
_UNARY = {ast.UAdd: "+", ast.USub: "-"}
_WHAT = {ast.Call: "a function call", ast.Attribute: "attribute access",
         ast.Subscript: "indexing", ast.Compare: "a comparison", ast.BoolOp: "and/or",
         ast.IfExp: "if/else", ast.Lambda: "a lambda", ast.NamedExpr: "an assignment (:=)",
         ast.Starred: "a starred expression", ast.Tuple: "a tuple", ast.List: "a list",
         ast.Dict: "a dict", ast.Set: "a set", ast.JoinedStr: "an f-string",
         ast.ListComp: "a comprehension", ast.GeneratorExp: "a comprehension",
         ast.Await: "await", ast.Yield: "yield"}
ALLOWED_TEXT = "numbers, names of quantities, parentheses and + - * / // % **"
#: Names people write for the quantities, suggested in the error.
SPELLINGS = {"Hout": "Ho", "Wout": "Wo", "Hin": "H", "Win": "W", "Lout": "Lo", "Ci": "Cin",
             "C_in": "Cin", "C_out": "Co", "k": "K", "kh": "Kh", "kw": "Kw", "B": "N",
             "batch": "N", "g": "groups", "s": "stride", "p": "padding", "d": "dilation",
             "in_features": "I", "out_features": "O", "b": "bias"}


class Formula:
    """A parsed formula over named integer quantities.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"(2*Cin*K**2 - 1)*Ho*Wo*Co"``.
    names : iterable of str
        The quantities it may use; any other name is a ValueError naming it.

    Attributes
    ----------
    text : str
        As given.
    uses : frozenset of str
        The names the formula uses.
    """

    def __init__(self, text, names):
        if not isinstance(text, str):
            raise TypeError(f"formula={text!r} is invalid; expected a string such as "
                            "'(2*Cin*K**2 - 1)*Ho*Wo*Co'")
        self.text = text
        source = text.strip()
        for a, b in NOTATION.items():
            source = source.replace(a, b)
        if not source:
            raise ValueError("formula '' is empty; expected an expression such as "
                             "'(2*Cin*K**2 - 1)*Ho*Wo*Co'")
        if len(source) > MAX_LENGTH:
            raise ValueError(f"formula is {len(source)} characters long; expected at most "
                             f"{MAX_LENGTH}")
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError as e:
            where = f" at column {e.offset}" if e.offset else ""
            raise ValueError(f"formula {text!r} is not a valid expression ({e.msg}{where}); "
                             f"expected {ALLOWED_TEXT}") from None
        self._names = tuple(names)
        self.uses = frozenset(self._check(tree.body, source))
        self._tree = tree.body

    def _check(self, node, source) -> set:
        """The names used under ``node``; a ValueError for anything off the whitelist."""
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            if isinstance(node.op, ast.Pow):
                e = node.right
                ok = (isinstance(e, ast.Constant) and type(e.value) is int
                      and 0 <= e.value <= MAX_EXPONENT)
                if not ok:
                    raise ValueError(f"formula {self.text!r}: exponent "
                                     f"{ast.get_source_segment(source, e)!r} is not allowed; "
                                     f"expected a whole number from 0 to {MAX_EXPONENT}")
            return self._check(node.left, source) | self._check(node.right, source)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return self._check(node.operand, source)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return set()
        if isinstance(node, ast.Name):
            if node.id not in self._names:
                close = [SPELLINGS[node.id]] if SPELLINGS.get(node.id) in self._names else \
                    difflib.get_close_matches(node.id, self._names, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise ValueError(f"formula {self.text!r}: unknown name {node.id!r}{hint}; "
                                 f"expected one of {', '.join(self._names)}")
            return {node.id}
        segment = ast.get_source_segment(source, node) or type(node).__name__
        what = _WHAT.get(type(node), type(node).__name__)
        if isinstance(node, ast.Constant):
            what = f"a {type(node.value).__name__} constant"
        if isinstance(node, ast.BinOp | ast.UnaryOp):
            what = "this operator"
        raise ValueError(f"formula {self.text!r}: {what} ({segment!r}) is not allowed; "
                         f"expected {ALLOWED_TEXT}")

    def __call__(self, values: dict) -> Fraction:
        """The exact value with ``values`` (name -> int); a ValueError on division by zero."""
        return self._eval(self._tree, values)

    def _eval(self, node, values) -> Fraction:
        if isinstance(node, ast.Constant):
            return Fraction(node.value) if type(node.value) is int else Fraction(repr(node.value))
        if isinstance(node, ast.Name):
            v = values.get(node.id)
            if v is None:
                raise ValueError(f"formula {self.text!r}: {node.id} is not defined for this "
                                 f"configuration ({_undefined(node.id)})")
            return Fraction(v)
        if isinstance(node, ast.UnaryOp):
            v = self._eval(node.operand, values)
            return -v if isinstance(node.op, ast.USub) else v
        a, b = self._eval(node.left, values), self._eval(node.right, values)
        op = type(node.op)
        if op is ast.Pow:
            return a ** int(node.right.value)
        if op in (ast.Div, ast.FloorDiv, ast.Mod) and b == 0:
            raise ValueError(f"formula {self.text!r} divides by zero with "
                             f"{', '.join(f'{k}={v}' for k, v in values.items() if v is not None)}")
        return {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                ast.Div: lambda: a / b, ast.FloorDiv: lambda: Fraction(a // b),
                ast.Mod: lambda: a % b}[op]()

    def __repr__(self):
        return f"Formula({self.text!r})"


def _undefined(name: str) -> str:
    if name == "K":
        return "the kernel is not square; use Kh and Kw"
    return "its value differs between the axes; use the per-axis quantities"


def as_text(v: Fraction) -> str:
    """An exact value for a table: ``1,234`` or ``7/2``."""
    return f"{v.numerator:,}" if v.denominator == 1 else f"{v.numerator:,}/{v.denominator:,}"
