"""Site search in a real browser: Pagefind's index driven from headless Chromium.

Two sites are built once per test process: the real site (docs/) for the words readers
remember ("expertgruppen", "Ambulink", "besparing"), and the clearly fictitious test
project tests/roots/test-search (Region Fjällmark: two years, three deciding bodies)
for facets, date sorting and bad input. Each is served by a Python http.server thread
on 127.0.0.1; every request the browser makes and every console message is recorded,
and each test ends by asserting that nothing left 127.0.0.1 and nothing was logged as
an error.

Needs Debian's Chromium at /usr/bin/chromium (``make test`` installs it with
tools/install-test-deps.sh); without it these tests are skipped with that reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsertools import Server, Tab, path_of

REPO = Path(__file__).resolve().parent.parent
DEMO_ROOT = REPO / "tests" / "roots" / "test-search"
SEED_REPORT = "rapporter/2025/2025-09-25.html"

pytestmark = pytest.mark.browser


# -- building and serving -----------------------------------------------------------------


@pytest.fixture(scope="session")
def real_html(real_site) -> Path:
    """The real site's HTML, built once per test run (conftest.real_site)."""
    assert (real_site.html / "pagefind" / "pagefind.js").exists(), "the build did not write the Pagefind index"
    return real_site.html


@pytest.fixture(scope="session")
def demo_site(built_root) -> Path:
    """The test project's HTML: the build test_search.py reads (conftest.built_root),
    made once per test process; served, never written."""
    html = Path(built_root("search").outdir)
    assert (html / "pagefind" / "pagefind.js").exists(), "the build did not write the Pagefind index"
    return html


@pytest.fixture(scope="session")
def demo(demo_site) -> Iterator[Server]:
    with Server(demo_site) as server:
        yield server


# -- the real site: the words readers remember ---------------------------------------------


def test_ctrl_k_opens_the_search_and_expertgruppen_finds_the_decision(tab, real_server, real_html):
    tab.open(real_server.base + SEED_REPORT)
    tab.open_dialog()
    found = tab.search("expertgruppen")
    assert found["count"] > 0
    results = tab.results()
    decision = next(r for r in results if r["type"] == "Beslut")
    assert decision["organ"] == "Regionstyrelsen"
    assert decision["date"] == "2025-09-23"
    assert "expertgruppens återrapportering" in decision["title"]
    # the hit goes straight to the decision block, which exists on its page
    page, anchor = path_of(decision["href"]).split("#")
    assert anchor == "beslut-rs-2025-09-23"
    assert f'id="{anchor}"' in (real_html / page).read_text(encoding="utf-8")
    assert any(m.lower().startswith("expertgrupp") for m in decision["marks"])
    facets = tab.facets()
    assert set(facets) == {"Typ", "År", "Organ"}
    assert any(label.startswith("Beslut") for label in facets["Typ"])
    assert any(label.startswith("Regionstyrelsen") for label in facets["Organ"])
    tab.check_clean(real_server.origin)


def test_ambulink_finds_the_faq_entry_and_the_report(tab, real_server):
    tab.open(real_server.base + "index.html")
    tab.page.locator(".search-button__button").first.click()
    tab.search("Ambulink")
    results = tab.results()
    faq = next(r for r in results if r["type"] == "Frågor och svar")
    assert faq["title"] == "Varför behöver Ambulink ersättas?"
    assert "#faq-" in faq["href"]
    report = next(r for r in results if r["type"] == "Rapport")
    assert path_of(report["href"]) == SEED_REPORT
    assert report["date"] == "2025-09-25"
    tab.check_clean(real_server.origin)


