"""The rooms of the extension and what each may import (ARCHITECTURE.md, "Rooms").

Each room may import the core and the rooms below it in :data:`LAYERS`, never one above:
the core knows nothing of trust, entries, PDFs, the web site, e-mail or the writer's
commands; extension points between rooms are Sphinx events (rapport.events). The
composition root (``rapport/__init__.py``, ``rapport/extension.py``) imports every room.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "_ext" / "rapport"
#: lowest first; a module may import its own room and any room before it
LAYERS = ("core", "trust", "entries", "pdf", "site", "email", "writer")
ROOTS = {"__init__.py", "extension.py"}


def room_of(module: str) -> str:
    """``rapport.site.search`` -> ``site``; a module directly in the package is core."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "core"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> list[tuple[int, str]]:
    """Every ``rapport`` module a file imports (relative imports resolved), with its line."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = (
                [f"{target}.{a.name}" for a in node.names]
                if target in ("rapport", *(f"rapport.{r}" for r in LAYERS))
                else [target]
            )
            found.extend((node.lineno, name) for name in names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
    return [(line, name) for line, name in found if name == "rapport" or name.startswith("rapport.")]


def test_every_room_imports_only_the_core_and_the_rooms_below_it():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent == PACKAGE and path.name in ROOTS:
            continue
        here = room_of(module_name(path))
        allowed = LAYERS[: LAYERS.index(here) + 1]
        for line, name in imported(path):
            if name in ("rapport", "rapport.__version__"):
                continue
            if room_of(name) not in allowed:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line}: {here} imports {name}")
    assert wrong == []


def test_the_rooms_are_the_folders_of_the_package():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(LAYERS) - {"core"}


def test_every_handler_priority_is_named_in_the_events_table():
    """``app.connect(..., priority=...)`` takes a constant of rapport.events, never a number:
    the order of handlers across modules is readable in one place."""
    literal = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "connect":
                for keyword in node.keywords:
                    if keyword.arg == "priority" and isinstance(keyword.value, ast.Constant):
                        literal.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert literal == []


def module_level_imports(path: Path) -> list[tuple[int, str]]:
    """The ``rapport`` modules a file imports when it is imported: top-level statements
    (inside ``if``/``try`` too), not function bodies and not ``if TYPE_CHECKING:``. A
    name imported from a package is the submodule when one of that name exists."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found: list[tuple[int, str]] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.If):
                if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                    visit(block)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    submodule = f"{target}.{alias.name}"
                    found.append((node.lineno, submodule if module_path(submodule) else target))
            elif isinstance(node, ast.Import):
                found.extend((node.lineno, alias.name) for alias in node.names)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return [(line, name) for line, name in found if name.startswith("rapport.") and module_path(name)]


def module_path(name: str) -> Path | None:
    """The file of a ``rapport`` module, None if there is none of that name."""
    parts = name.split(".")[1:]
    for candidate in (PACKAGE.joinpath(*parts).with_suffix(".py"), PACKAGE.joinpath(*parts, "__init__.py")):
        if parts and candidate.is_file():
            return candidate
    return None


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other in a circle (strongly connected
    components of more than one module, or a module importing itself), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                circles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(circles)


def room_import_graph() -> dict[str, set[str]]:
    """Module -> the modules of its own room it imports at import time."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent == PACKAGE and path.name in ROOTS:
            continue
        here = module_name(path)
        graph[here] = {
            name for _, name in module_level_imports(path) if room_of(name) == room_of(here) and name != here
        }
    return graph


def test_no_import_circle_within_a_room():
    """Modules of one room import each other in one direction: a circle works only as
    long as the names happen to be defined before the other module asks for them, and
    the room can no longer be read from the bottom up."""
    assert import_circles(room_import_graph()) == []


def test_the_circle_check_finds_a_circle():
    graph = room_import_graph()
    assert import_circles({**graph, "rapport.cache": graph["rapport.cache"] | {"rapport.registry"}}) == [
        ["rapport.cache", "rapport.registry"]
    ]
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
