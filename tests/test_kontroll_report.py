"""``rapport kontroll`` a writer can bring to zero: no false positives (criterion numbers,
HTML comments), acknowledged placeholders, and one report with everything it shows
(:func:`rapport.writer.kontroll.check_report`, the send and publish gate's check)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_cli import ROOTS, rapport

from rapport.writer import kontroll, kvittering

REPO = Path(__file__).resolve().parent.parent
EXTENSIONS = ["colon_fence", "deflist", "fieldlist"]


def scan(tmp_path: Path, text: str) -> list[str]:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "sida.md").write_text(text, encoding="utf-8")
    return [f"{f.line}:{f.subtype}" for f in kontroll.scan_sources(tmp_path, docs, EXTENSIONS)]


# -- no false positives ------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Sidan går att läsa i 320 pixlars bredd (WCAG 1.4.10).",
        "Kriteriet WCAG 2.4.11 gäller fokus.",
        "Se avsnitt 3.2.1 i handboken.",
        "Följ kriterium 1.4.3 om kontrast.",
        "Systemet uppgraderades till version 2.1.10 i våras.",
        "Standarden SS-EN 301.549.12 nämns inte.",
        "Numret 3.15.20 är inget datum.",
    ],
)
def test_a_dotted_number_after_a_word_is_no_date(tmp_path: Path, line: str) -> None:
    assert scan(tmp_path, f"# Sida\n\n{line}\n") == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("Mötet hölls den 1.4.10 i Göteborg.", "Datumet ”1.4.10”"),
        ("Från 1.4.25 gäller nya regler.", "Datumet ”1.4.25”"),
        ("1.4.10 hölls mötet.", "Datumet ”1.4.10”"),
        # a four-digit year is a date after any word
        ("Regionstyrelsen 23.9.2025 beslutade.", "Datumet ”23.9.2025”"),
        ("Beslutet 23/9/25 gäller.", "Datumet ”23/9/25”"),
    ],
)
def test_a_dotted_date_in_running_text_is_still_found(tmp_path: Path, line: str, found: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "sida.md").write_text(f"# Sida\n\n{line}\n", encoding="utf-8")
    lines = [f.as_line() for f in kontroll.scan_sources(tmp_path, docs, EXTENSIONS)]
    assert lines == [
        f"docs/sida.md:3: {found} följer inte skrivreglerna; skriv till exempel ”25 september 2025” [datum]"
    ]


def test_an_html_comment_is_not_raw_html(tmp_path: Path) -> None:
    text = (
        "# Sida\n\n"
        "<!-- Nya beslut skrivs överst. Mall:\n:::{beslut} ID\n:datum: ÅÅÅÅ-MM-DD\n:::\n-->\n\n"
        "Text med <!-- en kommentar --> i mitten.\n\n"
        "<!-- en --> <!-- två -->\n\n"
        ":::{raw} html\n<!-- bara en kommentar -->\n:::\n"
    )
    assert scan(tmp_path, text) == []


def test_markup_beside_a_comment_and_a_comment_never_closed_are_found(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    text = "# Sida\n\nText <!-- x --> <b>fet</b>.\n\n<!-- x --><div>ruta</div>\n\nMer text.\n\n<!-- aldrig stängd\n\nSista.\n"
    (docs / "sida.md").write_text(text, encoding="utf-8")
    assert [f.as_line() for f in kontroll.scan_sources(tmp_path, docs, EXTENSIONS)] == [
        "docs/sida.md:3: Rå HTML ”<b>” i texten; skriv det med Markdown i stället [html]",
        "docs/sida.md:3: Rå HTML ”</b>” i texten; skriv det med Markdown i stället [html]",
        "docs/sida.md:5: Rå HTML i texten; skriv det med Markdown eller ett direktiv i stället [html]",
        "docs/sida.md:9: HTML-kommentaren avslutas aldrig med -->: resten av filen visas som kod; "
        "avsluta kommentaren eller skriv den med % först på varje rad [html]",
    ]


def test_the_shipped_sources_have_no_finding_of_our_own_but_acknowledged_ones() -> None:
    """The project as shipped: every finding of the source scans is an acknowledged
    placeholder of the source material, and every acknowledgement still applies."""
    scanned = kontroll.scan_sources(REPO, REPO / "docs", EXTENSIONS)
    acknowledgements, problems = kvittering.load(REPO)
    assert problems == []
    assert kvittering.unused(scanned, acknowledgements) == []
    left = [f.as_line() for f in kvittering.apply(scanned, acknowledgements) if not f.acknowledged]
    assert left == []
    assert len(acknowledgements) == 7 and len(scanned) == 8  # one link text is used twice in a file


# -- acknowledgements ----------------------------------------------------------------------


def test_acknowledgements_are_keyed_by_file_and_link_text(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\n- [Känd](#)\n- [Okänd](#)\n", encoding="utf-8")
    (docs / "b.md").write_text("# B\n\n\n- [Känd](#)\n", encoding="utf-8")
    (tmp_path / "kontroll-kvitterade.toml").write_text(
        '# kommentar\n\n[[platshallare]]\nfil = "docs/a.md"\ntext = "Känd"\nanledning = "Saknas i källan"\n\n'
        '[[platshallare]]\nfil = "docs/a.md"\ntext = "Borttagen"\n',
        encoding="utf-8",
    )
    scanned = kontroll.scan_sources(tmp_path, docs, EXTENSIONS)
    acknowledgements, problems = kvittering.load(tmp_path)
    assert problems == []
    marked = kvittering.apply(scanned, acknowledgements)
    assert [(f.file, f.line, f.acknowledged) for f in marked] == [
        ("docs/a.md", 3, True),
        ("docs/a.md", 4, False),
        ("docs/b.md", 4, False),  # the same text in another file is not acknowledged
    ]
    assert [f.as_line() for f in kvittering.unused(scanned, acknowledgements)] == [
        "kontroll-kvitterade.toml:8: Kvittensen gäller ingen platshållare längre (”Borttagen” i docs/a.md); "
        "ta bort blocket [kvittens]"
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '[[platshallare]]\nfil = "docs/a.md"\ntext = \n',
            "kontroll-kvitterade.toml:3: Filen går inte att läsa (inte giltig TOML); varje kvittens är ett block "
            '[[platshallare]] med raderna fil = "…" och text = "…" [kvittens]',
        ),
        (
            '\n[[platshallare]]\nfil = "docs/a.md"\n',
            'kontroll-kvitterade.toml:2: Kvittensen saknar fil = "…" eller text = "…" (länkens text, som den står '
            "i filen) [kvittens]",
        ),
        (
            '[[platshallare]]\nfil = "docs/a.md"\ntext = "A"\nrad = 3\n',
            "kontroll-kvitterade.toml:1: Okänd nyckel ”rad”; en kvittens har fil, text och anledning [kvittens]",
        ),
    ],
)
def test_a_wrong_acknowledgement_file_is_one_finding_with_its_line(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "kontroll-kvitterade.toml").write_text(content, encoding="utf-8")
    acknowledgements, problems = kvittering.load(tmp_path)
    assert acknowledgements == []
    assert [p.as_line() for p in problems] == [expected]


# -- one report and what it shows ----------------------------------------------------------

REPORT = """\
---
serie: test
sammanstallt: 2025-10-02 08:30
utkast: true
---

