"""Search that finds reports first, in an index built in parts (issues 13 and 15).

In Debian's Chromium, as test_search_browser.py: the real site (docs/) for the words
readers look for, and the fictitious test project tests/roots/test-search (Region
Fjällmark, reports in 2024 and 2025) built with one index part per year, to show that
the parts are merged in the browser and that an edit re-indexes only its year.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsertools import Server, Tab, axe_run, path_of
from test_search_browser import DEMO_ROOT
from trusttools import build

pytestmark = pytest.mark.browser

REPORT_2024 = "rapporter/2024/2024-11-14.md"


def build_parts(src: Path, out: Path) -> None:
    """The test project with one search index part per year, into ``out/html`` (doctrees
    in ``out/doctrees``); in this process, each build by an application of its own, as
    each ``sphinx-build`` run is."""
    build(src, out, rapport_search_years_per_part=1)


@pytest.fixture(scope="module")
def parts_project(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("parts") / "src"
    shutil.copytree(DEMO_ROOT, src)
    return src


@pytest.fixture(scope="module")
def parts_site(parts_project: Path) -> Path:
    out = parts_project.parent / "out"
    build_parts(parts_project, out)
    return out / "html"


@pytest.fixture(scope="module")
def parts(parts_site: Path) -> Iterator[Server]:
    with Server(parts_site) as server:
        yield server


def own_files(bundle: Path) -> dict[str, str]:
    """Digests of one index part's own Pagefind files (the primary's folder also holds the
    other parts, the list of parts and the word list)."""
    files = {}
    for path in sorted(bundle.rglob("*")):
        relative = path.relative_to(bundle)
        own = relative.parts[0] in ("fragment", "index", "filter") or (
            len(relative.parts) == 1 and relative.name.startswith(("pagefind", "wasm."))
        )
        if path.is_file() and own:
            files[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


# -- ranking on the real site -----------------------------------------------------------------


def test_a_report_is_among_the_first_two_hits(tab: Tab, real_server: Server) -> None:
    tab.open(real_server.base + "index.html")
    tab.open_dialog()
    for query in ("ambulink", "regionstyrelsen"):
        result = tab.search(query)
        assert result["count"] >= 3, query  # the report competes with entries and pages
        types = [hit["type"] for hit in tab.results()]
        assert "Rapport" in types[:2], (query, types)
        # navigation pages (the topic page, the landing page) come after the content
        assert types.index("Sida") > types.index("Rapport"), (query, types)
    tab.check_clean(real_server.origin)


def test_a_query_that_finds_nothing_offers_the_sites_own_spelling(tab: Tab, real_server: Server) -> None:
    """A misspelt word, then a question with one (in turn, in the same dialog): the
    status offers the spelling the site uses, and only one that finds something."""
    tab.open(real_server.base + "index.html")
    tab.open_dialog()
    status = tab.page.locator("#pst-search-dialog .rapport-search__status")
    for query, offered in (("millenium", "Millennium"), ("vem är tlsperson", "Talesperson")):
        assert tab.search(query)["count"] == 0, query
        status.locator(".rapport-search__suggestion").wait_for()
        assert status.inner_text() == f"Inga träffar för ”{query}”. Menade du {offered}?"
        # the suggestion is a button that runs the search it offers
        done = tab.searches()
        status.locator("button", has_text=offered).click()
        tab.page.wait_for_function(
            "([n, q]) => window.__searches.slice(n).some((s) => s.query === q && s.count > 0)", arg=[done, offered]
        )
        assert tab.page.locator("#pst-search-dialog input[name=q]").input_value() == offered
    tab.check_clean(real_server.origin)


def test_the_writers_guide_is_out_of_reader_results_unless_chosen(tab: Tab, real_server: Server) -> None:
    tab.open(real_server.base + "search.html")
    scope = ".rapport-search--page"
    # a word of the writer's guide ("förhandsgranska", the preview command)
    tab.search("förhandsgranska", scope=scope)
    assert "Skrivguide" not in [hit["type"] for hit in tab.results(scope)]
    assert not any("/skrivguide/" in hit["href"] for hit in tab.results(scope))
    # under Typ, the guide is a choice of its own, and ticking it finds its pages
    option = tab.page.locator(f"{scope} .rapport-search__facet label", has_text="Skrivguide")
    done = tab.searches()
    option.locator("input").check()
    tab.wait_for_search_after(done)
    hits = tab.results(scope)
    assert hits and {hit["type"] for hit in hits} == {"Skrivguide"}
    assert all("/skrivguide/" in hit["href"] for hit in hits)
    # no raw front matter or directive source in what is shown
    excerpts = tab.page.locator(f"{scope} .rapport-search__excerpt").all_inner_texts()
    assert not [text for text in excerpts if "---" in text or ":::" in text or "sammanstallt:" in text]
    tab.check_clean(real_server.origin)


def test_the_search_button_is_named_by_its_visible_text(tab: Tab, real_server: Server) -> None:
    """WCAG 2.5.3 Label in Name, checked by axe's (experimental) rule for it at desktop width."""
    tab.open(real_server.base + "rapporter/2025/2025-09-25.html")
    buttons = tab.page.locator(".search-button-field")
    assert buttons.count() == 1 and buttons.first.is_visible()
    visible = " ".join(buttons.first.inner_text().split())
    assert visible == "Sök Ctrl + K"
    # the accessible name as Chromium computes it (the theme's button was named "Sök")
    snapshot = buttons.first.aria_snapshot()
    assert snapshot.startswith('- button "') and visible in snapshot.split('"')[1], snapshot
    response = axe_run(tab.page, {"runOnly": {"type": "rule", "values": ["label-content-name-mismatch"]}})
    assert response["violations"] == []
    # one search box on desktop: the header's search icon is hidden at this width
    shown = tab.page.locator(".search-button, .search-button-field, form.bd-search").evaluate_all(
        "(els) => els.filter((e) => e.getClientRects().length && !e.closest('dialog')).length"
    )
    assert shown == 1


