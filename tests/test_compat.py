"""Private API of the dependencies: each use is wrapped in rapport.compat and pinned here.

The first tests find any private use outside compat (by reading the code, not by a list
of known names); the others pin what each wrapper relies on.

Every test names the private attribute a wrapper relies on. An upgrade that removes or
changes it fails here, with the dependency's name, instead of in a build somewhere.
"""

from __future__ import annotations

import argparse
import ast
import functools
import importlib
import inspect
from collections.abc import Sequence
from pathlib import Path

import pytest
from docutils.frontend import Values
from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
from myst_parser.mocking import MockIncludeDirective, MockState

from rapport import compat

ROOT = Path(__file__).resolve().parent.parent


#: private-looking names that are public API, and why
ALLOWED = {
    "_exit": "os._exit: documented, the way a forked child ends without running the parent's cleanup",
    "_replace": "namedtuple's documented method",
    "_asdict": "namedtuple's documented method",
    "_fields": "namedtuple's documented attribute",
}
#: our own names on other packages' objects start with this (``config._rapport`` ...)
OWN_PREFIX = "_rapport"
PACKAGE = ROOT / "_ext" / "rapport"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and not name.startswith(OWN_PREFIX)


@functools.cache
def _modules() -> tuple[tuple[Path, ast.Module], ...]:
    """Every module of the extension, parsed once per test process."""
    return tuple((path, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(PACKAGE.rglob("*.py")))


def _own_names(trees: Sequence[tuple[Path, ast.Module]]) -> set[str]:
    """Every name the extension itself defines: functions, classes, module and class
    variables, attributes it assigns on ``self``/``cls``."""
    own: set[str] = set()
    for _path, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                own.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                own.add(node.id)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("self", "cls")
            ):
                own.add(node.attr)
    return own


def _class_own_names(cls: ast.ClassDef) -> set[str]:
    """What one class defines itself: its methods and class variables, and the
    attributes its methods assign on ``self``/``cls``."""
    own: set[str] = set()
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            own.add(node.name)
        elif isinstance(node, ast.Assign):
            own.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            own.add(node.target.id)
    for node in ast.walk(cls):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
            if node.value.id in ("self", "cls"):
                own.add(node.attr)
    return own


def _inherited_own_names(name: str, classes: dict[str, ast.ClassDef], seen: frozenset[str] = frozenset()) -> set[str]:
    """What a class and the extension's classes it derives from define themselves."""
    cls = classes[name]
    own = _class_own_names(cls)
    for base in cls.bases:
        base_name = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else ""
        if base_name in classes and base_name not in seen:
            own |= _inherited_own_names(base_name, classes, seen | {name})
    return own


