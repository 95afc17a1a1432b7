"""Private API of the dependencies: each use is wrapped in rapport.compat and pinned here.

Every test names the private attribute a wrapper relies on. An upgrade that removes or
changes it fails here, with the dependency's name, instead of in a build somewhere.
"""

from __future__ import annotations

import argparse
import inspect
from pathlib import Path

import pytest
from docutils.frontend import Values
from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
from myst_parser.mocking import MockIncludeDirective, MockState

from rapport import compat

ROOT = Path(__file__).resolve().parent.parent


def test_every_private_access_of_the_extension_is_in_compat():
    """No module but compat reaches into another package's private names (``x._y``)."""
    allowed = {"compat.py"}
    found = []
    for path in sorted((ROOT / "_ext" / "rapport").rglob("*.py")):
        if path.name in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            for private in (
                "env._app",
                "._registry",
                "_page_box",
                "argparse._",
                "._renderer",
                "_get_settings",
                "_write_docname",
            ):
                if private in code:
                    found.append(f"{path.relative_to(ROOT)}:{number}: {private}")
    assert found == []


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