# -- an index in parts, merged in the browser ---------------------------------------------------


def test_the_parts_are_merged_and_hits_come_from_every_year(tab: Tab, parts: Server, parts_site: Path) -> None:
    manifest = json.loads((parts_site / "pagefind" / "rapport-index.json").read_text(encoding="utf-8"))
    # the newest year is the primary bundle; 2024 and the other pages are merged into it
    assert manifest["merge"] == [{"path": "2024/", "weight": 1}, {"path": "sidor/", "weight": 0.3}]
    assert (parts_site / "pagefind" / "2024" / "pagefind-entry.json").is_file()
    assert not (parts_site / "pagefind" / "2024" / "pagefind.js").exists()  # the primary's script serves all
    tab.open(parts.base + "search.html")
    scope = ".rapport-search--page"
    tab.search("Norrsken", scope=scope)
    years = {hit["date"][:4] for hit in tab.results(scope) if hit["date"]}
    assert years == {"2024", "2025"}
    # sorted by date across the parts: newest first, then the 2024 part's hits
    done = tab.searches()
    tab.page.select_option(f"{scope} select", "nyast")
    tab.wait_for_search_after(done)
    dates = [hit["date"] for hit in tab.results(scope) if hit["date"]]
    assert dates == sorted(dates, reverse=True) and dates[0][:4] == "2025" and dates[-1][:4] == "2024"
    tab.check_clean(parts.origin)


def test_an_edit_re_indexes_only_its_year(parts_project: Path, parts_site: Path) -> None:
    bundle = parts_site / "pagefind"
    primary, year_2024 = own_files(bundle), own_files(bundle / "2024")
    report = parts_project / REPORT_2024
    report.write_text(
        report.read_text(encoding="utf-8").replace(
            "- Lägesuppdateringar sker löpande på Fjällnätet.",
            "- Lägesuppdateringar sker löpande på Fjällnätet och i Fjällbladet.",
        ),
        encoding="utf-8",
    )
    build_parts(parts_project, parts_site.parent)
    stats = json.loads((parts_site.parent / "doctrees" / "rapport-search-stats.json").read_text(encoding="utf-8"))
    assert "2024" in stats["indexed"] and "2025" not in stats["indexed"]
    assert own_files(bundle / "2024") != year_2024
    assert own_files(bundle) == primary  # the 2025 part was not indexed again


