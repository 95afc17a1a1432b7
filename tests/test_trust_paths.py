"""The build never reads outside the source folder.

tests/roots/test-trust-paths has one report in Markdown and one in reST naming files
outside the source folder in every way a writer can: ``include``, ``literalinclude``,
``raw`` and ``csv-table`` with ``:file:`` and ``:url:``, ``download``, images and
figures, a Markdown link to a file, and an image inside the folder that is a symlink to
one outside, and a ``literalinclude`` whose ``:diff:`` file is outside. The test plants the outside files (with a marker of its own) next to the
copied source folder, plus a symlinked report file and a symlinked year folder, and
also aims at /etc/passwd. Every case must be a warning at its line, and neither the
marker nor /etc/passwd may appear in any output file of the site or the PDFs, while a
file included from inside the folder does (so the check can fail).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from trusttools import build, copy_root, files_containing

MARKER = "ZQXUTANFOR4417"
PASSWD = "root:x:0:0"
INSIDE = "INNEHALL-INNANFOR-ZQX"
REPORT_MD = "rapporter/2025/2025-01-10.md"
REPORT_RST = "rapporter/2025/2025-01-17.rst"


def _plant(base: Path, src: Path) -> None:
    out = base / "utanfor"
    (out / "arkiv").mkdir(parents=True)
    (out / "hemlig.md").write_text(f"# Hemlig\n\n{MARKER} i md\n", encoding="utf-8")
    (out / "hemlig.txt").write_text(f"{MARKER} i txt\n", encoding="utf-8")
    (out / "tabell.csv").write_text(f"a,{MARKER}\n", encoding="utf-8")
    (out / "bild.png").write_bytes((src / "rapporter/2025/bild-inne.png").read_bytes() + MARKER.encode())
    (out / "rapport.md").write_text(
        f"---\nsammanstallt: 2025-03-07 09:00\n---\n\n# Länkad {MARKER}\n\n"
        f":::{{avsnitt}} sammanfattning\n{MARKER}\n:::\n",
        encoding="utf-8",
    )
    (out / "arkiv" / "index.md").write_text(f"# Arkiv {MARKER}\n", encoding="utf-8")
    os.symlink(out / "bild.png", src / "rapporter/2025/bild-lank.png")
    os.symlink(out / "rapport.md", src / "rapporter/2025/2025-03-07.md")
    os.symlink(out / "arkiv", src / "rapporter/2024")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[str]]:
    base = tmp_path_factory.mktemp("paths")
    src = copy_root("trust-paths", base)
    _plant(base, src)
    html = build(src, base, "html", rapport_pdf_dir=str(base / "rapportpdf"))
    pdf = build(src, base, "rapportpdf", rapport_pdf_dir=str(base / "rapportpdf"))
    return base, html.warnings, pdf.warnings


#: the two warnings of a path the build does not read, as the writer reads them
OUTSIDE = (
    "{name} hänvisar till ”{target}”, som ligger utanför källmappen; filen läses inte "
    "(lägg filen i docs/ och hänvisa dit) [rapport.path-outside]"
)
URL = "{name} hämtar ”{target}” från nätet; bygget hämtar inget från nätet och läser inte adressen [rapport.path-url]"

UP = "../../.."
PASSWD_PATH = "../../../../../../../../../../etc/passwd"
#: (warning, what names the path, the path) of the cases both reports hold, in their order
CASES = [
    (OUTSIDE, "include", f"{UP}/utanfor/hemlig.md"),
    (OUTSIDE, "include", PASSWD_PATH),
    (OUTSIDE, "literalinclude", f"{UP}/utanfor/hemlig.md"),
    (OUTSIDE, "raw", "/etc/passwd"),
    (URL, "raw", "https://example.org/x.html"),
    (OUTSIDE, "csv-table", f"{UP}/utanfor/tabell.csv"),
    (URL, "csv-table", "https://example.org/x.csv"),
    (OUTSIDE, "Nedladdningslänken", f"{UP}/utanfor/hemlig.txt"),
    (OUTSIDE, "Bilden", f"{UP}/utanfor/bild.png"),
    (OUTSIDE, "Bilden", f"{UP}/utanfor/bild.png"),
    (OUTSIDE, "Bilden", "bild-lank.png"),
]
#: the Markdown report also links the outside file (a download), both end with a :diff: file
LINK = (OUTSIDE, "Nedladdningslänken", f"{UP}/utanfor/hemlig.txt")
DIFF = (OUTSIDE, "literalinclude", f"{UP}/utanfor/hemlig.txt")
#: source -> the line of each case
LINES = {
    REPORT_MD: ([10, 13, 16, 19, 23, 27, 31, 35, 37, 39, 43, 45, 52], [*CASES, LINK, DIFF]),
    REPORT_RST: ([10, 12, 14, 16, 19, 22, 25, 28, 30, 33, 37, 43], [*CASES, DIFF]),
}
EXPECTED = {
    source: [(line, text.format(name=name, target=target)) for line, (text, name, target) in zip(*lines, strict=True)]
    for source, lines in LINES.items()
}


@pytest.mark.parametrize("source", [REPORT_MD, REPORT_RST])
def test_every_outside_path_is_one_warning_at_its_line(site: tuple[Path, list[str], list[str]], source: str) -> None:
    _, warnings, _ = site
    got = [w for w in warnings if w.startswith(f"{source}:") and "[rapport.path-" in w]
    # images and downloads are checked after parsing, so sort by line
    got.sort(key=lambda w: int(w.split(":")[1]))
    assert got == [f"{source}:{line}: WARNING: {text}" for line, text in EXPECTED[source]]


def test_symlinked_report_file_and_folder_are_not_read(site: tuple[Path, list[str], list[str]]) -> None:
    base, warnings, _ = site
    assert (
        "rapporter/2025/2025-03-07.md:1: WARNING: ”rapporter/2025/2025-03-07.md” är en genväg (symbolisk länk) "
        "till en plats utanför källmappen och läses inte; flytta in filen i docs/ i stället [rapport.source-outside]"
        in warnings
    )
    assert (
        "WARNING: ”rapporter/2024” är en genväg (symbolisk länk) till en plats utanför källmappen och läses inte; "
        "flytta in filen i docs/ i stället [rapport.source-outside]" in warnings
    )
    assert not (base / "html/rapporter/2025/2025-03-07.html").exists()
    assert not (base / "html/rapporter/2024").exists()
    # an image symlink is no source: it is checked where a source names it
    assert not [w for w in warnings if "bild-lank.png" in w and "source-outside" in w]


def test_nothing_from_outside_reaches_any_output(site: tuple[Path, list[str], list[str]]) -> None:
    base, _, _ = site
    for folder in ("html", "rapportpdf"):
        assert files_containing(base / folder, MARKER) == [], folder
        assert files_containing(base / folder, PASSWD) == [], folder
    assert sorted(p.name for p in (base / "html/_images").iterdir()) == ["bild-inne.png"]
    assert not (base / "html/_downloads").exists()


def test_files_inside_the_source_folder_still_work(site: tuple[Path, list[str], list[str]]) -> None:
    base, html_warnings, pdf_warnings = site
    pages = files_containing(base / "html", INSIDE)
    assert "rapporter/2025/2025-01-10.html" in pages and "rapporter/2025/2025-01-17.html" in pages
    assert any(p.startswith("pagefind/fragment/") for p in pages)
    assert "rapporter/2025/2025-01-10.pdf" in files_containing(base / "rapportpdf", INSIDE)
    html = (base / "html/rapporter/2025/2025-01-10.html").read_text("utf-8")
    assert 'alt="bild inne"' in html and "bild utanför" in html  # the outside image leaves its alt text
    assert not [w for w in html_warnings + pdf_warnings if "inne.txt" in w or "bild-inne" in w]


def test_discovery_walk_reports_outside_links_and_survives_a_loop(tmp_path: Path) -> None:
    from rapport.trust.confine import _outside_sources
    from sphinx.util.matching import Matcher

    src = tmp_path / "docs"
    (src / "a").mkdir(parents=True)
    (src / "a" / "x.md").write_text("# X\n", encoding="utf-8")
    os.symlink("..", src / "a" / "tillbaka")  # back into the tree: no warning, no endless walk
    os.symlink("/etc", src / "a" / "etc")
    os.symlink("/etc/passwd", src / "a" / "losen.md")
    os.symlink("/etc/passwd", src / "a" / "losen.txt")  # no source: checked where it is named
    (src / "_build").mkdir()
    os.symlink("/etc", src / "_build" / "etc")
    assert _outside_sources(src, Matcher(["_build"]), (".md", ".rst")) == ["a/etc", "a/losen.md"]
