"""Audiences: internal content is labelled on the intranet and appears nowhere in the public build.

The root tests/roots/test-trust plants the marker ``zqxmarkor`` in internal content
of every kind: a block in a report, a decision, an FAQ entry and an action inside
internal blocks, a whole internal report and a whole internal page (whose file name
carries the marker, so a sitemap or toctree entry would show it). Every output file
(HTML, Pagefind's gzip-compressed index, JSON, feed, sitemap, PDFs with their metadata)
is searched for it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from trusttools import build, copy_root, files_containing

MARKER = "zqxmarkor"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils saknas")


def build_site(src: Path, out: Path, audience: str, pdf: bool = True) -> tuple[list[str], list[str]]:
    """``make site`` / ``make site-publik`` on a test root: PDFs first, then the HTML."""
    common = dict(rapport_audience=audience, rapport_pdf_dir=str(out / "rapportpdf"))
    pdf_warnings = build(src, out, "rapportpdf", **common).warnings if pdf else []
    html = build(src, out, "html", **common)
    return html.warnings, pdf_warnings


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("audience")
    src = copy_root("trust", base)
    result = {}
    for audience in ("internt", "publik"):
        html_warnings, _ = build_site(src, base / audience, audience)
        assert html_warnings == [], (audience, html_warnings)
        result[audience] = base / audience
    return result


@pytest.mark.slow
def test_marker_reaches_every_output_of_the_internal_build(sites: dict[str, Path]) -> None:
    """Proves the search below can fail: each kind of output carries the marker internally."""
    found = files_containing(sites["internt"], MARKER)
    kinds = {
        "html page": lambda f: f.startswith("html/rapporter/2025/2025-01-10.html"),
        "internal page": lambda f: f == "html/zqxmarkor-sida.html",
        "search index": lambda f: f.startswith("html/pagefind/fragment/"),
        "decisions JSON": lambda f: f == "html/beslut.json",
        "FAQ JSON": lambda f: f == "html/faq.json",
        "feed": lambda f: f == "html/rapporter.atom",
        "sitemap": lambda f: f == "html/sitemap.xml",
        "timeline": lambda f: f == "html/tidslinje.html",
        "report PDF": lambda f: f == "rapportpdf/rapporter/2025/2025-01-10.pdf",
        "internal report PDF": lambda f: f == "rapportpdf/rapporter/2025/2025-02-14.pdf",
        "PDF copy in the site": lambda f: f == "html/pdf/rapporter/2025/2025-02-14.pdf",
        "bundle": lambda f: f == "rapportpdf/samlingsvolym.pdf",
    }
    missing = [kind for kind, match in kinds.items() if not any(match(f) for f in found)]
    assert missing == [], found


@pytest.mark.slow
def test_public_build_has_no_internal_content_anywhere(sites: dict[str, Path]) -> None:
    out = sites["publik"]
    # everything that is published; the build cache (doctrees/) is not, and its config
    # holds the internal pages' file names (exclude_patterns)
    assert files_containing(out / "html", MARKER) == []
    assert files_containing(out / "rapportpdf", MARKER) == []
    # the public content is all there
    assert (out / "html/rapporter/2025/2025-01-10.html").is_file()
    assert (out / "rapportpdf/rapporter/2025/2025-01-10.pdf").is_file()
    assert any((out / "html/pagefind/fragment").iterdir())
    assert not (out / "html/rapporter/2025/2025-02-14.html").exists()
    assert not (out / "rapportpdf/rapporter/2025/2025-02-14.pdf").exists()
    assert not [p for p in (out / "html").glob("_sources/**/*") if p.is_file()]
    text = BeautifulSoup((out / "html/rapporter/2025/2025-01-10.html").read_text("utf-8"), "html.parser").get_text()
    assert "Publik nyhet" in text and "Internt" not in text


@pytest.mark.slow
def test_internal_build_labels_internal_content(sites: dict[str, Path]) -> None:
    soup = BeautifulSoup((sites["internt"] / "html/rapporter/2025/2025-01-10.html").read_text("utf-8"), "html.parser")
    boxes = soup.select("div.rapport-internt")
    assert len(boxes) == 2
    for box in boxes:
        assert box.select_one("p.rapport-internt-etikett").get_text(strip=True) == "Internt"
    assert "zqxmarkor i ett block" in boxes[0].get_text()
    page = BeautifulSoup((sites["internt"] / "html/zqxmarkor-sida.html").read_text("utf-8"), "html.parser")
    assert page.select_one("section.rapport-internt p.rapport-internt-etikett").get_text(strip=True) == "Internt"


def test_page_that_becomes_internal_disappears_from_the_public_build(tmp_path: Path) -> None:
    """Sphinx leaves the output of a vanished document; the public build removes it."""
    src = copy_root("trust", tmp_path)
    out = tmp_path / "publik"
    build_site(src, out, "publik", pdf=False)
    page = out / "html/rapporter/2025/2025-03-21.html"
    assert page.is_file()
    report = src / "rapporter/2025/2025-03-21.md"
    report.write_text(report.read_text("utf-8").replace("---\n\n#", "internt: true\n---\n\n# zqxmarkor", 1), "utf-8")
    warnings, _ = build_site(src, out, "publik", pdf=False)
    assert warnings == []
    assert not page.exists()
    assert files_containing(out / "html", MARKER) == []
    assert "2025-03-21" not in (out / "html/sitemap.xml").read_text("utf-8")


def test_misspelt_audience_stops_the_build(tmp_path: Path) -> None:
    from sphinx.errors import ConfigError

    src = copy_root("trust", tmp_path)
    with pytest.raises(ConfigError, match="rapport_audience ska vara ”internt” eller ”publik”, inte ”public”"):
        build(src, tmp_path, "dummy", rapport_audience="public")


def test_internal_block_closed_by_an_inner_directive_is_reported(tmp_path: Path) -> None:
    src = copy_root("trust", tmp_path)
    report = src / "rapporter/2025/2025-03-21.md"
    report.write_text(
        report.read_text("utf-8")
        + "\n:::{internt}\nIntern text.\n\n:::{faq} kort-staket\n:fraga: Fråga?\n:amne: Alfa\nSvar.\n:::\n"
        "Det här blir publikt.\n:::\n",
        "utf-8",
    )
    result = build(src, tmp_path, "dummy", rapport_audience="publik")
    assert "rapporter/2025/2025-03-21.md:14: WARNING: Blocket internt avslutas för tidigt: det inre direktivet " \
        "avslutas med samma antal kolon som internt, så texten efter det blir inte intern. Skriv internt med fler " \
        "kolon än direktiven inuti, till exempel ::::{internt} … :::: [rapport.internal-fence]" in result.warnings
