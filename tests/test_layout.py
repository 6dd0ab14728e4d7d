"""The layout as a test: who may import whom, and every layer class has every part.

The import rules are read from the source with ``ast`` (no module is imported to find
them), so the traced reference stays independent of the kernels by construction.
"""
import ast
from pathlib import Path

import pytest

import nnref
from nnref import conventions, formulas, reference
from nnref.core.registry import Registry
from nnref.layers import LAYERS, family

PACKAGE = Path(nnref.__file__).parent

#: part -> the parts it may import (besides itself). The modules at the top level (api,
#: cli, bridges, __init__, __main__) sit on top and may import anything.
ALLOWED = {
    "core": set(),
    "kernels": {"core"},
    "formulas": {"core"},
    "reference": {"core"},
    "layers": {"core", "kernels"},
    "conventions": {"core", "formulas"},
    "reports": {"core"},
    "trace": {"core", "reference"},
    "models": {"core", "layers"},
    "counting": {"core", "formulas", "conventions", "reports"},
}
#: (part, module) pairs forbidden although the part is allowed: the reference enumerates
#: its windows itself, sharing nothing with the output-size rules the kernels use.
FORBIDDEN = {("reference", "core.shapes")}
#: Families whose layers move data and compute nothing: no kernel.
DATA_MOVEMENT = {"reshape", "concat"}
#: Parts that have one module per layer family.
PARTS = ("layers", "kernels", "formulas", "reference", "conventions")


def modules():
    """``(dotted name relative to nnref, path)`` of every module of the package."""
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        yield ".".join(parts), path


