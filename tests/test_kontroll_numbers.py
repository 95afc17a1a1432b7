"""``rapport kontroll``'s number checks: personnummer, samordningsnummer, phone numbers.

The number rules are python-stdnum's and libphonenumber's; these tests hold the project
to what it adds: the spellings writers actually type are found on the right line, the
output never repeats a whole identity number, organisation numbers, dates, ids and
amounts are not findings, and one file's failure is a finding instead of a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from stdnum import luhn
from stdnum.se import orgnr, personnummer

from rapport.writer import kontroll, sourcescan

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).parent / "roots"
SEED = Path(__file__).parent / "data" / "seed-2025-09-25.txt"
_SCRIPT = Path(sys.executable).with_name("rapport")
RAPPORT = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "rapport.writer.cli"]
EXTENSIONS = ["colon_fence", "deflist", "fieldlist"]
NUMBER_CHECKS = {"personnummer", "telefon"}


def scan(tmp_path: Path, text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """The number findings of one page, as ``rapport kontroll`` prints them."""
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "sida.md").write_text(text, encoding="utf-8")
    found = kontroll.scan_sources(tmp_path, tmp_path / "docs", EXTENSIONS, allowed)
    return [f.as_line() for f in found if f.subtype in NUMBER_CHECKS]


# -- personnummer -----------------------------------------------------------------------

# (as written, the masked form the finding shows)
SPELLINGS = [
    ("121212-1212", "121212-****"),
    ("121212 1212", "121212-****"),
    ("19121212 1212", "19121212-****"),
    ("19121212-1212", "19121212-****"),
    ("121212 - 1212", "121212-****"),
    ("121212–1212", "121212-****"),  # en dash, as a word processor corrects it
    ("121212 – 1212", "121212-****"),
    ("121212—1212", "121212-****"),  # em dash
    ("121212−1212", "121212-****"),  # minus sign
    ("121212\u00a01212", "121212-****"),  # no-break space
    ("121212+1212", "121212+****"),  # a hundred years or older
    ("1212121212", "121212****"),
    ("191212121212", "19121212****"),
]


def test_each_spelling_is_found_on_its_line_and_masked(tmp_path: Path) -> None:
    assert personnummer.is_valid("121212-1212")  # the library agrees the number is valid
    text = "# Sida\n\n" + "".join(
        f"- Kontakt {i}: Anna, {written}, ringde.\n" for i, (written, _) in enumerate(SPELLINGS)
    )
    lines = scan(tmp_path, text)
    assert lines == [
        f"docs/sida.md:{3 + i}: Troligt personnummer ({masked}); personnummer får inte publiceras [personnummer]"
        for i, (_, masked) in enumerate(SPELLINGS)
    ]
    # the check's output may end up in logs: the serial and check digits are never in it
    assert not any("1212-1212" in line or "1212 1212" in line or "121212121" in line for line in lines)


def test_identity_number_found_in_code_and_front_matter(tmp_path: Path) -> None:
    text = "---\nkontakt: 121212 1212\n---\n# Sida\n\n```text\nNamn 19121212–1212\n```\n"
    assert scan(tmp_path, text) == [
        "docs/sida.md:2: Troligt personnummer (121212-****); personnummer får inte publiceras [personnummer]",
        "docs/sida.md:7: Troligt personnummer (19121212-****); personnummer får inte publiceras [personnummer]",
    ]


def test_wrong_check_digit_is_not_a_finding(tmp_path: Path) -> None:
    """A date-shaped number whose check digit is wrong is not flagged.

    Nine of ten date-shaped ten-digit runs fail the Luhn check, and those are case and
    order numbers far more often than identity numbers; flagging them would teach
    writers to ignore the finding. A number with a wrong check digit is also not
    somebody's identity number as written. It is not reported as a phone number either.
    """
    assert not personnummer.is_valid("121212-1213")
    lines = scan(tmp_path, "# Sida\n\nÄrende 121212-1213, 121212 1213, 19121212–1213 och 1212121213.\n")
    assert lines == []


def test_impossible_dates_are_not_identity_numbers(tmp_path: Path) -> None:
    # month 13, 30 February, day 0; all with a correct Luhn digit, so only the date rules them out
    numbers = [f"{head}{luhn.calc_check_digit(head)}" for head in ("121312121", "120230121", "121200121")]
    text = "# Sida\n\n" + "".join(f"- {n[:6]}-{n[6:]}\n" for n in numbers)
    assert scan(tmp_path, text) == []


def test_samordningsnummer(tmp_path: Path) -> None:
    invalid_day = "701092239" + luhn.calc_check_digit("701092239")  # day 92 - 60 = 32
    text = (
        "# Sida\n\n"
        "- 701063-2391\n"
        "- 701063 2391\n"
        "- 19701063–2391\n"
        f"- {invalid_day[:6]}-{invalid_day[6:]}\n"
        "- 701063-2392\n"  # wrong check digit
    )
    assert scan(tmp_path, text) == [
        "docs/sida.md:3: Troligt samordningsnummer (701063-****); personnummer får inte publiceras [personnummer]",
        "docs/sida.md:4: Troligt samordningsnummer (701063-****); personnummer får inte publiceras [personnummer]",
        "docs/sida.md:5: Troligt samordningsnummer (19701063-****); personnummer får inte publiceras [personnummer]",
    ]


@pytest.mark.parametrize(
    "number", ["556036-0793", "212000-1355", "802002-4280", "969663-7033", "5560360793", "16556036-0793"]
)
def test_organisation_numbers_are_not_findings(tmp_path: Path, number: str) -> None:
    assert orgnr.is_valid(number[-11:] if "-" in number else number)  # they pass the same Luhn check
    assert scan(tmp_path, f"# Sida\n\nLeverantören har organisationsnummer {number}.\n") == []


# -- phone numbers ----------------------------------------------------------------------

PHONES = [
    ("031-123 45 67", "Telefonnummer"),
    ("070 123 45 67", "Mobilnummer"),
    ("+46 70 123 45 67", "Mobilnummer"),
    ("08-12 34 56", "Telefonnummer"),
    ("0046 70-123 45 67", "Mobilnummer"),
    ("070-1234567", "Mobilnummer"),
    ("0701234567", "Mobilnummer"),
    ("+46 (0)31-123 45 67", "Telefonnummer"),
    ("031–123 45 67", "Telefonnummer"),
]


def test_phone_numbers_in_the_forms_people_write(tmp_path: Path) -> None:
    text = "# Sida\n\n" + "".join(f"- Ring {written} i dag.\n" for written, _ in PHONES)
    assert scan(tmp_path, text) == [
        f"docs/sida.md:{3 + i}: {kind} ”{written}” i texten; privata telefonnummer ska inte publiceras [telefon]"
        for i, (written, kind) in enumerate(PHONES)
    ]


def test_allowed_number_matches_however_it_is_written(tmp_path: Path) -> None:
    text = "# Sida\n\n- Växeln 031-00 00 00.\n- Växeln +46 31 00 00 00.\n- Växeln 031000000.\n- Ring 031-00 00 01.\n"
    assert scan(tmp_path, text, allowed=("031-00 00 00",)) == [
        "docs/sida.md:6: Telefonnummer ”031-00 00 01” i texten; privata telefonnummer ska inte publiceras [telefon]"
    ]


def test_organisation_only_numbers_are_not_findings(tmp_path: Path) -> None:
    # toll-free, shared-cost and premium-rate numbers are public by design, never a person's
    assert scan(tmp_path, "# Sida\n\nRing 020-12 34 56, 0771-11 77 77 eller 0900-123 45 67, eller 1177.\n") == []


# -- no false positives -----------------------------------------------------------------

NOT_NUMBERS = [
    "Mötet 2025-09-25 kl. 8.30–16.00 och 25/9/2025 klockan 14:00.",
    "Perioden 2025-09-23–2025-09-25 och 2025-09-23 – 2025-09-25.",
    "Beslut RS-2025-09-23 och RS 2025-09-23-1, diarienummer RS 2025/1234, RS-2025-1234.",
    "Besparingen är cirka 130 miljoner kronor per år, 1 300 000 000 kronor totalt, 2 500 kr.",
    "Sammanlagt berörs närmare 150 personer och ett 50-tal konsulter, vecka 39, 2025–2026.",
    "Filen 2025-10-02-1400.md, version 1.4.0, adressen 127.0.0.1:8000 och 20250925 1430.",
    "ISBN 978-91-7331-123-4, sidorna 12–14 och tabellen 2025 09 25.",
]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_dates_ids_and_amounts_are_not_numbers(tmp_path: Path, text: str) -> None:
    assert scan(tmp_path, f"# Sida\n\n{text}\n") == []


def test_seed_report_has_no_number_findings(tmp_path: Path) -> None:
    seed = SEED.read_text(encoding="utf-8")
    assert "130 miljoner" in seed  # the real text, not an empty file
    assert scan(tmp_path, seed) == []


def test_real_site_gains_no_number_findings() -> None:
    found = kontroll.scan_sources(REPO, REPO / "docs", EXTENSIONS, ())
    assert len(kontroll.source_files(REPO / "docs")) > 10
    assert [f.as_line() for f in found if f.subtype in NUMBER_CHECKS | {"kontrollfel"}] == []


# -- one file's failure is a finding ----------------------------------------------------


def test_a_failing_check_names_its_file_and_the_others_are_checked(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nRing 070-123 45 67.\n", encoding="utf-8")
    (docs / "b.md").write_text("# B\n\nUTLÖSER FELET\n", encoding="utf-8")
    (docs / "c.md").write_text("# C\n\nRing 08-12 34 56.\n", encoding="utf-8")
    real = sourcescan._check_inline

    def faulty(ctx, content, first_line, dates):  # noqa: ANN001, ANN202 - a bug of ours, on one file
        if "UTLÖSER" in content:
            raise KeyError("oväntat")
        return real(ctx, content, first_line, dates)

    monkeypatch.setattr(sourcescan, "_check_inline", faulty)
    lines = [f.as_line() for f in kontroll.scan_sources(tmp_path, docs, EXTENSIONS)]
    assert lines == [
        "docs/a.md:3: Mobilnummer ”070-123 45 67” i texten; privata telefonnummer ska inte publiceras [telefon]",
        "docs/b.md: Filen kunde inte kontrolleras färdigt: oväntat fel (KeyError); fynden ovan för filen kan "
        "vara ofullständiga, övriga filer är kontrollerade [kontrollfel]",
        "docs/c.md:3: Telefonnummer ”08-12 34 56” i texten; privata telefonnummer ska inte publiceras [telefon]",
    ]


def test_deep_nesting_is_cut_short_with_a_finding(tmp_path: Path) -> None:
    depth = 200
    lines = ["# Djup", ""]
    lines += [":" * (depth + 3 - i) + "{note}" for i in range(depth)]
    lines.append("Ring 070-123 45 67 den 2025-09-25.")
    lines += [":" * (depth + 3 - i) for i in reversed(range(depth))]
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "djup.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = [f.as_line() for f in kontroll.scan_sources(tmp_path, tmp_path / "docs", EXTENSIONS)]
    assert found == [
        # private data is searched line by line, at any depth
        f"docs/djup.md:{3 + depth}: Mobilnummer ”070-123 45 67” i texten; privata telefonnummer ska inte publiceras [telefon]",
        # the running-text checks stop descending (the date inside is not reached)
        f"docs/djup.md:{3 + kontroll.MAX_DEPTH}: Blocken är nästlade i mer än {kontroll.MAX_DEPTH} nivåer; "
        "texten i dem kontrolleras inte (personnummer, telefonnummer och e-postadresser kontrolleras ändå) [kontrollfel]",
    ]


CRASHING_EXTENSION = """

# a directive with a bug, standing in for any extension that fails on one page
from docutils.parsers.rst import Directive


class Krasch(Directive):
    def run(self):
        raise ValueError("internt fel med 121212-1212")


def setup(app):
    app.add_directive("krasch", Krasch)
"""


def test_build_failure_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    project = tmp_path / "projekt"
    shutil.copytree(ROOTS / "test-cli", project)
    with (project / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(CRASHING_EXTENSION)
    (project / "docs" / "krasch.md").write_text("# Krasch\n\n```{krasch}\n```\n", encoding="utf-8")
    (project / "docs" / "annan.md").write_text("# Annan\n\nRing 070-123 45 67.\n", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [*RAPPORT, "--katalog", str(project), "kontroll"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env=env,
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    assert (
        "docs/krasch.md: Bygget avbröts i den här filen: oväntat fel (ValueError); byggets varningar kan vara "
        "ofullständiga, de egna kontrollerna av alla filer är gjorda [kontrollfel]"
    ) in result.stdout.splitlines()
    assert "docs/annan.md:3: Mobilnummer ”070-123 45 67” i texten" in result.stdout
    assert "1212-1212" not in result.stdout + result.stderr  # the error's text is not echoed
