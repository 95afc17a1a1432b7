"""The site's menu (rapport.site.nav): built once per build, printed on every page.

The fictitious test project tests/roots/test-search (Region Fjällmark, reports in 2024
and 2025, one of them a draft) is built with Sphinx's testing fixtures. The menu must
list the latest published reports and the archive's year pages on every page, mark the
page's own link, and cost no global toctree resolution per page (issue 15).
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sphinx.builders.html import StandaloneHTMLBuilder


def soup(app, name: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / name).read_text(encoding="utf-8"), "html.parser")


def menu(page: BeautifulSoup):
    nav = page.select_one('nav.rapport-nav[aria-label="Webbplatsens meny"]')
    assert nav is not None, "no menu on the page"
    return nav


def top_level(nav) -> list[str]:
    return [a.get_text(strip=True) for a in nav.select(":scope > div > ul > li > a")]


@pytest.mark.sphinx("html", testroot="search", freshenv=True)
def test_menu_lists_latest_reports_and_year_pages_without_resolving_toctrees(app, monkeypatch):
    calls: list[str] = []
    resolve = StandaloneHTMLBuilder._get_local_toctree

    def counted(self, docname, *args, **kwargs):  # noqa: ANN001, ANN202
        calls.append(docname)
        return resolve(self, docname, *args, **kwargs)

    monkeypatch.setattr(StandaloneHTMLBuilder, "_get_local_toctree", counted)
    app.build()
    # the theme's sidebar used to resolve the global toctree here for every page
    assert calls == []

    page = soup(app, "rapporter/2025/2025-03-06.html")
    nav = menu(page)
    assert top_level(nav) == ["Start", "Arkiv", "Beslutsregister", "Frågor och svar", "Om webbplatsen"]
    latest = nav.select_one("ul[data-rapport-senaste]")
    # newest first; the draft of 2 oktober 2025 is not published
    assert [a.get_text() for a in latest.select("li > a")] == ["18 september 2025", "6 mars 2025", "14 november 2024"]
    assert [a["href"] for a in latest.select("li > a")] == ["2025-09-18.html", "2025-03-06.html", "../2024/2024-11-14.html"]
    assert latest["aria-labelledby"] == "rapport-nav-senaste"
    assert nav.select_one("#rapport-nav-senaste").get_text() == "Senaste rapporter"
    archive = nav.select_one(":scope > div > ul > li:has(> a[href='../index.html'])")
    assert [a.get_text() for a in archive.select(":scope > ul > li > a")] == ["Rapporter 2025", "Rapporter 2024"]
    # the page's own link, and only that one, is the current page
    current = nav.select('[aria-current="page"]')
    assert [(a.get_text(), a["href"]) for a in current] == [("6 mars 2025", "2025-03-06.html")]
    assert "current" in archive["class"]

    # the same menu on a page elsewhere, with links relative to that page
    other = menu(soup(app, "om-sidan.html"))
    assert top_level(other) == top_level(nav)
    assert [a["href"] for a in other.select("ul[data-rapport-senaste] a")][0] == "rapporter/2025/2025-09-18.html"
    assert [(a.get_text(), a["href"]) for a in other.select('[aria-current="page"]')] == [
        ("Om webbplatsen", "om-sidan.html")
    ]
    assert other.select("li.current > a") == [other.select_one('[aria-current="page"]')]


@pytest.mark.sphinx("html", testroot="search", freshenv=True)
def test_latest_reports_script_brings_older_pages_up_to_date(app):
    app.build()
    script = (app.outdir / "_static" / "rapport-senaste.js").read_text(encoding="utf-8")
    assert '{"uri": "rapporter/2025/2025-09-18.html", "title": "18 september 2025"}' in script
    assert "2025-10-02" not in script  # the draft
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "_static/rapport-senaste.js" in page
    assert "_static/rapport-meny.css" in page


def test_a_new_year_page_reaches_the_menu_of_every_page(make_app, tmp_path, rootdir):
    import shutil

    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-search", src)
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    page = app.outdir / "om-sidan.html"
    before = page.stat().st_mtime_ns
    assert "Rapporter 2023" not in page.read_text(encoding="utf-8")
    # a year page for an earlier year: the archive lists it, so every page's menu changes
    (src / "rapporter" / "2023").mkdir()
    (src / "rapporter" / "2023" / "index.md").write_text("# Rapporter 2023\n\n:::{rapportar}\n:::\n", encoding="utf-8")
    again = make_app("html", srcdir=src)
    again.build()
    assert page.stat().st_mtime_ns != before
    archive = menu(soup(again, "om-sidan.html")).select_one(":scope > div > ul > li:has(> a[href='rapporter/index.html'])")
    assert [a.get_text() for a in archive.select(":scope > ul > li > a")] == [
        "Rapporter 2025",
        "Rapporter 2024",
        "Rapporter 2023",
    ]
