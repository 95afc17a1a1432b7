"""PDFs: tagged PDF/UA-1 per report, the bundle, the content cache, bad input, the HTML link.

The seed report's PDF is built from the real ``docs/`` (like test_site.py); everything
else uses the small fictitious project in roots/test-pdf (region "Fjällmark").
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from conftest import warnings_of
from test_site import SECTIONS, normalise, seed_sentences
from trusttools import Snapshot, build, copy_root, snapshot

SEED_PDF = "rapporter/2025/2025-09-25.pdf"
REPORTS = [
    "rapporter/2024/2024-12-20",
    "rapporter/2025/2025-01-10",
    "rapporter/2025/2025-02-14",
    "rapporter/2025/2025-03-21",
]
BAD = "rapporter/2025/2025-02-14.md"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils saknas")


def pdftotext(path: Path, first: int | None = None, last: int | None = None, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def outline(pdf: pikepdf.Pdf) -> list[tuple[str, int, list]]:
    """(title, 0-based page, children) for every bookmark."""

    def page_of(item: pikepdf.OutlineItem) -> int:
        dest = item.destination
        if dest is None and item.action is not None:
            dest = item.action.D
        return pikepdf.Page(dest[0]).index

    def walk(items):
        return [(item.title, page_of(item), walk(item.children)) for item in items]

    with pdf.open_outline() as tree:
        return walk(tree.root)


def assert_pdfua(pdf: pikepdf.Pdf, title: str) -> None:
    root = pdf.Root
    assert "/StructTreeRoot" in root
    assert root.MarkInfo.Marked is True
    assert str(root.Lang) == "sv"
    assert root.ViewerPreferences.DisplayDocTitle is True
    assert str(pdf.docinfo.Title) == title
    meta = pdf.open_metadata()
    assert meta["dc:title"] == title
    assert meta["pdfuaid:part"] == "1"
    document = root.StructTreeRoot.K[0]
    assert document.S == "/Document" and len(document.K) > 0


def fonts_of(pdf: pikepdf.Pdf) -> dict[str, bool]:
    """Base font name -> whether the font program is embedded."""
    found = {}
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
            found[str(font.BaseFont)] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def without_running_text(text: str, header: str, footer: str) -> str:
    """Drop the running header/footer lines and join words split at a hyphen."""
    lines = [
        line
        for line in text.splitlines()
        if line.strip() not in (header, footer) and not re.fullmatch(r"Sida \d+ av \d+", line.strip())
    ]
    return re.sub(r"-\s+", "-", normalise("\n".join(lines)))


# -- the seed report, built from the real docs/ --------------------------------------------


@pytest.fixture(scope="module")
def seed_pdfs(real_site) -> Path:
    """The real site's PDFs, built once per test run (conftest.real_site)."""
    assert "[rapport.pdf-" not in real_site.pdf_warnings  # the real report has nothing to fix
    return real_site.pdf


def test_seed_pdf_is_tagged_pdfua_with_swedish_language_title_and_embedded_fonts(seed_pdfs):
    with pikepdf.open(seed_pdfs / SEED_PDF) as pdf:
        assert_pdfua(pdf, "Regional rapport Samordning vårdinformationsmiljö 25 september 2025")
        assert pdf.pdf_version == "1.7"
        fonts = fonts_of(pdf)
        assert fonts and all(fonts.values()), fonts
        # every page's marked content is mapped in the ParentTree
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        keys = {int(nums[i]) for i in range(0, len(nums), 2)}
        assert {int(page.obj.StructParents) for page in pdf.pages} <= keys


def test_seed_pdf_has_a_bookmark_for_the_title_and_every_section(seed_pdfs):
    with pikepdf.open(seed_pdfs / SEED_PDF) as pdf:
        tree = outline(pdf)
    assert [title for title, _, _ in tree] == ["Regional rapport Samordning vårdinformationsmiljö 25 september 2025"]
    children = tree[0][2]
    assert [title for title, _, _ in children] == [label for _, label in SECTIONS]
    pages = [page for _, page, _ in children]
    assert pages == sorted(pages) and pages[0] == 0


def test_every_sentence_of_the_seed_is_in_its_pdf(seed_pdfs):
    path = seed_pdfs / SEED_PDF
    with pikepdf.open(path) as pdf:
        page_count = len(pdf.pages)
    raw = pdftotext(path)
    # header and footer on the pages: series name, compile date, "Sida N av M"
    assert f"Sida {page_count} av {page_count}" in raw
    assert "Sammanställt 25 september 2025 kl. 8.30" in raw
    assert 1 < page_count <= 4  # rapport_pdf_max_pages in conf.py
    text = without_running_text(
        raw, "Regional rapport Samordning vårdinformationsmiljö", "Sammanställt 25 september 2025 kl. 8.30"
    )
    sentences = seed_sentences()
    assert len(sentences) > 40
    # pdftotext joins a word broken at a line-end hyphen ("program-organisationen" ->
    # "programorganisationen"): compare the letters and punctuation without hyphens and spaces
    squeeze = lambda value: re.sub(r"[-\s]", "", value)  # noqa: E731
    missing = [s for s in sentences if squeeze(normalise(s)) not in squeeze(text)]
    assert missing == []


