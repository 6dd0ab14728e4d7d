"""What the subcommands share: the one-line user error, shape parsing, printing."""
from __future__ import annotations

import sys

EXIT_USAGE = 2


class CliError(ValueError):
    """A user error reported as one line."""


def parse_shape(text: str, name: str = "--input") -> tuple:
    """``"1,3,224,224"`` (or ``"1x3x224x224"``) as ``(1, 3, 224, 224)``; else a ValueError.

    Shapes separated by ``;`` are one per operand, for a layer whose operands have shapes
    of their own: ``"2,3,4;4,5"`` is ``((2, 3, 4), (4, 5))`` (MatMul).
    """
    if ";" in text:
        return tuple(parse_shape(part, name) for part in text.split(";"))
    try:
        shape = tuple(int(v) for v in text.replace("x", ",").split(","))
    except ValueError:
        shape = ()
    if not shape or any(v < 1 for v in shape):
        raise ValueError(f"{name} {text!r} is invalid; expected positive ints separated by "
                         "commas, e.g. 1,3,224,224")
    return shape


def is_layer_spec(text: str) -> bool:
    """Whether ``text`` names a layer (``"ReLU"``) or is call syntax (``"Conv2d(3, 8, 3)"``)."""
    if "(" in text:
        return True
    from ..layers.spec import known_layers

    return text.strip() in known_layers()


def emit(text: str) -> None:
    """Print ``text`` on stdout, ending with exactly one newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def one_line(e: BaseException) -> str:
    """An exception's message on one line."""
    return " ".join(str(e).split()) or type(e).__name__
