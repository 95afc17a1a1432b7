"""The report model: front matter, standard sections, standing content and their warnings."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from conftest import warnings_of
from docutils import nodes
from trusttools import root_fixture

ROOT = "sections"

EXPECTED_WARNINGS = [
    "rapporter/2025/2025-01-01.md:5: WARNING: Det obligatoriska avsnittet ”Kommunikativ lägesbild” "
    "saknas (skriv :::{avsnitt} kommunikation) [rapport.section-missing]",
    "rapporter/2025/2025-01-02.md:15: WARNING: Okänt avsnitt ”vaderlek”; serien test har avsnitten: "
    "sammanfattning, kommunikation, kommentar, talesperson [rapport.section-unknown]",
    "rapporter/2025/2025-01-03.md:15: WARNING: Avsnittet ”Sammanfattande lägesbild” förekommer två "
    "gånger (första gången på rad 7) [rapport.section-duplicate]",
    "rapporter/2025/2025-01-04.md:11: WARNING: Avsnittet ”Sammanfattande lägesbild” ska stå före "
    "”Kommunikativ lägesbild” [rapport.section-order]",
    "rapporter/2025/2025-01-05.md:11: WARNING: Avsnittet ”Kommunikativ lägesbild” är tomt [rapport.section-empty]",
    "rapporter/2025/2025-01-06.md:3: WARNING: Sammanställt: ”2025-13-45” är inget giltigt datum [rapport.date-invalid]",
    "rapporter/2025/2025-01-07.md:1: WARNING: Uppgift om när rapporten sammanställdes saknas "
    "(lägg till sammanstallt: ÅÅÅÅ-MM-DD TT:MM i front matter) [rapport.date-missing]",
    "rapporter/2025/2025-01-08.md:3: WARNING: Front matter går inte att läsa: raden kan inte tolkas "
    "(kontrollera kolon, citattecken och hakparenteser) [rapport.frontmatter]",
    "rapporter/2025/2025-01-12.md:2: WARNING: Okänd serie ”okand”; kända serier: annan, test [rapport.series-unknown]",
]


def soup(app, docname: str) -> BeautifulSoup:
    page = BeautifulSoup((app.outdir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
    for link in page.select("a.headerlink"):  # the "¶" permalink after each heading
        link.decompose()
    return page


#: the test project built once (HTML), for the tests that only read the build
built = root_fixture(ROOT)

#: the same built once by the dummy builder (doctrees only)
dummy_built = root_fixture(ROOT, "dummy")


def test_each_bad_input_gives_exactly_one_swedish_warning_with_file_and_line(built):
    assert warnings_of(built) == EXPECTED_WARNINGS


def test_good_report_renders_sections_as_headings_with_stable_anchors(built):
    page = soup(built, "rapporter/2025/2025-09-25")
    sections = page.select("section.rapport-avsnitt")
    assert [s["id"] for s in sections] == ["sammanfattning", "kommunikation", "kommentar", "talesperson"]
    assert [s.h2.get_text(strip=True) for s in sections] == [
        "Sammanfattande lägesbild",
        "Kommunikativ lägesbild",
        "Verksamhetens kommentar",
        "Talesperson",
    ]
    # the compile date in Swedish style, right under the heading
    meta = page.select_one("p.rapport-meta")
    assert meta.get_text() == "Sammanställt 25 september 2025 kl. 8.30"
    assert meta.find_previous_sibling("h1").get_text(strip=True).startswith("Testrapport 25 september 2025")
    # sections appear in the page's table of contents (what the theme's "Innehåll" shows)
    toc = built.env.tocs["rapporter/2025/2025-09-25"]
    anchors = [ref["anchorname"] for ref in toc.findall(nodes.reference)]
    assert anchors == ["", "#sammanfattning", "#kommunikation", "#kommentar", "#talesperson"]
    assert page.html["lang"] == "sv"


def test_standing_section_is_inserted_once_and_can_be_overridden(built):
    standard = soup(built, "rapporter/2025/2025-09-25").select_one("section#talesperson")
    assert standard.get_text(" ", strip=True) == "Talesperson Stående talesperson, beslutsfattare"
    override = soup(built, "rapporter/2025/2025-01-10").select_one("section#talesperson")
    assert "En särskild talesperson för den här rapporten." in override.get_text()
    assert "Stående talesperson" not in override.get_text()
    # the standing snippet is not a page of its own
    assert not (built.outdir / "_standard").exists()


def test_content_is_not_lost_on_bad_input(built):
    unknown = soup(built, "rapporter/2025/2025-01-02")
    assert "Innehållet försvinner inte." in unknown.get_text()
    duplicate = soup(built, "rapporter/2025/2025-01-03")
    ids = [s["id"] for s in duplicate.select("section.rapport-avsnitt")]
    assert ids == ["sammanfattning", "kommunikation", "sammanfattning-2", "talesperson"]
    assert "Punkt två." in duplicate.get_text()


def test_restructuredtext_sources_work_with_the_directives(built):
    page = soup(built, "rapporter/2025/2025-01-09")
    assert page.select_one("p.rapport-meta").get_text() == "Sammanställt 9 januari 2025 kl. 14.05"
    assert [s["id"] for s in page.select("section.rapport-avsnitt")] == [
        "sammanfattning",
        "kommunikation",
        "talesperson",
    ]
    assert "Kommunikation i rst." in page.get_text()
    # standing content (Markdown) is rendered in a reST report too
    assert "Stående talesperson" in page.select_one("section#talesperson").get_text()


def test_another_series_defines_its_own_sections(built):
    page = soup(built, "rapporter/2025/2025-01-11")
    assert [s.h2.get_text(strip=True) for s in page.select("section.rapport-avsnitt")] == ["Kort läge"]


def test_year_page_lists_reports_newest_first_and_landing_shows_latest(built):
    year = soup(built, "rapporter/2025/index")
    dates = [a.get_text() for a in year.select("ul.rapport-arkiv > li > p > strong > a")]
    assert dates[0] == "25 september 2025"
    assert dates == sorted(dates, key=lambda d: dates.index(d))  # stable
    assert "9 januari 2025" in dates and dates.index("9 januari 2025") < dates.index("1 januari 2025")
    summary = year.select_one("ul.rapport-arkiv > li .rapport-sammanfattning").get_text()
    assert summary == "Första punkten i lägesbilden."
    # the line says the date once: a title that is the series' name and the date adds nothing
    first = year.select_one("ul.rapport-arkiv > li > p").get_text(" ", strip=True)
    assert first.count("25 september 2025") == 1, first
    landing = soup(built, "index")
    latest = landing.select_one(".rapport-senaste")
    assert latest.select_one("a")["href"] == "rapporter/2025/2025-09-25.html"
    assert "Sammanställt 25 september 2025 kl. 8.30" in latest.get_text()


def test_section_nodes_in_doctree(dummy_built):
    doctree = dummy_built.env.get_doctree("rapporter/2025/2025-09-25")
    keys = [n["rapport_section"] for n in doctree.findall(nodes.section) if "rapport_section" in n]
    assert keys == ["sammanfattning", "kommunikation", "kommentar", "talesperson"]
    reports = dummy_built.env.domains["rapport"].data["reports"]
    report = reports["rapporter/2025/2025-09-25"]
    assert report.summary == "Första punkten i lägesbilden."
    assert report.date_text == "25 september 2025 kl. 8.30"


@pytest.mark.sphinx(
    "html",
    testroot=ROOT,
    freshenv=True,
    confoverrides={"suppress_warnings": ["rapport.section-empty", "rapport.frontmatter"]},
)
def test_suppress_warnings_accepts_the_subtypes(app):
    app.build()
    text = "\n".join(warnings_of(app))
    assert "rapport.section-empty" not in text
    assert "rapport.frontmatter" not in text
    assert "rapport.section-order" in text


def test_no_traceback_and_strict_build_fails(tmp_path):
    """A strict build (-W) fails with a non-zero exit; no input produces a traceback."""
    import sys
    from pathlib import Path

    from sphinxrun import run_sphinx

    src = Path(__file__).parent / "roots" / "test-sections"
    # the command's exit code and output, from its own entry point run in this process
    result = run_sphinx(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(src), str(tmp_path / "out")]
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(re.findall(r"\[rapport\.", result.stderr)) == len(EXPECTED_WARNINGS)


# -- a block nested with too few colons ----------------------------------------------------

NESTED = """\
---
serie: test
sammanstallt: 2025-10-02 08:30
---