def test_besparing_and_beslutet_find_other_forms_by_stemming(tab, real_server):
    """Both words in turn in the same dialog: each finds the forms of its stem."""
    tab.open(real_server.base + SEED_REPORT)
    tab.open_dialog()
    tab.search("besparing")
    results = tab.results()
    assert any(r["type"] == "Rapport" and path_of(r["href"]) == SEED_REPORT for r in results)
    assert "Besparingen" in {m.rstrip(".,") for r in results for m in r["marks"]}
    tab.search("beslutet")
    marks = {m.lower().rstrip(".,;:”") for r in tab.results() for m in r["marks"]}
    assert "beslut" in marks
    assert "beslutet" in marks
    tab.check_clean(real_server.origin)


def test_a_decision_known_only_by_a_latest_date_says_so(tab, real_server):
    tab.open(real_server.base + "index.html")
    tab.open_dialog()
    tab.search("Läkemedelsverket")
    decision = next(r for r in tab.results() if r["type"] == "Beslut")
    assert decision["organ"] == "Läkemedelsverket"
    assert decision["dateText"] == "senast 25 september 2025"
    assert decision["date"] == "2025-09-25"
    tab.check_clean(real_server.origin)


def test_a_hit_in_a_report_links_to_the_section_heading(tab, real_server, real_html):
    tab.open(real_server.base + SEED_REPORT)
    tab.open_dialog()
    tab.search("talesperson")
    report = next(r for r in tab.results() if path_of(r["href"]) == SEED_REPORT)
    subs = [path_of(s) for s in report["subs"]]
    assert f"{SEED_REPORT}#talesperson-rubrik" in subs
    html = (real_html / SEED_REPORT).read_text(encoding="utf-8")
    assert re.search(r'<h2 id="talesperson-rubrik">Talesperson', html)
    tab.check_clean(real_server.origin)


def test_search_page_is_swedish_and_reads_the_query_from_the_address(tab, real_server):
    tab.open(real_server.base + "search.html?q=Ambulink")
    tab.page.wait_for_function("window.__searches.some((s) => s.query === 'Ambulink')")
    page = tab.page
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("article h1").inner_text() == "Sök"
    assert page.title().startswith("Sök")
    scope = ".bd-article"
    assert re.fullmatch(r"\d+ träffar?", tab.status(scope))
    assert page.locator(f"{scope} label[for]").inner_text() == "Sortera efter"
    options = page.locator(f"{scope} select option").all_inner_texts()
    assert options == ["Relevans", "Datum, nyast först", "Datum, äldst först"]
    assert tab.results(scope)[0]["title"]
    # Ctrl+K on the search page focuses its own field, not the dialog
    page.locator("body").click()
    page.keyboard.press("Control+k")
    assert page.evaluate("document.activeElement.closest('.bd-article') !== null")
    tab.check_clean(real_server.origin)


def test_no_page_loads_sphinx_search_index(real_html):
    """The theme would load searchindex.js on every page; Pagefind replaces it."""
    assert not (real_html / "searchindex.js").exists()
    page = (real_html / SEED_REPORT).read_text(encoding="utf-8")
    assert "searchindex.js" not in page and "searchtools.js" not in page
    assert 'src="../../_static/rapport-search.js' in page


# -- the fictitious test project: facets and sorting ---------------------------------------


def test_facets_narrow_by_type_year_and_deciding_body(tab, demo):
    tab.open(demo.base + "rapporter/2025/2025-09-18.html")
    tab.open_dialog()
    tab.search("Norrsken")
    facets = tab.facets()
    assert [label.split(" (")[0] for label in facets["Typ"]] == [
        "Rapport",
        "Beslut",
        "Frågor och svar",
        "Åtgärd",
        "Sida",
    ]
    assert [label.split(" (")[0] for label in facets["År"]] == ["2025", "2024"]
    assert [label.split(" (")[0] for label in facets["Organ"]] == [
        "Regionfullmäktige i Fjällmark",
        "Regionstyrelsen i Fjällmark",
    ]
    dialog = tab.page.locator("#pst-search-dialog")
    before = tab.searches()
    dialog.locator(".rapport-search__facet label", has_text="Beslut").locator("input").check()
    tab.wait_for_search_after(before)
    results = tab.results()
    assert {r["type"] for r in results} == {"Beslut"}
    assert len(results) == 2
    before = tab.searches()
    dialog.locator(".rapport-search__facet label", has_text="2024").locator("input").check()
    tab.wait_for_search_after(before)
    results = tab.results()
    assert [(r["organ"], r["date"]) for r in results] == [("Regionstyrelsen i Fjällmark", "2024-11-12")]
    tab.check_clean(demo.origin)