# -- the test project ---------------------------------------------------------------------

EXPECTED_WARNINGS = [
    f"{BAD}:11: WARNING: Ordet ”Vårdinformationsmiljösamordnin…” är 63 tecken långt och bryts mitt i ordet "
    "i PDF:en (saknas ett mellanslag?) [rapport.pdf-long-word]",
    f"{BAD}:9: WARNING: Bilden ”rapporter/2025/bilder/saknas.png” finns inte; PDF:en visar bildtexten i stället "
    "[rapport.pdf-image]",
    f"{BAD}:10: WARNING: Länken ”en sida som inte finns” går till ”saknas.md”, som inte finns; i PDF:en blir den "
    "vanlig text [rapport.pdf-link]",
    f"{BAD}:13: WARNING: Tabellen har 14 kolumner; i PDF:en blir kolumnerna smala och orden bryts (högst 6 "
    "kolumner ryms väl) [rapport.pdf-wide-table]",
    f"{BAD}:6: WARNING: Rapporten blir 3 sidor i PDF:en; den bör rymmas på 1 (rapport_pdf_max_pages) "
    "[rapport.pdf-pages]",
    f"{BAD}:19: WARNING: Tabellen delas över 3 sidor i PDF:en (rubrikraden upprepas på varje sida) "
    "[rapport.pdf-long-table]",
]


def pdf_warnings(app) -> list[str]:
    return [line for line in warnings_of(app) if "[rapport.pdf-" in line]


@pytest.fixture(scope="module")
def _first_build(tmp_path_factory) -> tuple[Any, Snapshot]:
    """roots/test-pdf built by rapportpdf from nothing, once for the module's tests that
    start from that build (some then edit and build again)."""
    base = tmp_path_factory.mktemp("pdf")
    src = copy_root("pdf", base)
    return build(src, src / "_build", "rapportpdf").app, snapshot(src)


@pytest.fixture
def fresh(_first_build: tuple[Any, Snapshot]) -> Any:
    """The application of that first build (its warnings and results), its project and
    output put back as the build left them (:class:`trusttools.Snapshot`): as if this
    test had just built it."""
    app, kept = _first_build
    kept.restore()
    return app


def test_bad_input_gives_swedish_warnings_with_file_and_line_and_the_pdf_is_still_written(fresh):
    app = fresh
    assert pdf_warnings(app) == EXPECTED_WARNINGS
    with pikepdf.open(app.outdir / BAD.replace(".md", ".pdf")) as pdf:
        assert len(pdf.pages) == 3
    text = normalise(pdftotext(app.outdir / BAD.replace(".md", ".pdf")))
    assert "[Bild saknas: Karta över Fjällmark]" in text
    assert "En länk till en sida som inte finns." in text
    assert "Rad 70 i en lång tabell" in text


def test_bundle_has_cover_contents_with_right_page_numbers_and_bookmarks_per_report_and_section(fresh):
    app = fresh
    bundle = app.outdir / "samlingsvolym.pdf"
    contents = pdftotext(bundle, 2, 2, layout=True)
    entries = [(label, int(page)) for label, page in re.findall(r"^\s*(\S.*?)\s{2,}(\d+)\s*$", contents, re.M)]
    assert [label for label, _ in entries] == [
        "20 december 2024",
        "10 januari 2025",
        "14 februari 2025",
        "21 mars 2025",
        "Bilaga 1. Beslutsregister",
    ]
    # each number is the page where the part's heading is
    for label, page in entries:
        heading = label.replace("Bilaga 1. ", "")
        assert heading in normalise(pdftotext(bundle, page, page)).split(" Sammanställt")[0], (label, page)
    with pikepdf.open(bundle) as pdf:
        assert_pdfua(pdf, "Testrapport Fjällmark – samlingsvolym 20 december 2024 – 21 mars 2025")
        tree = outline(pdf)
        assert len(pdf.pages) == 2 + 1 + 1 + 3 + 1 + 1
        fonts = fonts_of(pdf)
        assert fonts and all(fonts.values())
        # structure: every part's elements hang under /Document, on pages of this file
        document = pdf.Root.StructTreeRoot.K[0]
        titles = [str(kid.get("/T", "")) for kid in document.K]
        assert "Testrapport Fjällmark 14 februari 2025" in titles and "Beslutsregister" in titles
        pages = {page.obj.objgen for page in pdf.pages}
        stack, seen = [document], 0
        while stack:
            element = stack.pop()
            if isinstance(element, pikepdf.Dictionary):
                if "/Pg" in element:
                    assert element.Pg.objgen in pages
                    seen += 1
                kids = element.get("/K")
                if isinstance(kids, pikepdf.Array):
                    stack.extend(kids)
                elif isinstance(kids, pikepdf.Dictionary):
                    stack.append(kids)
        assert seen > 20
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert len(keys) == len(set(keys))
        assert {int(page.obj.StructParents) for page in pdf.pages} <= set(keys)
    assert [(title, page) for title, page, _ in tree] == [("Innehåll", 1)] + [
        (label, page - 1) for label, page in entries
    ]
    sections = {title: [child for child, _, _ in children] for title, _, children in tree}
    assert sections["10 januari 2025"] == ["Sammanfattande lägesbild", "Kommunikativ lägesbild"]
    assert sections["21 mars 2025"] == ["Sammanfattande lägesbild"]
    # the section bookmarks of the long report point into its pages
    long_report = next(children for title, _, children in tree if title == "14 februari 2025")
    assert [page for _, page, _ in long_report] == [4, 4]


