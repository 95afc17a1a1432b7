"""Which pages are rewritten: one mechanism, per builder (rapport.registry.stale_pages).

A page shows things from other pages (a decision's title as link text, a register, a
report's neighbours). The PDF, e-mail and HTML builders share one environment (``make
site`` runs the PDF builder first); a change one builder has written must still reach
the next. The regression: entry link texts were tracked on the environment, not per
builder, so the first builder used up a title change the HTML build still had to write.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from rapport.registry import stale_pages

FIRST, SECOND, THIRD = "Beslutade om test ett", "Första nya titeln", "Andra nya titeln"


def _build(make_app, srcdir: Path, buildername: str):
    app = make_app(buildername, srcdir=srcdir, confoverrides={"rapport_pdf_dir": str(srcdir / "_build" / "rapportpdf")})
    app.build()
    app.cleanup()
    return app


def _link_texts(outdir: Path, page: str) -> list[str]:
    soup = BeautifulSoup((outdir / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    return [" ".join(a.get_text().split()) for a in soup.select("div.body a.reference.internal, article a.reference.internal")]


@pytest.mark.parametrize("other", ["dummy", pytest.param("rapportpdf", marks=pytest.mark.slow)])
def test_a_title_change_reaches_every_page_when_another_builder_ran_first(make_app, tmp_path, rootdir, other):
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-registry", src)
    out = Path(_build(make_app, src, "html").outdir)
    register = src / "beslutsregister.md"
    expected = {  # pages that link decision A-1 with its link text, and how
        "faq": "10 januari 2025, Nämnd A: {title}",
        "rapporter/2025/2025-01-01": "10 januari 2025, Nämnd A: {title}",
        "beslutsregister": "{title}",
    }
    for page, text in expected.items():
        assert text.format(title=FIRST) in _link_texts(out, page), page

    old = FIRST
    for new in (SECOND, THIRD):  # two successive renames, as in ``make site`` twice
        register.write_text(register.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        _build(make_app, src, other)  # the same doctrees, before the HTML build
        _build(make_app, src, "html")
        for page, text in expected.items():
            links = _link_texts(out, page)
            assert text.format(title=new) in links, (new, page, links)
            assert text.format(title=old) not in links, (new, page)
        old = new


def test_stale_pages_are_kept_per_builder_and_mechanism(make_app, rootdir, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-registry", src)
    env = _build(make_app, src, "dummy").env
    digests = {"a": "1", "b": "1"}
    assert stale_pages(env, "html", "test", digests) == ["a", "b"]
    assert stale_pages(env, "html", "test", digests) == []
    # another builder has not written them yet; another mechanism has its own digests
    assert stale_pages(env, "rapportpdf", "test", digests) == ["a", "b"]
    assert stale_pages(env, "html", "other", digests) == ["a", "b"]
    assert stale_pages(env, "html", "test", {"a": "2", "b": "1"}) == ["a"]
    # a page read again forgets its digests: it is written anyway
    env.domains["rapport"].clear_doc("b")
    assert stale_pages(env, "html", "test", {"a": "2", "b": "1"}) == ["b"]