def test_a_reference_to_a_decision_is_searchable_in_the_report_that_makes_it(tab, demo):
    """Only the decision block itself is left to its own record, not references to it."""
    tab.open(demo.base + "index.html")
    tab.open_dialog()
    tab.search("tidplan")
    reports = [path_of(r["href"]) for r in tab.results() if r["type"] == "Rapport"]
    assert "rapporter/2025/2025-03-06.html" in reports
    tab.check_clean(demo.origin)


def _sorted_by(tab: Tab, key: str) -> list[dict[str, Any]]:
    before = tab.searches()
    tab.page.locator(".bd-article select").select_option(key)
    tab.wait_for_search_after(before)
    more = tab.page.locator(".bd-article .rapport-search__more")
    while more.is_visible():
        shown = len(tab.results(".bd-article"))
        more.click()
        # the next page of hits is appended at once, and the button hidden after the last
        tab.page.wait_for_function(
            "([n]) => document.querySelectorAll('.bd-article .rapport-search__result').length > n", arg=[shown]
        )
    return tab.results(".bd-article")


def test_sorting_by_date_both_ways_keeps_undated_pages_last(tab, demo):
    tab.open(demo.base + "search.html?q=Norrsken")
    tab.page.wait_for_function("window.__searches.some((s) => s.query === 'Norrsken')")
    total = tab.page.evaluate("window.__searches[window.__searches.length - 1].count")
    for key, reverse in (("nyast", True), ("aldst", False)):
        results = _sorted_by(tab, key)
        assert len(results) == total  # nothing vanishes when sorting
        dates = [r["date"] for r in results if r["date"]]
        assert len(dates) >= 8
        assert dates == sorted(dates, reverse=reverse)
        undated = [i for i, r in enumerate(results) if not r["date"]]
        assert undated and undated == list(range(len(dates), len(results)))
    tab.check_clean(demo.origin)


def test_site_below_a_path_on_another_server(tab, demo_site, tmp_path):
    """Relative paths only: the site works at /intranat/vim/ and from any page depth."""
    mount = tmp_path / "intranat"
    mount.mkdir()
    (mount / "vim").symlink_to(demo_site, target_is_directory=True)
    with Server(tmp_path, prefix="intranat/vim/") as server:
        for start in ("index.html", "rapporter/2024/2024-11-14.html"):
            tab.open(server.base + start)
            tab.open_dialog()
            tab.search("Fjällambulans")
            results = tab.results()
            assert results
            for result in results:
                assert result["href"].startswith(server.base)
                target = result["href"].split("#")[0]
                assert tab.page.request.get(target).status == 200
        tab.check_clean(server.origin)


# -- bad input ------------------------------------------------------------------------------

BAD_QUERIES = {
    "10000-tecken": "ö" * 10_000,
    "citattecken": '"',
    "fras-utan-traff": '"Norrsken fjällbjörk"',
    "parenteser": "((([[[{{",
    "regex": r".*+?^$\|",
    "script": "<script>window.__injected=1</script>",
    "img-onerror": '<img src=x onerror="window.__injected=1">',
    "arabiska": "مستشفى الطوارئ",
    "kinesiska": "医院信息系统",
    # a word that occurs only in a draft report (tests/roots/test-search), never indexed
    "bara-i-utkast": "Utkastordet",
}


