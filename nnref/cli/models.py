"""``nnref models``: the model zoo, with default inputs and parameter counts."""
from __future__ import annotations


def run(args) -> int:
    from tabulate import tabulate

    from ..bridges import zoo as torch_zoo
    from ..models import zoo

    rows = []
    for name in zoo.names():
        _, shape, description = zoo.MODELS[name]
        rows.append([name, ",".join(map(str, shape)), f"{zoo.build(name).num_params:,}", description])
    for name in torch_zoo.names():  # listed without building: torch is needed for that
        shape, params, description = torch_zoo.MODELS[name]
        rows.append([name, ",".join(map(str, shape)), f"{params:,}", description])
    print(tabulate(rows, headers=["model", "default input", "params", "description"],
                   disable_numparse=True, colalign=("left", "left", "right", "left")))
    return 0


def add_parser(subparsers) -> None:
    """Add the ``models`` subcommand."""
    subparsers.add_parser("models", help="list the model zoo").set_defaults(func=run)
