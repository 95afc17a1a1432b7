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
            names = [f"{target}.{a.name}" for a in node.names] if target in ("rapport", *(f"rapport.{r}" for r in LAYERS)) else [target]
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
