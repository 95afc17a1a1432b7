"""One definition of "internal", applied to exactly the files Sphinx reads, failing closed.

Built with the same commands as ``make site`` and ``make site-publik`` (``rapport bygg``
and ``rapport bygg --publik``) on a copy of tests/roots/test-trust-audience. Every
internal text carries a marker ``zqxa<n>``; the public output (HTML, decompressed
Pagefind fragments, JSON, feed, sitemap, PDF text, bookmarks and metadata) must contain
none, and the internal output must contain each one that is published there (which
proves the search can fail).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from trusttools import BothBuilds, build_both, leaks

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_ext"))

from rapport.trust.audience import classify, is_internal_file  # noqa: E402
from rapport.writer.guide import INTERNAL_PLACEHOLDER, strip_internal_blocks  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils saknas")

#: marker -> what carries it
MARKERS = {
    "zqxa01": "Internt: true (another case)",
    "zqxa02": "intern: ja (misspelt)",
    "zqxa03": ":internt: true as a field list",
    "zqxa04": "internt: true with a YAML error elsewhere",
    "zqxa05": "internt: true after 16 kB of front matter",
    "zqxa06": "an internal page in a dot-folder",
    "zqxa07": "an internal page in a symlinked folder",
    "zqxa08": "an internal file included into a public page",
    "zqxa09": "an internt block inside an exempel",
    "zqxa10": "a draft report",
    "zqxa11": "a report dated after today",
    "zqxa13": "200 nested internt blocks",
    "zqxa14": "an internal reST file included into a reST page",
}
#: not in the internal build either: past the nesting limit
NOT_SHOWN_INTERNALLY = {"zqxa13"}


def _plant(docs: Path) -> None:
    filler = "".join(f"# anteckning {n}: {'y' * 70}\n" for n in range(250))  # about 22 kB
    (docs / "lang.md").write_text(
        f"---\n{filler}internt: true\n---\n\n# Lång front matter\n\nTexten zqxa05 är intern.\n", encoding="utf-8"
    )
    os.symlink("_gomt", docs / "spegel", target_is_directory=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BothBuilds:
    return build_both("trust-audience", tmp_path_factory.mktemp("audience-trust"), _plant)


def test_no_internal_marker_in_any_public_output(built: BothBuilds) -> None:
    project = built.project
    assert leaks(project / "_build/publik", list(MARKERS)) == {}


def test_every_marker_reaches_the_internal_build(built: BothBuilds) -> None:
    """Proves the search above can fail: the internal site shows each of them."""
    project = built.project
    expected = set(MARKERS) - NOT_SHOWN_INTERNALLY
    found = leaks(project / "_build/html", list(expected))
    assert set(found) == expected, {m: MARKERS[m] for m in expected - set(found)}


def test_ambiguous_marks_fail_closed_with_a_warning(built: BothBuilds) -> None:
    project = built.project
    expected = {
        "versaler.md:2: WARNING: Sidan behandlas som intern: nyckeln ”Internt” tolkas som internt. "
        "Skriv internt: true eller internt: false [rapport.internal-mark]",
        "felstavad.md:2: WARNING: Sidan behandlas som intern: nyckeln ”intern” tolkas som internt. "
        "Skriv internt: true eller internt: false [rapport.internal-mark]",
        "faltlista.md:1: WARNING: Sidan behandlas som intern: ”:internt:” som fältlista räknas inte; skriv "
        "internt: true i front matter [rapport.internal-mark]",
        "trasig.md:3: WARNING: Sidan behandlas som intern: front matter kan inte läsas och nämner internt. "
        "Skriv internt: true eller internt: false [rapport.internal-mark]",
    }
    for name in ("internal", "public"):
        warnings = built.warnings(name)
        assert expected <= warnings, (name, sorted(w for w in warnings if "internal-mark" in w))
    for page in ("versaler", "felstavad", "faltlista", "trasig", "lang", ".dold/sida", "spegel/sida"):
        assert not (project / f"_build/publik/html/{page}.html").exists(), page
        assert (project / f"_build/html/{page}.html").exists(), page
    # the internal build labels them
    labelled = (project / "_build/html/versaler.html").read_text(encoding="utf-8")
    assert "rapport-internt-etikett" in labelled


def test_internal_include_is_left_out_of_the_public_build(built: BothBuilds) -> None:
    project = built.project
    left_out = {
        f"{where}: WARNING: Filen {part} är intern och tas inte med på den publika webbplatsen "
        "[rapport.internal-include]"
        for where, part in (
            ("inkluderar.md:5", "_delar/intern-del.md"),
            ("citat.md:5", "_delar/intern-del.md"),
            ("rstsida.rst:6", "_delar/intern.rst"),
        )
    }
    assert left_out <= built.warnings("public")
    assert "Öppet reST-slut" in (project / "_build/publik/html/rstsida.html").read_text(encoding="utf-8")
    assert "rapport-internt-etikett" in (project / "_build/html/rstsida.html").read_text(encoding="utf-8")
    assert "Öppen text efter citatet" in (project / "_build/publik/html/citat.html").read_text(encoding="utf-8")
    page = (project / "_build/publik/html/inkluderar.html").read_text(encoding="utf-8")
    assert "Öppen inledning" in page and "Öppen avslutning" in page
    internal = (project / "_build/html/inkluderar.html").read_text(encoding="utf-8")
    assert "zqxa08" in internal and "rapport-internt-etikett" in internal


def test_example_listing_hides_internal_blocks(built: BothBuilds) -> None:
    project = built.project
    page = (project / "_build/publik/html/guide.html").read_text(encoding="utf-8")
    assert INTERNAL_PLACEHOLDER in page and "Öppen text." in page
    source = ":::{internt}\nhemlig zqx\n:::{beslut} X\ninne\n:::\nefter\n:::\nöppet"
    # colon fences close at the first closing fence, as MyST closes them
    assert strip_internal_blocks(source) == f":::{{internt}}\n{INTERNAL_PLACEHOLDER}\n:::\nefter\n:::\nöppet"


def test_drafts_and_future_reports_are_not_written_publicly(built: BothBuilds) -> None:
    project = built.project
    public = project / "_build/publik"
    assert not (public / "html/rapporter/2025/2025-04-01.html").exists()
    assert not (public / "html/rapporter/2026/2026-06-01.html").exists()
    assert not list(public.rglob("2025-04-01*")) and not list(public.rglob("2026-06-01*"))
    assert (public / "html/rapporter/2025/2025-05-02.html").exists()
    assert (project / "_build/html/rapporter/2025/2025-04-01.html").exists()  # the intranet still has it


def test_deep_nesting_is_one_warning_and_a_built_page(built: BothBuilds) -> None:
    project = built.project
    result = built.internal
    warnings = [w for w in built.warnings("internal") if "nastlad.md" in w]
    assert len(warnings) == 1, warnings
    # the 13th block: five lines of text before the first, one opening fence a line
    assert warnings[0] == (
        "nastlad.md:17: WARNING: Blocket internt är nästlat i mer än 12 nivåer; det och allt inuti det visas "
        "inte [rapport.nesting-deep]"
    )
    assert "Recursion error" not in result.stdout + result.stderr
    page = (project / "_build/html/nastlad.html").read_text(encoding="utf-8")
    assert "Öppen text." in page and "Öppet slut." in page
    assert page.count("rapport-internt-etikett") == 12


@pytest.mark.parametrize(
    ("text", "internal", "warned"),
    [
        ("---\ninternt: true\n---\n", True, False),
        ("---\ninternt: false\n---\n", False, False),
        ("---\nINTERNT: true\n---\n", True, True),
        ("---\ninternal: true\n---\n", True, True),
        ("---\ninterna: true\n---\n", True, True),
        ("---\ninternt: kanske\n---\n", True, True),
        ("---\ninternt:\n---\n", True, True),
        ("---\nserie: test\n---\n\n:Internt: ja\n\n# T\n", True, True),
        ("---\nserie: test\namnen: [Alfa]\n---\n# T\n", False, False),
        ("---\nrubrik: [x\n---\n# T\n", False, False),  # a YAML error that does not mention it
        ("----\ninternt: true\n----\n# T\n", True, False),  # MyST accepts longer fences
        ("\ufeff---\ninternt: true\n---\n", True, False),
        ("---\ninternt: true\n\n# Rubrik utan slut på front matter\n", True, True),
        ("---\nserie: test\n\n# Rubrik\n", False, False),
    ],
)
def test_classify(text: str, internal: bool, warned: bool) -> None:
    mark = classify(text, "sida.md")
    assert (mark.internal, mark.reason is not None) == (internal, warned)


def test_rst_docinfo_marks() -> None:
    assert classify(":internt: true\n\nRubrik\n======\n", "sida.rst").internal
    assert classify(":Internt: ja\n\nRubrik\n======\n", "sida.rst").reason == "fältet ”Internt” tolkas som internt"


def test_standing_snippet_marked_internal_is_recognised(built: BothBuilds) -> None:
    project = built.project
    assert is_internal_file(project / "docs/_standard/talesperson.md")


def test_internal_standing_snippet_is_not_inserted_publicly(built: BothBuilds) -> None:
    project = built.project
    assert leaks(project / "_build/publik", ["zqxa12"]) == {}
    assert leaks(project / "_build/html", ["zqxa12"])  # the intranet shows it