# Testrapporten 2 oktober 2025

:::{avsnitt} sammanfattning
- [BEKRÄFTA] En punkt från förra veckan.
- Regionstyrelsen {beslut}`beslutade <RS-1>` och se [](faq-1).
- Läs [mer](#) om saken.
:::

:::{avsnitt} atgarder
- 1/10: [Sidan](https://example.org/sidan) – ring 070-123 45 67
:::
"""

DECISIONS = """\
# Beslut

:::{beslut} RS-1
:datum: 2025-09-23
:organ: Regionstyrelsen
:titel: Ett beslut
:status: fattat
Kontakt: 19121212-1212.
:::

:::{beslut} RS-2
:datum: 2025-09-23
:organ: Regionstyrelsen
:titel: Ett annat beslut
:status: fattat
Inte citerat: 19121212-1212.
:::
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "projekt"
    shutil.copytree(ROOTS / "test-cli", dest)
    (dest / "docs/rapporter/2025/2025-10-02.md").write_text(REPORT, encoding="utf-8")
    (dest / "docs/beslut.md").write_text(DECISIONS, encoding="utf-8")
    (dest / "docs/faq.md").write_text(
        "# FAQ\n\n:::{faq} faq-1\n:fraga: Vem?\nRing [växeln](#).\n:::\n", encoding="utf-8"
    )
    (dest / "docs/_standard/talesperson.md").write_text("Talesperson: [namn](#)\n", encoding="utf-8")
    (dest / "kontroll-kvitterade.toml").write_text(
        '[[platshallare]]\nfil = "docs/_standard/talesperson.md"\ntext = "namn"\n', encoding="utf-8"
    )
    return dest


def test_check_report_checks_the_report_and_everything_it_shows(project: Path) -> None:
    report = project / "docs/rapporter/2025/2025-10-02.md"
    found = kontroll.check_report(project, project / "docs", report, EXTENSIONS)
    assert [(f.file, f.line, f.subtype, f.acknowledged) for f in found] == [
        ("docs/_standard/talesperson.md", 1, kontroll.PLACEHOLDER, True),
        ("docs/beslut.md", 8, kontroll.IDENTITY, False),  # the cited decision; RS-2 is not shown
        ("docs/faq.md", 5, kontroll.PLACEHOLDER, False),
        ("docs/rapporter/2025/2025-10-02.md", 4, kontroll.DRAFT, False),
        ("docs/rapporter/2025/2025-10-02.md", 10, kontroll.MARKER_LEFT, False),
        ("docs/rapporter/2025/2025-10-02.md", 12, kontroll.PLACEHOLDER, False),
        ("docs/rapporter/2025/2025-10-02.md", 16, kontroll.PHONE, False),
    ]
    assert (kontroll.IDENTITY, kontroll.PHONE, kontroll.MARKER_LEFT, kontroll.PLACEHOLDER, kontroll.DRAFT) == (
        "personnummer",
        "telefon",
        "carryover-unconfirmed",
        "platshallare",
        "utkast",
    )
    assert found[3].message == "Rapporten är ett utkast (utkast: true); ta bort raden när rapporten är klar"
    assert "1212-1212" not in " ".join(f.message for f in found)


def test_a_section_with_a_body_does_not_show_its_standing_content(project: Path) -> None:
    report = project / "docs/rapporter/2025/2025-10-02.md"
    report.write_text(REPORT + "\n:::{avsnitt} talesperson\nEgen text.\n:::\n", encoding="utf-8")
    found = kontroll.check_report(project, project / "docs", report, EXTENSIONS)
    assert "docs/_standard/talesperson.md" not in {f.file for f in found}


def test_kontroll_rapport_on_the_command_line(project: Path) -> None:
    result = rapport(project, "kontroll", "2025-10-02")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert (
        "docs/rapporter/2025/2025-10-02.md:4: Rapporten är ett utkast (utkast: true); ta bort raden när rapporten är klar [utkast]"
        in lines
    )
    # the build warns about the marker too, on the same line: listed once
    assert sum("[carryover-unconfirmed]" in line for line in lines) == 1
    assert not any(line.startswith("docs/_standard/") for line in lines)  # acknowledged
    assert result.stderr.splitlines()[-1].endswith(
        "Skrivguiden förklarar varje slag av fynd. 1 kvitterade platshållare visas inte (--visa-kvitterade visar dem)."
    )
    clean = rapport(project, "kontroll", "docs/rapporter/2025/2025-09-25.md")
    assert (clean.returncode, clean.stdout, clean.stderr) == (
        0,
        "",
        "Inga fynd. 1 kvitterade platshållare visas inte (--visa-kvitterade visar dem).\n",
    )


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("2024-01-01", "rapport: fel: Hittar ingen rapport med datumet 2024-01-01 i docs/"),
        ("conf.py", "rapport: fel: conf.py ligger utanför docs/; bara rapporter i docs/ kan kontrolleras"),
        (
            "docs/finns-inte.md",
            "rapport: fel: Rapporten docs/finns-inte.md finns inte; ange en fil i docs/ eller ett datum (ÅÅÅÅ-MM-DD)",
        ),
    ],
)
def test_kontroll_rapport_refuses_what_is_not_a_report(project: Path, argument: str, message: str) -> None:
    result = rapport(project, "kontroll", argument)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == message