@pytest.mark.sphinx(
    "rapportpdf",
    testroot="pdf",
    srcdir="pdf-range",
    freshenv=True,
    confoverrides={"rapport_pdf_from": "2025-01-01", "rapport_pdf_to": "2025-02-28"},
)
def test_date_range_bundle_holds_only_the_reports_in_the_range(app):
    app.build()
    bundle = app.outdir / "samlingsvolym-2025-01-01--2025-02-28.pdf"
    with pikepdf.open(bundle) as pdf:
        titles = [title for title, _, _ in outline(pdf)]
    assert titles == ["Innehåll", "10 januari 2025", "14 februari 2025", "Bilaga 1. Beslutsregister"]


@pytest.mark.sphinx(
    "rapportpdf",
    testroot="pdf",
    srcdir="pdf-archive",
    freshenv=True,
    confoverrides={"rapport_pdf_variant": "pdf/a-2a"},
)
def test_archival_variant_is_pdfa_2a_and_still_claims_pdfua(app):
    app.build()
    for name in ("rapporter/2025/2025-01-10.pdf", "samlingsvolym.pdf"):
        with pikepdf.open(app.outdir / name) as pdf:
            meta = pdf.open_metadata()
            assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "A")
            assert meta["pdfuaid:part"] == "1"
            assert "/OutputIntents" in pdf.Root
            assert "/StructTreeRoot" in pdf.Root


def test_unchanged_reports_are_not_rendered_again_and_an_edited_one_is(fresh, make_app):
    app = fresh
    assert sorted(d for d, r in app.builder.results.items() if r.rendered) == sorted(REPORTS + ["beslutsregister"])
    stamps = {d: (app.outdir / f"{d}.pdf").stat().st_mtime_ns for d in REPORTS}
    first_warnings = pdf_warnings(app)

    again = make_app("rapportpdf", srcdir=app.srcdir)
    again.build()
    assert [d for d, r in again.builder.results.items() if r.rendered] == []
    assert {d: (again.outdir / f"{d}.pdf").stat().st_mtime_ns for d in REPORTS} == stamps
    # warnings found at layout time come back from the cache
    assert pdf_warnings(again) == first_warnings

    source = app.srcdir / "rapporter/2025/2025-03-21.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace("Våren har kommit", "Sommaren har kommit"), encoding="utf-8"
    )
    third = make_app("rapportpdf", srcdir=app.srcdir)
    third.build()
    assert [d for d, r in third.builder.results.items() if r.rendered] == ["rapporter/2025/2025-03-21"]
    assert "Sommaren har kommit" in pdftotext(third.outdir / "rapporter/2025/2025-03-21.pdf")
    assert "Sommaren har kommit" in pdftotext(third.outdir / "samlingsvolym.pdf")