def imported(name: str, path: Path) -> set:
    """The nnref modules (relative dotted names) that module ``name`` imports."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1] if node.level > 1 else package
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "nnref":
                target = node.module.partition(".")[2]
            else:
                continue
            # "from . import zoo" imports the submodule zoo; "from .core import shapes" maybe
            # a submodule too: keep both the module and module.name
            found |= {target} | {f"{target}.{a.name}".strip(".") for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.partition(".")[2] for a in node.names if a.name.startswith("nnref.")}
    return {m for m in found if m}


def part_of(module: str) -> str:
    return module.split(".")[0]


def forbidden(part: str, module: str) -> bool:
    return any(part == p and (module == m or module.startswith(m + ".")) for p, m in FORBIDDEN)


EDGES = sorted((name, target) for name, path in modules() for target in imported(name, path))


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_each_part_imports_only_what_the_layout_allows(part):
    bad = [f"{src} imports {dst}" for src, dst in EDGES
           if part_of(src) == part and part_of(dst) != part
           and (part_of(dst) not in ALLOWED[part] or forbidden(part, dst))]
    assert not bad, f"{part} may import only {sorted(ALLOWED[part]) or 'nothing of nnref'}: {bad}"


def test_every_part_is_placed_in_the_layout():
    top = {"", "api", "cli", "bridges", "testing", "__main__"}
    parts = {part_of(name) for name, _ in modules()}
    assert parts - top <= set(ALLOWED), f"parts without import rules: {parts - top - set(ALLOWED)}"


def test_no_import_cycle_between_parts():
    graph = {}
    for src, dst in EDGES:
        if part_of(src) != part_of(dst) and part_of(src) in ALLOWED:
            graph.setdefault(part_of(src), set()).add(part_of(dst))
    state = {}

    def visit(node, path):
        if state.get(node) == "open":
            raise AssertionError(f"import cycle: {' -> '.join(path + [node])}")
        if state.get(node) != "done":
            state[node] = "open"
            for nxt in sorted(graph.get(node, ())):
                visit(nxt, path + [node])
            state[node] = "done"

    for node in sorted(graph):
        visit(node, [])


def test_the_import_walk_sees_relative_and_absolute_imports():
    edges = set(EDGES)
    assert ("layers.conv", "core.shapes") in edges  # from ..core.shapes import ...
    assert ("layers.conv", "kernels.conv") in edges  # inside forward
    assert ("conventions.depthwise", "conventions.conv") in edges  # from . import conv
    assert ("models", "models.zoo") in edges


# -- every layer class has every part ------------------------------------------------------

@pytest.mark.parametrize("name", sorted(LAYERS))
def test_every_layer_class_has_every_part(name):
    cls = LAYERS[name]
    fam = family(cls)
    missing = [f"{part}/{fam}.py" for part in PARTS
               if not (PACKAGE / part / f"{fam}.py").exists()
               and not (part == "kernels" and fam in DATA_MOVEMENT)]
    layer = cls.__new__(cls)  # resolution looks at the class only
    tables = {"formulas": formulas.FORMULAS, "reference": reference.REFERENCES,
              **{f"conventions ({tool})": table for tool, table in conventions.TOOL_RULES.items()}}
    missing += [part for part, table in tables.items() if table.find(layer) is None]
    assert not missing, f"{name} (family {fam!r}) has no entry in: {', '.join(missing)}"


def test_every_registered_name_is_a_layer_class():
    tables = [formulas.FORMULAS, reference.REFERENCES, reference.PLANS,
              *conventions.TOOL_RULES.values()]
    stray = {(t.part, n) for t in tables for n in t.names() if n not in LAYERS}
    assert not stray, f"registered for no layer class: {sorted(stray)}"


def test_no_file_is_over_400_lines():
    long = {str(p.relative_to(PACKAGE)): n for _, p in modules()
            if (n := len(p.read_text().splitlines())) > 400}
    assert not long, f"files over 400 lines: {long}"


# -- the registry ----------------------------------------------------------------------------

def test_registry_refuses_a_duplicate_and_registration_after_freezing():
    table = Registry("test entries")

    @table.register("Conv2d")
    def first(layer):
        return 1

    with pytest.raises(ValueError, match="'Conv2d' is registered twice"):
        table.register("Conv2d", entry=lambda layer: 2)
    assert table.resolve(nnref.Conv2d(1, 1, 1)) is first
    table.freeze()
    with pytest.raises(RuntimeError, match="frozen"):
        table.register("ReLU", entry=first)
    with pytest.raises(TypeError, match="layer=.*expected one of Conv2d"):
        table.resolve(nnref.ReLU())


def test_registry_resolves_a_subclass_as_its_nearest_registered_base():
    class MyConv(nnref.Conv2d):
        pass

    assert formulas.FORMULAS.key_of(MyConv(1, 1, 1)) == "Conv2d"
    assert formulas.FORMULAS.key_of(nnref.Linear(2, 3)) == "Dense"


@pytest.mark.parametrize("table", [formulas.FORMULAS, reference.REFERENCES, reference.PLANS,
                                   *conventions.TOOL_RULES.values()], ids=lambda t: t.part)
def test_the_parts_tables_are_frozen_after_import(table):
    with pytest.raises(RuntimeError, match="frozen"):
        table.register("NotALayer", entry=len)


# -- public paths of the old layout keep working ----------------------------------------------

def test_public_paths_keep_working():
    import nnref.counting
    import nnref.models
    import nnref.trace

    assert nnref.counting.formulas.for_layer is nnref.formulas.for_layer
    assert nnref.counting.formulas.conv.conv2d_seed(3, 3, 112, 112, 64, bias=True) == 43_352_064
    assert nnref.counting.conventions.thop is nnref.conventions.thop
    assert nnref.counting.OpCounts is nnref.OpCounts is nnref.core.OpCounts
    assert nnref.counting.render.render is nnref.reports.render.render
    assert nnref.shapes.conv_out is nnref.core.shapes.conv_out
    assert nnref.trace.steps.__module__ == "nnref.trace.steps"  # the function, not the module
    assert nnref.trace.reference is nnref.reference.reference
    assert nnref.models.zoo.build("seed_crnn").name == "seed_crnn"
    assert nnref.count(nnref.Conv2d(1, 1, 3), (1, 1, 4, 4)).mul == 36
    from nnref.cli import main

    assert main(["models"]) == 0