def test_bygg_and_kontroll_count_the_same_findings(project: Path) -> None:
    """The build's last line counts as rapport kontroll counts: own scans included (the
    phone number), acknowledged placeholders not, every page and not only those read again."""
    result = rapport(project, "bygg", timeout=600)
    assert result.returncode == 0, result.stderr
    check = rapport(project, "kontroll")
    count = int(check.stderr.split(" fynd i ", 1)[0])
    assert count == len(check.stdout.splitlines()) > 0
    assert result.stdout.splitlines()[-1].startswith(f"Klart: {project / '_build/html/index.html'} ({count} fynd;")
    # nothing read again: the build prints fewer warnings, the count is the same
    again = rapport(project, "bygg", timeout=600)
    assert again.stdout.splitlines()[-1].startswith(f"Klart: {project / '_build/html/index.html'} ({count} fynd;")


def test_an_entry_a_standing_section_cites_is_shown_too(project: Path) -> None:
    snippet = project / "docs/_standard/talesperson.md"
    snippet.write_text("Talesperson: [namn](#). Se {beslut}`RS-2`.\n", encoding="utf-8")
    report = project / "docs/rapporter/2025/2025-10-02.md"
    found = kontroll.check_report(project, project / "docs", report, EXTENSIONS)
    assert [(f.line, f.subtype) for f in found if f.file == "docs/beslut.md"] == [
        (8, kontroll.IDENTITY),
        (16, kontroll.IDENTITY),
    ]


def test_a_report_name_with_a_line_break_is_refused_in_one_line(project: Path) -> None:
    result = rapport(project, "kontroll", "docs/x\ny.md")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "rapport: fel: Rapporten docs/x\\u000ay.md finns inte; ange en fil i docs/ eller ett datum (ÅÅÅÅ-MM-DD)"
    ]


def test_the_send_gate_checks_a_report_as_rapport_kontroll_does(project: Path) -> None:
    """The gate (rapport skicka, status, publicera and the desk) parses the report with the
    project's MyST extensions, as rapport kontroll and the build do: a decision's
    ``:datum: 2025-09-23`` is the block's field, not a date in running text."""
    from rapport.writer.cli import find_project
    from rapport.writer.release import edition

    found = edition.findings(find_project(str(project)), project / "docs/rapporter/2025/2025-09-25.md")
    assert [f.as_line() for f in found if not f.acknowledged] == []
    assert [f.subtype for f in found] == ["platshallare"]  # the acknowledged one rapport kontroll counts
