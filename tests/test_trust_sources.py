"""The source guard: what a writer's file carries is cleaned before MyST parses it.

Built with the same commands as ``make site`` and ``make site-publik`` (``rapport bygg``
and ``rapport bygg --publik``) on a copy of tests/roots/test-trust-sources, a small
project of the invented region Fjällmark. Every output file is searched (HTML, the
decompressed Pagefind fragments, JSON, feed, sitemap, PDF text, bookmarks and metadata).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from trusttools import BothBuilds, build_both, leaks

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_ext"))

from rapport import frontmatter  # noqa: E402
from rapport.trust.sourceguard import clean  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils saknas")

#: a config value only a {{ }} substitution could put into the output
SECRET = "zqxkonfig"
#: the file the substitution's shell command would create
COMMAND_FILE = "zqxkommando-kordes"


def _plant(docs: Path) -> None:
    """Files a repository should not hold as they are."""
    (docs / "noll.md").write_bytes(b"# Noll\n\nF\xc3\xb6rsta raden.\nTexten zqxnoll\x00 forts\xc3\xa4tter.\n")
    (docs / "styrtecken.md").write_text(
        "# Rubrik med\x0bvertikal tabb\n\nText med \x1b[31mESC\x1b[0m och \x85 i Fjällmark.\n", encoding="utf-8"
    )
    filler = "".join(f"# kommentar {n} {'x' * 60}\n" for n in range(1100))  # about 80 kB
    (docs / "stor.md").write_text(f"---\n{filler}---\n\n# Stor front matter\n\nText.\n", encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BothBuilds:
    return build_both("trust-sources", tmp_path_factory.mktemp("sources"), _plant)


# -- substitutions and per-page configuration -----------------------------------------------


def test_front_matter_cannot_configure_myst(built: BothBuilds) -> None:
    project = built.project
    report = "rapporter/2025/2025-03-05.md"
    for name in ("internal", "public"):
        warnings = built.warnings(name)
        assert (
            f"{report}:4: WARNING: Front matter-nyckeln ”myst” används inte av webbplatsen och ignoreras; "
            "kända nycklar: amnen, internt, nosearch, orphan, sammanstallt, serie, tocdepth, utkast "
            "[rapport.frontmatter-key]"
        ) in warnings
        assert any(w.startswith(f"{report}:8: WARNING: Front matter-nyckeln ”html_meta”") for w in warnings)
        # the same guard for a file brought in with {include}
        assert (
            "_delar/del.md:2: WARNING: Front matter-nyckeln ”myst” används inte av webbplatsen och ignoreras; "
            "kända nycklar: amnen, internt, nosearch, orphan, sammanstallt, serie, tocdepth, utkast "
            "[rapport.frontmatter-key]"
        ) in warnings
    # no {{ }} was evaluated: the command never ran and the config value is nowhere
    assert not (project / COMMAND_FILE).exists()
    assert not (project / "docs" / COMMAND_FILE).exists()
    for folder in ("_build/html", "_build/pdf", "_build/publik/html", "_build/publik/pdf"):
        assert leaks(project / folder, [SECRET, "zqxomdirigering"]) == {}, folder
    page = (project / "_build/publik/html/rapporter/2025/2025-03-05.html").read_text(encoding="utf-8")
    assert "träffades {{ env.config.html_context[" in page  # shown as the text it is
    assert 'http-equiv="refresh"' not in page


def test_blanking_keeps_line_numbers() -> None:
    text = "---\nserie: test\nmyst:\n  enable_extensions:\n    - substitution\nsammanstallt: 2025-03-05\n---\n# T\n"
    cleaned, findings = clean(text, markdown=True, title="t")
    assert cleaned.split("\n") == ["---", "serie: test", "", "", "", "sammanstallt: 2025-03-05", "---", "# T", ""]
    assert [(f.subtype, f.line) for f in findings] == [("frontmatter-key", 3)]


def test_flow_style_front_matter_with_a_forbidden_key_is_blanked_whole() -> None:
    text = "---\n{serie: test, myst: {enable_extensions: [substitution]}}\n---\n# T\n"
    cleaned, findings = clean(text, markdown=True, title="t")
    assert cleaned == "\n\n\n# T\n"
    assert [(f.subtype, f.line) for f in findings] == [("frontmatter-key", 2)]


# -- front matter limits --------------------------------------------------------------------


def _refused(where: str, why: str) -> str:
    """The warning for a front matter block that is not used at all."""
    return (
        f"{where}: WARNING: Front matter används inte: {why}. Hela blocket ignoreras och sidan räknas som intern "
        "[rapport.frontmatter-limit]"
    )


def test_alias_bomb_is_refused_before_it_is_expanded(built: BothBuilds) -> None:
    why = "YAML-ankare och -alias (& och *) är inte tillåtna i front matter"
    assert _refused("ankare.md:2", why) in built.warnings("internal")
    # fail closed: the public build leaves the page out, and says why
    assert any(w.startswith("ankare.md:2: WARNING: Sidan behandlas som intern:") for w in built.warnings("public"))
    assert not (built.project / "_build/publik/html/ankare.html").exists()
    assert (built.project / "_build/html/ankare.html").exists()
    assert leaks(built.project / "_build/html", ["zqxbomb"]) == {}


def test_front_matter_readers_share_the_limits() -> None:
    """frontmatter.read (reports, rapport kontroll) never expands aliases and never recurses."""
    bomb = "---\na: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n---\n# T\n"
    fm = frontmatter.read(bomb, "a.md")
    assert (fm.refused, fm.error_line, fm.values) == (True, 2, {})
    deep = "---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n# T\n"
    fm = frontmatter.read(deep, "a.md")
    assert (fm.refused, fm.error) == (True, "blocket är för djupt nästlat")
    big = "---\n" + "# x\n" * 20000 + "serie: a\n---\n"
    assert frontmatter.read(big, "a.md").refused


def test_deep_and_large_front_matter_warn(built: BothBuilds) -> None:
    internal = built.warnings("internal")
    assert _refused("djup.md:2", "blocket är för djupt nästlat") in internal
    assert any(w.startswith("stor.md:1: WARNING: Front matter används inte: blocket är för stort") for w in internal)
    html = built.project / "_build/html"
    assert (html / "djup.html").exists() and (html / "stor.html").exists()


# -- NUL and control characters ---------------------------------------------------------------


def test_nul_file_is_refused_and_the_build_goes_on(built: BothBuilds) -> None:
    project = built.project
    for name in ("internal", "public"):
        warnings = built.warnings(name)
        assert (
            "noll.md:4: WARNING: Filen innehåller ett NUL-tecken (är den en binärfil eller skadad?) och läses inte; "
            "sidan byggs tom. Spara om filen som vanlig text (UTF-8) [rapport.source-nul]"
        ) in warnings
    page = (project / "_build/html/noll.html").read_text(encoding="utf-8")
    assert "<h1>noll" in page
    for folder in ("html", "pdf", "publik/html", "publik/pdf"):
        assert leaks(project / "_build" / folder, ["zqxnoll"]) == {}, folder
    assert "\ufffd" not in page
    assert (project / "_build/html/rapporter/2025/2025-03-05.html").exists()  # nothing else lost


def test_control_characters_are_replaced(built: BothBuilds) -> None:
    project = built.project
    warnings = built.warnings("internal")
    assert [w for w in warnings if "[rapport.source-control]" in w] == [
        "styrtecken.md:1: WARNING: Filen innehåller osynliga styrtecken (första: U+000B); de ersätts med "
        "mellanslag. Skriv om raden eller klistra in texten som oformaterad text [rapport.source-control]"
    ]
    for folder in ("_build/html", "_build/publik/html"):
        for path in (project / folder).rglob("*"):
            if path.suffix in (".html", ".xml", ".json", ".atom", ".js"):
                data = path.read_text(encoding="utf-8", errors="replace")
                assert not any(ch in data for ch in ("\x0b", "\x1b", "\x85")), path
    assert "Rubrik med vertikal tabb" in (project / "_build/html/styrtecken.html").read_text(encoding="utf-8")


def test_bygg_publik_runs_the_site_steps(built: BothBuilds) -> None:
    """``make site-publik`` runs the same steps as ``make site`` (build.site_steps), in order."""
    project = built.project
    result = built.public
    internal = built.internal

    def steps(output: str) -> list[str]:
        return [line.split(" …")[0] for line in output.splitlines() if line.startswith("[") and line.endswith(" …")]

    assert steps(result.stderr) == steps(internal.stderr)
    labels = [step.split("] ", 1)[1] for step in steps(result.stderr)]
    assert labels[:2] == ["PDF för varje rapport", "Webbplatsen och sökindexet"]
    assert result.stdout.startswith("Klart: _build/publik/html/index.html")
    assert (project / "_build/publik/pdf/rapporter/2025/2025-03-05.pdf").is_file()
    assert (project / "_build/publik/html/rapporter/2025/2025-03-05.html").is_file()


def test_make_site_publik_runs_rapport_bygg_publik() -> None:
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nsite-publik:", 1)[1].split("\n\n", 1)[0]
    assert [line.strip() for line in recipe.splitlines()[1:]] == [
        'SPHINXOPTS="$(SPHINXOPTS)" PDFOPTS="$(PDFOPTS)" $(BIN)/rapport bygg --publik'
    ]
