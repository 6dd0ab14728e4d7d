"""Parse a layer written as Python call syntax, safely: ``"Conv2d(3, 64, 3, stride=2)"``.

Only whitelisted layer names are accepted, and every argument is read with
``ast.literal_eval``: nothing is ever evaluated as code.
"""
from __future__ import annotations

import ast


def known_layers() -> dict:
    """The whitelist: the public layer classes of :mod:`nnref.layers` by name."""
    from . import LAYERS

    return dict(LAYERS)


def parse_layer(text: str):
    """Build the layer described by ``text``; a ValueError says what is wrong."""
    if not isinstance(text, str):
        raise TypeError(f"layer spec {text!r} is invalid; expected a string such as 'Conv2d(3, 64, 3)'")
    known = known_layers()
    names = ", ".join(sorted(known))
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise ValueError(f"layer spec {text!r} is not valid call syntax; "
                         "expected e.g. 'Conv2d(3, 64, 3, stride=2)'") from None
    if isinstance(node, ast.Name):  # "ReLU" without parentheses
        node = ast.Call(func=node, args=[], keywords=[])
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise ValueError(f"layer spec {text!r} is invalid; expected NAME(args), NAME one of: {names}")
    name = node.func.id
    if name not in known:
        raise ValueError(f"unknown layer {name!r}; known layers: {names}")
    try:
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg is not None}
    except ValueError:
        raise ValueError(f"layer spec {text!r} has an argument that is not a literal "
                         "(numbers, strings, tuples, True/False/None only)") from None
    if len(kwargs) != len(node.keywords):
        raise ValueError(f"layer spec {text!r} is invalid; **kwargs are not accepted")
    try:
        return known[name](*args, **kwargs)
    except TypeError as e:
        if "argument" in str(e) and ("positional" in str(e) or "keyword" in str(e)):
            raise TypeError(f"{name}: {e}") from None
        raise