# Testrapporten 2 oktober 2025

{outer}{{avsnitt}} sammanfattning
- En punkt före beslutet.

:::{{beslut}} RS-TEST-1
:datum: 2025-10-01
:organ: Regionstyrelsen
:titel: Ett beslut i avsnittet
:status: fattat
Beslutets text.
:::

- En punkt efter beslutet.
{outer}

:::{{avsnitt}} atgarder
- 1/10: [Sidan](https://example.org/sidan)
:::
"""


def test_fence_traps_follow_the_nesting_the_writer_meant() -> None:
    from rapport.sections import FenceTrap, fence_traps

    text = (
        ":::{avsnitt} a\n:::{beslut} X\n:::\n:::\n"  # a trap
        "```md\n:::{avsnitt} b\n:::{faq} Y\n:::\n:::\n```\n"  # shown as code: none
        "::::{avsnitt} c\n:::{beslut} Z\n:::\n::::\n"  # nested right
        ":::{avsnitt} d\n::::{note}\n::::\n:::\n"  # more colons inside: a trap too
    )
    assert fence_traps(text) == [FenceTrap(2, "beslut", "avsnitt", 1, 3), FenceTrap(16, "note", "avsnitt", 15, 3)]
    assert fence_traps("Ingen text med kolon.\n") == []


def test_a_decision_nested_with_as_many_colons_warns_at_its_line(tmp_path) -> None:  # noqa: ANN001
    import shutil

    from test_cli import ROOTS
    from trusttools import sphinx_main

    project = tmp_path / "projekt"
    shutil.copytree(ROOTS / "test-cli", project)
    report = project / "docs/rapporter/2025/2025-10-02.md"
    report.write_text(NESTED.format(outer=":::"), encoding="utf-8")
    warnings = sphinx_main(project, "html", tmp_path / "html", tmp_path / "doctrees")
    assert (
        "rapporter/2025/2025-10-02.md:11: WARNING: Blocket :::{beslut} står inne i :::{avsnitt} (rad 8) med lika "
        "många kolon, så dess avslutande ::: avslutar det yttre blocket: texten efter hamnar utanför och nästa "
        "avsnitt kan försvinna från sidan. Skriv fler kolon på det yttre blocket, till exempel ::::{avsnitt} … "
        "::::" + " [rapport.block-nesting]"
    ) in warnings.splitlines()

    # nested as the warning says: no warning, and both sections are on the page
    report.write_text(NESTED.format(outer="::::"), encoding="utf-8")
    warnings = sphinx_main(project, "html", tmp_path / "html2", tmp_path / "doctrees2")
    assert "block-nesting" not in warnings
    page = BeautifulSoup((tmp_path / "html2/rapporter/2025/2025-10-02.html").read_text(encoding="utf-8"), "html.parser")
    assert [s["id"] for s in page.select("section.rapport-avsnitt")][:2] == ["sammanfattning", "atgarder"]
    assert "En punkt efter beslutet." in page.select_one("section#sammanfattning").get_text()
