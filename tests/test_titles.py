"""rapport.site.titles: each title node is rendered once per build, and the pages are
the same as without it."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from docutils import nodes
from sphinx.builders.html import StandaloneHTMLBuilder

from rapport.site import titles


def _build(make_app, src: Path):
    app = make_app("html", srcdir=src)
    app.build()
    app.cleanup()
    return app


def test_titles_are_rendered_once_and_the_pages_do_not_change(make_app, tmp_path, rootdir, monkeypatch):
    render = StandaloneHTMLBuilder.render_partial
    titles_rendered: Counter[int] = Counter()
    kept = []

    def spy(self, node):
        if isinstance(node, nodes.title):
            titles_rendered[id(node)] += 1
            kept.append(node)  # ids stay unique while the nodes live
        return render(self, node)

    with_memo, without = tmp_path / "med", tmp_path / "utan"
    shutil.copytree(rootdir / "test-registry", with_memo)
    shutil.copytree(rootdir / "test-registry", without)
    with monkeypatch.context() as patch:
        patch.setattr(StandaloneHTMLBuilder, "render_partial", spy)
        app = _build(make_app, with_memo)
    pages = sorted(p.relative_to(app.outdir) for p in Path(app.outdir).rglob("*.html"))
    assert len(pages) >= 8
    assert titles_rendered and max(titles_rendered.values()) == 1

    with monkeypatch.context() as patch:
        patch.setattr(titles, "_on_builder_inited", lambda app: None)
        plain = _build(make_app, without)
    for page in pages:
        assert (Path(app.outdir) / page).read_bytes() == (Path(plain.outdir) / page).read_bytes(), page
