"""Search markup and index build (rapport.site.search), without a browser.

The fictitious test project tests/roots/test-search is built once for the tests that
only read the build (trusttools.root_fixture), and with Sphinx's testing fixtures for
those that build it their own way; the browser side is in test_search_browser.py.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from conftest import warnings_of
from trusttools import root_fixture

#: one fresh build of tests/roots/test-search, read by the tests that only look at what it
#: wrote (test_search_browser.py serves the same build in the browser)
built = root_fixture("search")


def soup(app, page: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / page).read_text(encoding="utf-8"), "html.parser")


def hidden_values(body, attribute: str) -> list[str]:
    return [span[attribute] for span in body.find_all("span", attrs={attribute: True}, recursive=False)]


def test_report_page_carries_title_date_sort_and_facets(built):
    app = built
    assert warnings_of(app) == []
    page = soup(app, "rapporter/2025/2025-03-06.html")
    bodies = page.select("[data-pagefind-body]")
    assert len(bodies) == 1
    body = bodies[0]
    # the indexed body is the article's content: no navigation, no sidebars
    assert body.find_parent("article") is not None
    assert body.find_parent(id="pst-primary-sidebar") is None
    assert hidden_values(body, "data-pagefind-meta") == [
        "title:Lägesrapport Region Fjällmark 6 mars 2025",
        "datum:2025-03-06",
        "datumtext:6 mars 2025",
    ]
    assert hidden_values(body, "data-pagefind-sort") == ["datum:2025-03-06"]
    assert hidden_values(body, "data-pagefind-filter") == ["Typ:rapport", "År:2025"]
    # each section heading has an id of its own, for Pagefind's sub-results
    heading = page.find(id="sammanfattning-rubrik")
    assert heading.name == "h2"
    assert heading.get_text().startswith("Sammanfattande lägesbild")
    assert heading.find_parent("section")["id"] == "sammanfattning"


def test_other_pages_are_type_sida_and_generated_pages_are_not_indexed(built):
    app = built
    body = soup(app, "om-sidan.html").select_one("[data-pagefind-body]")
    assert hidden_values(body, "data-pagefind-filter") == ["Typ:sida"]
    assert hidden_values(body, "data-pagefind-meta") == ["title:Om webbplatsen"]
    # the site builds no general index (html_use_index = False); if a project does, it is not indexed
    assert (
        not (app.outdir / "genindex.html").exists() or soup(app, "genindex.html").select("[data-pagefind-body]") == []
    )
    assert soup(app, "search.html").select("[data-pagefind-body]") == []


def test_sphinx_search_is_replaced_and_the_index_is_built(built):
    app = built
    out = app.outdir
    assert not (out / "searchindex.js").exists()
    assert (out / "pagefind" / "pagefind.js").exists()
    # Pagefind's own search interfaces are not used and not published
    assert not list((out / "pagefind").glob("pagefind-*ui.*"))
    assert list((out / "pagefind" / "fragment").iterdir())
    # the record pages for decisions, FAQ entries and actions are gone after indexing
    assert not (out / "_sokposter").exists()
    search = soup(app, "search.html")
    assert search.select_one("article h1").get_text() == "Sök"
    assert search.select_one("[data-rapport-search-page] form.bd-search input[name=q]") is not None
    # the theme's dialog (search button, Ctrl+K) holds the same search
    dialog = soup(app, "index.html").select_one("dialog#pst-search-dialog[data-rapport-search]")
    assert dialog.select_one(":scope > form.bd-search input[name=q]") is not None
    head = str(soup(app, "rapporter/2024/2024-11-14.html").head)
    assert "searchindex.js" not in head and "searchtools.js" not in head


def test_records_carry_entry_type_date_body_and_link(built):
    """The rooms that own the entries offer them (rapport-search-records)."""
    from rapport.site.search.collect import search_records

    app = built
    every = search_records(app)
    # decisions, then questions, then actions (their priorities in rapport.events)
    kinds = [r.kind for r in every]
    assert kinds == sorted(kinds, key=["beslut", "FAQ", "åtgärd"].index)
    records = {(r.kind, r.anchor): r for r in every}
    decision = records[("beslut", "beslut-hsn-2025-03-04")]
    assert decision.docname == "rapporter/2025/2025-03-06"
    assert decision.title == "Fjällambulans ersätts"
    assert decision.date == "2025-03-04"
    assert decision.bodies == ("Hälso- och sjukvårdsnämnden i Fjällmark",)
    faq = records[("FAQ", "faq-fjallambulans")]
    assert faq.title == "Varför ersätts Fjällambulans?"
    assert faq.date == "2025-03-06"
    # an action links to its report's action section
    actions = sorted((r.date, r.docname, r.anchor) for r in every if r.kind == "åtgärd")
    assert actions == [
        ("2024-11-13", "rapporter/2024/2024-11-14", "atgarder"),
        ("2025-03-05", "rapporter/2025/2025-03-06", "atgarder"),
        ("2025-09-17", "rapporter/2025/2025-09-18", "atgarder"),
    ]


@pytest.mark.sphinx("html", testroot="search", freshenv=True)
def test_missing_pagefind_is_a_swedish_warning_and_the_build_goes_on(app, monkeypatch):
    from rapport.site.search import collect

    monkeypatch.setattr(collect, "pagefind_executable", lambda: None)
    app.build()
    assert warnings_of(app) == [
        "WARNING: Sökindexet kunde inte byggas: programmet Pagefind (paketet pagefind-bin) saknas [rapport.search-index]"
    ]
    assert (app.outdir / "index.html").exists()
    assert not (app.outdir / "_sokposter").exists()


# a folder of its own: the other tests of the root "search" leave a Pagefind index in theirs
@pytest.mark.sphinx(
    "html", testroot="search", srcdir="search-sphinx", freshenv=True, confoverrides={"rapport_search": "sphinx"}
)
def test_sphinx_search_can_be_kept_for_comparison(app):
    app.build()
    assert (app.outdir / "searchindex.js").exists()
    assert not (app.outdir / "pagefind").exists()
    assert soup(app, "index.html").select("[data-pagefind-body]") == []


def test_a_draft_report_and_its_entries_are_not_searchable(built):
    from rapport.site.search.collect import search_records

    app = built
    assert soup(app, "rapporter/2025/2025-10-02.html").select("[data-pagefind-body]") == []
    every = search_records(app)
    assert [r for r in every if r.docname == "rapporter/2025/2025-10-02"] == []
    assert "beslut-rf-2025-09-16" in {r.anchor for r in every}


def _bundle_files(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_index_is_byte_identical_when_built_again(built):
    """Pagefind writes filters in hash-map order; the build rewrites them sorted."""
    import json

    from rapport.site.search.indexer import BUCKETS_STATE, STATS_FILE
    from rapport.site.search.indexing import on_build_finished

    app = built
    bundle = app.outdir / "pagefind"
    first = _bundle_files(bundle)
    # the index step again over the same output: Pagefind's own filter order differs
    # from run to run (seen in 2 of 3 runs on this project)
    for _ in range(3):
        # without the last run's state every part is indexed again (with it, an unchanged
        # part is left as it is and Pagefind does not run at all)
        (app.doctreedir / BUCKETS_STATE).unlink()
        on_build_finished(app, None)
        stats = json.loads((app.doctreedir / STATS_FILE).read_text(encoding="utf-8"))
        assert stats["indexed"] == ["2020-2029", "sidor"]
        assert _bundle_files(bundle) == first


def test_cbor2_writes_back_every_file_pagefind_wrote(built, tmp_path):
    """The build rewrites Pagefind's filter chunks and meta file with cbor2: it must
    write back, byte for byte, what Pagefind wrote. Pagefind is run here with the
    build's own command line on the build's staged pages."""
    import gzip
    import subprocess

    import cbor2

    from rapport.site.search.canonical import SIGNATURE, canonicalise_bundle
    from rapport.site.search.pagefind import pagefind_command, pagefind_executable
    from rapport.site.search.staging import STAGING_DIR

    app = built
    plain = tmp_path / "pagefind"
    staged = app.doctreedir / STAGING_DIR / "2020-2029"
    run = subprocess.run(pagefind_command(pagefind_executable(), staged, plain), capture_output=True, check=False)
    assert run.returncode == 0, run.stderr
    checked = 0
    for path in plain.rglob("*"):
        if path.suffix not in (".pf_meta", ".pf_filter", ".pf_index"):
            continue  # fragments are JSON, and Pagefind writes them deterministically
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(SIGNATURE)
        assert SIGNATURE + cbor2.dumps(cbor2.loads(data[len(SIGNATURE) :])) == data
        checked += 1
    assert checked >= 4
    # Pagefind's own order is rewritten into the same files the build published
    assert canonicalise_bundle(plain) == ""
    published = app.outdir / "pagefind"
    assert (plain / "pagefind-entry.json").read_bytes() == (published / "pagefind-entry.json").read_bytes()
    filters = sorted(p.name for p in (plain / "filter").iterdir())
    assert filters == sorted(p.name for p in (published / "filter").iterdir())