# -- questions, as readers type them (issue 24) ------------------------------------------------


def excerpts(tab: Tab, scope: str = "#pst-search-dialog") -> list[str]:
    """The sentence shown under each hit (not under its sections)."""
    return tab.page.locator(f"{scope} .rapport-search__result > .rapport-search__excerpt").all_inner_texts()


def test_a_question_is_searched_without_its_question_words(tab: Tab, real_server: Server) -> None:
    """ "vem är talesperson" found nothing when every word had to be on the page: the
    question words are left out, and the hit shows the sentence that answers."""
    tab.open(real_server.base + "index.html")
    tab.open_dialog()
    assert tab.search("vem är talesperson")["count"] >= 1
    assert tab.status() == "3 träffar för ”talesperson” (småord som ”vem” och ”är” räknas inte)."
    first = tab.results()[0]
    assert first["type"] == "Rapport" and path_of(first["href"]) == "rapporter/2025/2025-09-25.html"
    # the heading found, with the sentence under it: who it is
    assert excerpts(tab)[0] == "Talesperson. Anders Kullbratt, beslutsfattare i samordningsgruppen."
    assert first["marks"][0] == "Talesperson"  # the word, without its full stop
    tab.check_clean(real_server.origin)


#: (question, the FAQ entry that answers it, the sentence of its answer, the words marked)
QUESTIONS = [
    (
        "vad är Ambulink",
        "Varför behöver Ambulink ersättas?",
        "Ambulink är ett system som används av ambulanssjukvården.",
        ["Ambulink"],
    ),
    (
        "hur många berörs av neddragningen",
        "Hur många berörs av minskningen av organisationen runt Millennium?",
        "Sammanlagt berörs närmare 150 personer jämfört med bemanningen i våras.",
        ["berörs"],
    ),
    (
        "vem leder samordningsgruppen?",
        "Vem leder samordningsgruppens arbete?",
        "Arbetet genomförs med stabsmetodik och leds av beslutsfattarna Anders Kullbratt och Per Albertsson.",
        ["leds"],
    ),
]


def test_a_question_finds_the_answer_and_shows_its_sentence(tab: Tab, real_server: Server) -> None:
    """The FAQ entry that answers is the first hit, labelled as the site names its FAQ,
    and shows the sentence of the answer (not its own question again), words marked;
    one question after the other in the same dialog."""
    tab.open(real_server.base + "index.html")
    tab.open_dialog()
    for question, title, sentence, marked in QUESTIONS:
        tab.search(question)
        first = tab.results()[0]
        assert (first["type"], first["title"]) == ("Frågor och svar", title), question
        assert excerpts(tab)[0] == sentence, question
        assert first["marks"] == marked, question
    tab.check_clean(real_server.origin)


def test_a_question_no_page_answers_whole_shows_the_pages_with_most_of_its_words(tab: Tab, real_server: Server) -> None:
    """No page has both "sparar" and "neddragningen": the pages with one of them are
    shown, and the status says which words were found together."""
    tab.open(real_server.base + "index.html")
    tab.open_dialog()
    assert tab.search("hur mycket sparar neddragningen")["count"] >= 2
    assert tab.status().startswith(
        "Inga träffar har alla orden i ”sparar neddragningen”. 4 träffar med 1 av 2 ord: ”sparar” eller ”neddragningen”."
    )
    hits = {hit["title"]: text for hit, text in zip(tab.results(), excerpts(tab), strict=True)}
    assert hits["Hur mycket beräknas minskningen av organisationen spara?"] == (
        "Besparingen beräknas till cirka 130 miljoner kronor per år."
    )
    tab.check_clean(real_server.origin)