@pytest.mark.sphinx("rapportpdf", testroot="pdf", srcdir="pdf-failure", freshenv=True)
def test_a_failing_report_is_named_and_the_others_are_written(app, monkeypatch):
    from rapport.pdf.builder import RapportPdfBuilder

    original = RapportPdfBuilder._render

    def failing(self, docname, *args, **kwargs):
        if docname == "rapporter/2025/2025-01-10":
            raise ValueError("trasig layout")
        return original(self, docname, *args, **kwargs)

    monkeypatch.setattr(RapportPdfBuilder, "_render", failing)
    app.build()
    failures = [line for line in warnings_of(app) if "[rapport.pdf-failed]" in line]
    assert failures == [
        "rapporter/2025/2025-01-10.md: WARNING: PDF:en för rapporter/2025/2025-01-10 kunde inte skapas: "
        "ValueError: trasig layout (övriga PDF:er skrivs ändå) [rapport.pdf-failed]"
    ]
    assert not (app.outdir / "rapporter/2025/2025-01-10.pdf").exists()
    for docname in ("rapporter/2024/2024-12-20", "rapporter/2025/2025-03-21"):
        assert (app.outdir / f"{docname}.pdf").is_file()
    with pikepdf.open(app.outdir / "samlingsvolym.pdf") as pdf:
        titles = [title for title, _, _ in outline(pdf)]
    assert "10 januari 2025" not in titles and "21 mars 2025" in titles
    assert "Traceback" not in app._warning.getvalue()


def test_report_page_links_to_its_pdf_with_its_size_also_after_incremental_builds(fresh, make_app):
    from rapport.pdf.builder import format_size

    app = fresh
    pdfs = app.outdir
    overrides = {"rapport_pdf_dir": str(pdfs)}
    docname = "rapporter/2025/2025-01-10"
    size = (pdfs / f"{docname}.pdf").stat().st_size

    html = make_app("html", srcdir=app.srcdir, confoverrides=overrides)
    html.build()
    page = (html.outdir / f"{docname}.html").read_text(encoding="utf-8")
    link = (
        '<p class="rapport-pdf"><a class="rapport-pdf-lank reference external" '
        f'href="../../pdf/{docname}.pdf">Ladda ner rapporten</a> (PDF, {format_size(size)})</p>'
    )
    assert link in page
    # the archive (the year page) links each report's PDF too
    year = (html.outdir / "rapporter/2025/index.html").read_text(encoding="utf-8")
    archive_link = (
        f'<a class="rapport-pdf-lank reference external" href="../../pdf/{docname}.pdf">PDF, {format_size(size)}</a>'
    )
    assert archive_link in year
    served = html.outdir / "pdf" / f"{docname}.pdf"
    assert served.read_bytes() == (pdfs / f"{docname}.pdf").read_bytes()
    assert (html.outdir / "pdf" / "samlingsvolym.pdf").is_file()
    assert "rapport-pdf" not in (html.outdir / "beslutsregister.html").read_text(encoding="utf-8")

    # the PDF changes (here: it grows) while the report's source does not
    with open(pdfs / f"{docname}.pdf", "ab") as handle:
        handle.write(b"\n" * 5000)
    html2 = make_app("html", srcdir=app.srcdir, confoverrides=overrides)
    html2.build()
    page = (html2.outdir / f"{docname}.html").read_text(encoding="utf-8")
    assert f"(PDF, {format_size(size + 5000)})" in page
    assert served.stat().st_size == size + 5000

    # the PDF disappears: the link goes too
    (pdfs / f"{docname}.pdf").unlink()
    html3 = make_app("html", srcdir=app.srcdir, confoverrides=overrides)
    html3.build()
    assert "rapport-pdf" not in (html3.outdir / f"{docname}.html").read_text(encoding="utf-8")


def test_sizes_are_written_the_swedish_way():
    from rapport.pdf.builder import format_size

    assert [format_size(n) for n in (512, 1499, 120_400, 999_400, 1_460_000)] == [
        "512 B",
        "1 kB",
        "120 kB",
        "999 kB",
        "1,5 MB",
    ]


def test_links_between_reports_work_in_the_single_pdfs_and_in_the_bundle(fresh):
    app = fresh
    source = app.outdir / "rapporter/2025/2025-01-10.pdf"
    with pikepdf.open(source) as pdf:
        actions = [annot.A for annot in pdf.pages[0].obj.Annots]
    relative = {str(a.F.F) for a in actions if a.S == "/GoToR"}
    # [rapporten 14 februari](2025-02-14.md) and the previous/next links
    assert "2025-02-14.pdf" in relative
    assert all((source.parent / name).is_file() for name in relative)
    assert not [a for a in actions if a.S == "/URI" and str(a.URI).startswith("file:")]
    with pikepdf.open(app.outdir / "samlingsvolym.pdf") as pdf:
        starts = {title: page for title, page, _ in outline(pdf)}
        page = pdf.pages[starts["10 januari 2025"]]
        targets = {pikepdf.Page(annot.A.D[0]).index for annot in page.obj.Annots if annot.A.S == "/GoTo"}
        assert starts["14 februari 2025"] in targets
        assert not [annot for p in pdf.pages for annot in p.obj.get("/Annots", []) if annot.A.S == "/GoToR"]