def test_bad_input_gives_inga_traffar_and_no_markup(tab, demo):
    """Each query in turn in the same dialog, as a reader (or an attacker) would try them:
    each finds nothing, says so, and leaves no markup of its own in the page."""
    tab.open(demo.base + "om-sidan.html")
    tab.open_dialog()
    dialog = tab.page.locator("#pst-search-dialog")
    for name, query in BAD_QUERIES.items():
        found = tab.search(query)
        assert found["count"] == 0, name
        # the status is this query's, not the one before
        assert tab.status().startswith(f"Inga träffar för ”{query.strip()[:20]}"), name
        assert dialog.locator("script, img, iframe, b").count() == 0, name
        assert tab.page.evaluate("window.__injected") == 0, name
    tab.check_clean(demo.origin)


def test_empty_query_shows_nothing_and_no_error(tab, demo):
    tab.open(demo.base + "index.html")
    tab.open_dialog()
    tab.search("Norrsken")
    assert tab.results()
    tab.search("   ")
    assert tab.results() == []
    assert tab.page.locator("#pst-search-dialog .rapport-search__panel").is_hidden()
    tab.check_clean(demo.origin)


def test_markup_in_page_text_is_shown_as_text(tab, demo):
    tab.open(demo.base + "index.html")
    tab.open_dialog()
    tab.search("fet")
    result = next(r for r in tab.results() if path_of(r["href"]) == "om-sidan.html")
    assert result["title"] == "Om webbplatsen"
    assert tab.page.locator("#pst-search-dialog .rapport-search__excerpt b").count() == 0
    excerpt = tab.page.locator("#pst-search-dialog .rapport-search__result .rapport-search__excerpt").first.inner_text()
    assert "<b>fet</b>" in excerpt
    tab.check_clean(demo.origin)


# -- on a phone -----------------------------------------------------------------------------


def test_the_dialog_on_a_phone_has_a_close_button(tab, demo):
    """At 390 px there is no Esc key and hardly any backdrop: "Stäng" is on screen beside
    the field, reached with Tab from it, and closes the dialog."""
    tab.page.set_viewport_size({"width": 390, "height": 844})
    try:
        tab.open(demo.base + "rapporter/2025/2025-09-18.html")
        opener = tab.page.locator(".search-button__button:visible, .search-button:visible").first
        opener.click()
        dialog = tab.page.locator("#pst-search-dialog")
        field = dialog.locator("input[name=q]")
        field.wait_for(state="visible")
        tab.search("när börjar Norrsken användas")
        close = dialog.get_by_role("button", name="Stäng", exact=True)
        assert close.is_visible()
        box, field_box = close.bounding_box(), field.bounding_box()
        assert box["x"] >= field_box["x"] + field_box["width"] and box["x"] + box["width"] <= 390
        assert box["height"] >= 24 and box["width"] >= 24  # WCAG 2.5.8 target size
        assert tab.page.evaluate("document.activeElement.name") == "q"
        tab.page.keyboard.press("Tab")
        assert tab.page.evaluate("document.activeElement.textContent") == "Stäng"
        tab.page.keyboard.press("Enter")
        assert tab.page.evaluate("document.getElementById('pst-search-dialog').open") is False
        tab.check_clean(demo.origin)
    finally:
        tab.page.set_viewport_size({"width": 1280, "height": 900})


def test_a_question_on_the_test_site_finds_the_answer(tab, demo):
    """The fictitious project: the question word is left out, the FAQ entry that answers
    comes first with its answer's sentence, the words marked."""
    tab.open(demo.base + "index.html")
    tab.open_dialog()
    tab.search("när börjar Norrsken användas")
    first = tab.results()[0]
    assert (first["type"], first["title"]) == ("Frågor och svar", "När börjar Norrsken användas?")
    sentence = tab.page.locator("#pst-search-dialog .rapport-search__result > .rapport-search__excerpt").first
    assert (
        sentence.inner_text()
        == "Norrsken börjar användas enligt den tidplan som regionstyrelsen beslutade i november 2024."
    )
    assert first["marks"] == ["Norrsken", "börjar", "användas"]
    tab.check_clean(demo.origin)