def private_uses(
    trees: Sequence[tuple[Path, ast.Module]],
    exempt: frozenset[str] = frozenset({"compat.py"}),
    only: Path | None = None,
) -> list[str]:
    """Every use of another package's private name outside ``exempt``: an attribute
    ``x._y`` (also through ``getattr``/``setattr``/``hasattr``/``delattr`` with a literal
    name), ``self._y`` in a class that does not define ``_y`` itself (so it is inherited
    from a dependency's class), and an import of ``_y`` or from a module ``_y``. With
    ``only``, the findings of that one file (what the others define still counts as the
    extension's own)."""
    own = _own_names(trees)
    classes = {n.name: n for _path, tree in trees for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    found: list[str] = []
    for path, tree in trees:
        if path.name in exempt or (only is not None and path != only):
            continue
        where = path.relative_to(ROOT)
        class_of: dict[ast.AST, set[str]] = {}
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            names = _inherited_own_names(cls.name, classes)
            for node in ast.walk(cls):
                class_of[node] = names
        for node in ast.walk(tree):
            name = None
            subject: ast.AST | None = None
            if isinstance(node, ast.Attribute):
                name, subject = node.attr, node.value
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                name, subject = node.args[1].value, node.args[0]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module != "__future__":
                module = node.module or ""
                if not module.startswith("rapport") and (
                    any(_private(part) for part in module.split("."))
                    or any(_private(alias.name) and alias.name not in ("_", "__") for alias in node.names)
                ):
                    found.append(f"{where}:{node.lineno}: from {module} import {', '.join(a.name for a in node.names)}")
                continue
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if not alias.name.startswith("rapport") and any(_private(p) for p in alias.name.split(".")):
                        found.append(f"{where}:{node.lineno}: import {alias.name}")
                continue
            if name is None or not _private(name) or name in ALLOWED:
                continue
            if isinstance(subject, ast.Name) and subject.id in ("self", "cls") and node in class_of:
                if name not in class_of[node]:
                    found.append(f"{where}:{node.lineno}: {subject.id}.{name} (inherited from a dependency)")
            elif name not in own:
                found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
    return found


def private_overrides(exempt: frozenset[str] = frozenset({"rapport.compat"})) -> list[str]:
    """Every method or class variable with a private name that a class of the extension
    defines over one of a dependency's classes (``Builder._write_serial`` ...)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name in exempt:
            continue
        module = importlib.import_module(name)
        for cls in vars(module).values():
            if not isinstance(cls, type) or cls.__module__ != name:
                continue
            foreign = [base for base in cls.__mro__[1:] if not base.__module__.startswith("rapport")]
            for attribute in vars(cls):
                if _private(attribute) and any(attribute in vars(base) for base in foreign):
                    found.append(f"{name}.{cls.__qualname__}.{attribute}")
    return found


def test_every_private_access_of_the_extension_is_in_compat():
    """No module but compat reaches into another package's private names."""
    assert private_uses(_modules()) == []


def test_no_class_of_the_extension_overrides_a_private_method_outside_compat():
    assert private_overrides() == []


@pytest.mark.parametrize(
    "code",
    [
        "def f(app):\n    return app._app\n",
        "def f(env):\n    return getattr(env, '_registry', None)\n",
        "from sphinx.util.docutils import _get_settings\n",
        "import sphinx.util._pathlib\n",
        "from sphinx.builders import Builder\nclass B(Builder):\n    def f(self):\n        return self._app\n",
    ],
)
def test_the_private_access_check_finds_a_new_use(code, tmp_path):
    """The check is not a list of known strings: a new private use anywhere is found."""
    path = PACKAGE / "writer" / "nytt.py"
    assert len(private_uses([*_modules(), (path, ast.parse(code))], only=path)) == 1


def test_the_override_check_finds_a_private_method(monkeypatch):
    from rapport.writer import checkcache

    class Serial(checkcache.DummyBuilder):
        def _write_serial(self, docnames):  # the pattern the check exists for
            pass

    Serial.__module__ = checkcache.__name__
    Serial.__qualname__ = "Serial"
    before = private_overrides()
    monkeypatch.setattr(checkcache, "Serial", Serial, raising=False)
    assert set(private_overrides()) - set(before) == {"rapport.writer.checkcache.Serial._write_serial"}


def test_argparse_formats_each_arguments_help_in_one_method():
    """What compat.SubcommandListFormatter overrides."""
    assert list(inspect.signature(argparse.HelpFormatter._format_action).parameters) == ["self", "action"]
    parser = argparse.ArgumentParser(prog="x", formatter_class=compat.SubcommandListFormatter)
    parser.add_subparsers(metavar="kommando").add_parser("ny", help="en ny")
    text = parser.format_help()
    assert "  ny" in text and "\n  kommando\n" not in text


def test_sphinx_environment_has_the_parser_registry(make_app, tmp_path):
    (tmp_path / "conf.py").write_text('extensions = ["myst_parser"]\n', encoding="utf-8")
    (tmp_path / "index.md").write_text("# Start\n", encoding="utf-8")
    app = make_app("dummy", srcdir=tmp_path)
    assert app.env._registry is app.registry  # what compat.source_parser relies on
    parser = compat.source_parser(app.env, "markdown")
    assert type(parser).__module__.startswith("myst_parser")


def test_sphinx_prepares_html_writer_settings_with_the_private_helper(make_app, tmp_path):
    (tmp_path / "conf.py").write_text("", encoding="utf-8")
    (tmp_path / "index.rst").write_text("Start\n=====\n", encoding="utf-8")
    app = make_app("html", srcdir=tmp_path)
    settings = compat.html_writer_settings(app.env)
    assert isinstance(settings, Values)
    assert settings.language_code == app.env.settings["language_code"]


def test_myst_renderer_and_its_include_mock():
    source = inspect.getsource(MockState.__init__)
    assert "self._renderer = renderer" in source, "MyST's MockState no longer keeps its renderer as _renderer"
    assert list(inspect.signature(MockIncludeDirective.__init__).parameters)[1] == "renderer"


def test_myst_renders_unknown_links_in_one_method():
    method = SphinxRenderer.render_link_unknown
    assert list(inspect.signature(getattr(method, "__wrapped__", method)).parameters)[:2] == ["self", "token"]


def test_weasyprint_pages_keep_their_box_tree():
    weasyprint = pytest.importorskip("weasyprint")
    document = weasyprint.HTML(string="<p>Hej</p>").render()
    box = compat.page_box(document.pages[0])
    assert hasattr(box, "children") and callable(box.content_box_x) and box.width > 0


def test_argparse_looks_its_messages_up_at_call_time_and_is_restored():
    assert callable(argparse._) and callable(argparse.ngettext)  # type: ignore[attr-defined]
    before = argparse._  # type: ignore[attr-defined]
    with compat.swedish_argparse(lambda m: {"usage: ": "användning: "}.get(m, m), lambda s, p, n: s):
        usage = argparse.ArgumentParser(prog="x").format_usage()
    assert usage.startswith("användning: x")
    assert argparse._ is before  # type: ignore[attr-defined]
    assert argparse.ArgumentParser(prog="x").format_usage().startswith("usage: x")


def test_sphinx_writes_one_page_with_write_docname():
    """rapport kontroll's builder resolves and writes its pages one by one."""
    from sphinx import builders

    assert list(inspect.signature(builders._write_docname).parameters) == ["docname", "env", "builder", "tags"]
