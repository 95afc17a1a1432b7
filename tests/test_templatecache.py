"""rapport.templatecache: compiled theme templates are kept beside the environment, and
an edited template is compiled again."""

from __future__ import annotations

from conftest import minimal_project
from rapport.templatecache import CACHE_DIR

LAYOUT = '{%- extends "!layout.html" %}\n{%- block footer %}<p class="märke">MARK</p>{{ super() }}{%- endblock %}\n'


def test_compiled_templates_are_kept_and_an_edited_template_is_compiled_again(make_app, tmp_path):
    src = minimal_project(tmp_path, 'templates_path = ["_templates"]\n')
    (src / "_templates").mkdir()
    layout = src / "_templates" / "layout.html"
    layout.write_text(LAYOUT.replace("MARK", "första"), encoding="utf-8")
    app = make_app("html", srcdir=src)
    app.build()
    assert 'class="märke">första<' in (app.outdir / "index.html").read_text(encoding="utf-8")
    cached = {p.name: p.stat().st_mtime_ns for p in (app.doctreedir / CACHE_DIR).iterdir()}
    assert len(cached) >= 5  # the theme's layout, its parts and ours

    layout.write_text(LAYOUT.replace("MARK", "andra"), encoding="utf-8")
    app = make_app("html", srcdir=src)
    app.build()
    assert 'class="märke">andra<' in (app.outdir / "index.html").read_text(encoding="utf-8")
    again = {p.name: p.stat().st_mtime_ns for p in (app.doctreedir / CACHE_DIR).iterdir()}
    assert set(again) == set(cached)
    rewritten = {name for name in again if again[name] != cached[name]}
    assert len(rewritten) == 1  # only the edited template was compiled again
