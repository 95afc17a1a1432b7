"""The writer's ``rapport`` command, through its installed entry point, on copies of
``roots/test-cli``; and the writer's guide directives (``roots/test-guide``)."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import warnings_of
from sphinxrun import run_sphinx

from rapport.pdf.bundle import BundleSpec
from rapport.writer.build import BundleRun, LaterBundle, Progress

ROOTS = Path(__file__).parent / "roots"
REPO = Path(__file__).resolve().parent.parent
_SCRIPT = Path(sys.executable).with_name("rapport")
RAPPORT = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "rapport.writer.cli"]
REPORT_DIR = Path("docs/rapporter/2025")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "projekt"
    shutil.copytree(ROOTS / "test-cli", dest)
    return dest


def rapport(project: Path | None, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    argv = [*RAPPORT, *(["--katalog", str(project)] if project else []), *args]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(argv, capture_output=True, text=True, encoding="utf-8", timeout=timeout, env=env)


def findings(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.strip()]


# -- help and usage -------------------------------------------------------------------


def test_help_is_swedish() -> None:
    result = rapport(None, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("användning: rapport ")
    for text in ("flaggor:", "visa den här hjälptexten och avsluta", "ny ", "kontroll ", "förhandsgranska", "bygg "):
        assert text in result.stdout
    assert "usage" not in result.stdout and "show this help" not in result.stdout


def test_subcommand_help_is_swedish() -> None:
    result = rapport(None, "ny", "--help")
    assert result.returncode == 0
    assert "användning: rapport ny" in result.stdout
    assert "--datum ÅÅÅÅ-MM-DD[ TT:MM]" in result.stdout


# -- rapport ny ------------------------------------------------------------------------


def test_ny_creates_next_report_from_latest(project: Path) -> None:
    result = rapport(project, "ny", "--datum", "2025-10-02 09:15")
    assert result.returncode == 0, result.stderr
    new = project / REPORT_DIR / "2025-10-02.md"
    assert "Skapade" in result.stdout and "2025-10-02.md" in result.stdout
    assert new.read_text(encoding="utf-8") == (
        "---\n"
        "serie: test\n"
        "sammanstallt: 2025-10-02 09:15\n"
        "utkast: true\n"
        "amnen: [Testämne]\n"
        "---\n"
        "\n"
        "# Testrapporten 2 oktober 2025\n"
        "\n"
        ":::{avsnitt} sammanfattning\n"
        "- [BEKRÄFTA] Den första punkten i testrapporten.\n"
        "  - En underpunkt som följer med sin punkt.\n"
        "- [BEKRÄFTA] Den andra punkten, med mötet kl. 8.30 den 23 september 2025.\n"
        ":::\n"
        "\n"
        ":::{avsnitt} atgarder\n"
        "- 23/9: [Testsidan](https://example.org/test) – en kommentar [BEKRÄFTA]\n"
        "- 2025-09-22: [Annan testsida](https://example.org/annan) [BEKRÄFTA]\n"
        ":::\n"
    )  # the standing section (talesperson) is not copied: it comes from docs/_standard


def test_ny_markers_are_findings_until_confirmed_then_builds_clean(project: Path) -> None:
    assert rapport(project, "ny", "--datum", "2025-10-02 09:15").returncode == 0
    result = rapport(project, "kontroll")
    assert result.returncode == 1
    name = "docs/rapporter/2025/2025-10-02.md"
    assert [line.split(": ", 1)[0] for line in findings(result)] == [f"{name}:{n}" for n in (11, 13, 17, 18)]
    assert all(line.endswith("[carryover-unconfirmed]") for line in findings(result))

    new = project / REPORT_DIR / "2025-10-02.md"
    text = new.read_text(encoding="utf-8").replace("[BEKRÄFTA] ", "").replace(" [BEKRÄFTA]", "")
    new.write_text(text, encoding="utf-8")
    result = rapport(project, "kontroll")
    assert (result.returncode, result.stdout, result.stderr.strip()) == (0, "", "Inga fynd.")

    # and the HTML build itself has no warnings (-W turns one into a failure)
    build = run_sphinx(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "-q", "-c", str(project), str(project / "docs"),
         str(project / "out")]
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    assert "Testrapporten 2 oktober 2025" in (project / "out/rapporter/2025/2025-10-02.html").read_text(
        encoding="utf-8"
    )


def test_ny_new_year_gets_its_year_page_and_archive_entry(project: Path) -> None:
    result = rapport(project, "ny", "--datum", "2026-01-08")
    assert result.returncode == 0, result.stderr
    year_page = project / "docs/rapporter/2026/index.md"
    assert ":::{rapportar}" in year_page.read_text(encoding="utf-8")
    report = project / "docs/rapporter/2026/2026-01-08.md"
    assert "sammanstallt: 2026-01-08\n" in report.read_text(encoding="utf-8")  # no time given, none invented
    report.write_text(
        report.read_text(encoding="utf-8").replace("[BEKRÄFTA] ", "").replace(" [BEKRÄFTA]", ""), encoding="utf-8"
    )
    result = rapport(project, "kontroll")
    # the archive's glob toctree takes the new year page: no "not in any toctree" warning
    assert (result.returncode, result.stdout) == (0, ""), result.stdout


def test_ny_never_overwrites(project: Path) -> None:
    assert rapport(project, "ny", "--datum", "2025-10-02 09:15").returncode == 0
    first = (project / REPORT_DIR / "2025-10-02.md").read_bytes()
    # a second report for the same date is an explicit choice (tests/test_newreport.py)
    second = rapport(project, "ny", "--datum", "2025-10-02 09:15", "--ytterligare")
    assert second.returncode == 0
    assert (project / REPORT_DIR / "2025-10-02-0915.md").is_file()
    third = rapport(project, "ny", "--datum", "2025-10-02 09:15", "--ytterligare")
    assert third.returncode == 2
    assert third.stderr.count("\n") == 1 and "skrivs inte över" in third.stderr
    assert (project / REPORT_DIR / "2025-10-02.md").read_bytes() == first
    assert sorted(p.name for p in (project / REPORT_DIR).iterdir()) == [
        "2025-09-25.md",
        "2025-10-02-0915.md",
        "2025-10-02.md",
        "index.md",
    ]


def test_ny_starts_from_latest_by_compile_date_not_file_name(project: Path) -> None:
    # a file whose name sorts last but whose compile date is older
    (project / REPORT_DIR / "2025-12-31-gammal.md").write_text(
        "---\nserie: test\nsammanstallt: 2025-01-01 08:00\n---\n\n# Gammal\n\n:::{avsnitt} sammanfattning\n- Gammal punkt.\n:::\n",
        encoding="utf-8",
    )
    result = rapport(project, "ny", "--datum", "2025-10-02 09:15")
    assert "2025-09-25.md" in result.stdout
    assert "Den första punkten" in (project / REPORT_DIR / "2025-10-02.md").read_text(encoding="utf-8")


def test_ny_read_only_folder_is_one_line_and_nothing_written(project: Path, monkeypatch, capsys) -> None:
    # root ignores file modes, so the refusal is simulated where the file is created
    from rapport.writer import cli, newreport

    def refuse(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(newreport, "open", refuse, raising=False)
    code = cli.main(["--katalog", str(project), "ny", "--datum", "2025-10-02 09:15"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "är låst eller skrivskyddad" in err and "inget har skrivits över" in err
    assert not (project / REPORT_DIR / "2025-10-02.md").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file modes")
def test_ny_read_only_folder_real(project: Path) -> None:
    folder = project / REPORT_DIR
    folder.chmod(0o555)
    try:
        result = rapport(project, "ny", "--datum", "2025-10-02 09:15")
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2 and "skrivskyddad" in result.stderr


# -- rapport kontroll ------------------------------------------------------------------

PLANTED = """\
# Planterad sida

- En länk utan mål: [Läs mer](#) och en tom [länk]().
- Personnummer 19121212-1212 och samordningsnummer 701063-2391, men inte 19121212-1213.
- Ring 070-123 45 67 eller +46 70 123 45 67, men växeln 031-00 00 00 är tillåten.
- Skriv till anna.andersson@testregionen.invalid, funktion@testregionen.invalid eller namn@example.org.
- Det här är <b>fetstil</b> i rå HTML.
- Mötet 2025-09-25 och 25/9/2025 klockan 08:30, kl 08:30 och 14:00, men kl. 8.30 är rätt.
- Kod `2025-09-25 <b> 070-1234567` och [en länk](https://example.org/2025-09-25) räknas inte som löptext.

<div>block</div>

```text
2025-09-25 <i>kod</i>
```

:::{avsnitt} atgarder
- 23/9: [Åtgärd](https://example.org/a) – korta datum hör till åtgärdslistan
:::
"""

EXPECTED = [
    ("", "sphinx"),  # the page is in no toctree (a warning without a line)
    ("3", "platshallare"),
    ("3", "platshallare"),
    ("4", "personnummer"),
    ("4", "personnummer"),
    ("5", "telefon"),
    ("5", "telefon"),
    ("6", "epost"),
    ("7", "html"),
    ("8", "datum"),
    ("8", "datum"),
    ("8", "klockslag"),
    ("8", "klockslag"),
    ("8", "klockslag"),
    ("9", "telefon"),  # code is published too: private data is searched everywhere
    ("11", "html"),
]


def kinds(lines: list[str]) -> list[tuple[str, str]]:
    """(line, subtype) of each finding.

    Raw HTML is reported once per line: by the build's raw-html warning (rapport.trust.safety)
    where it has one, which then stands for our own check, or by ours.
    """
    result = []
    for line in lines:
        number = re.match(r"^[^:]+:(\d*)", line).group(1)
        subtype = line.rsplit("[", 1)[1].rstrip("]")
        item = (number, "html" if subtype == "raw-html" else subtype)
        if item[1] != "html" or item not in result:
            result.append(item)
    return sorted(result)


def test_kontroll_finds_each_kind_with_file_and_line_as_text_and_json(project: Path) -> None:
    (project / "docs/planterad.md").write_text(PLANTED, encoding="utf-8")
    result = rapport(project, "kontroll")
    assert result.returncode == 1
    lines = findings(result)
    assert all(line.startswith("docs/planterad.md:") for line in lines), lines
    assert kinds(lines) == sorted(EXPECTED)
    text = result.stdout
    assert (
        "docs/planterad.md:3: Platshållarlänk: ”Läs mer” pekar inte någonstans (#); fyll i adressen [platshallare]"
        in text
    )
    assert "docs/planterad.md:4: Troligt personnummer (19121212-****)" in text
    assert "docs/planterad.md:4: Troligt samordningsnummer (701063-****)" in text
    assert "1212-1212" not in text  # a check must not spread the number further
    assert "Klockslaget ”klockan 08:30” följer inte skrivreglerna; skriv ”kl. 8.30”" in text
    assert "Klockslaget ”14:00” följer inte skrivreglerna; skriv ”kl. 14.00”" in text
    assert "anna.andersson@testregionen.invalid" in text and "funktion@" not in text and "example.org" not in text
    assert result.stderr.strip() == f"{len(lines)} fynd i 1 fil. Skrivguiden förklarar varje slag av fynd."

    # the same findings as JSON, counted alike
    result = rapport(project, "kontroll", "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["antal"] == len(data["fynd"]) == len(lines)
    assert kinds([f"{f['file']}:{f['line'] or ''}: {f['message']} [{f['subtype']}]" for f in data["fynd"]]) == sorted(
        EXPECTED
    )
    first = data["fynd"][1]
    assert set(first) == {"file", "line", "type", "subtype", "message"}
    assert (first["file"], first["line"], first["type"], first["subtype"]) == (
        "docs/planterad.md",
        3,
        "kontroll",
        "platshallare",
    )
    assert data["fynd"][0]["line"] is None and data["fynd"][0]["type"] == "sphinx"
    (project / "docs/planterad.md").unlink()
    clean = rapport(project, "kontroll", "--format", "json")
    assert (clean.returncode, json.loads(clean.stdout)) == (0, {"antal": 0, "fynd": []})


def test_kontroll_lists_build_warnings_with_subtype(project: Path) -> None:
    report = project / REPORT_DIR / "2025-09-25.md"
    assert ":::{avsnitt} sammanfattning\n" in report.read_text(encoding="utf-8")
    report.write_text(
        report.read_text(encoding="utf-8").replace(":::{avsnitt} atgarder", ":::{avsnitt} okant"), encoding="utf-8"
    )
    result = rapport(project, "kontroll")
    assert result.returncode == 1
    assert findings(result) == [
        "docs/rapporter/2025/2025-09-25.md:7: Det obligatoriska avsnittet ”Åtgärder” saknas "
        "(skriv :::{avsnitt} atgarder) [section-missing]",
        "docs/rapporter/2025/2025-09-25.md:15: Okänt avsnitt ”okant”; serien test har avsnitten: "
        "sammanfattning, atgarder, talesperson [section-unknown]",
        # outside the action list a short date is running text again
        "docs/rapporter/2025/2025-09-25.md:17: Datumet ”2025-09-22” följer inte skrivreglerna; "
        "skriv till exempel ”25 september 2025” [datum]",
    ]


def test_kontroll_clean_project_has_no_findings(project: Path) -> None:
    result = rapport(project, "kontroll")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "Inga fynd.\n")


def test_identity_number_checksum() -> None:
    from rapport.writer.kontroll import find_identity_numbers

    assert [m for _, m, _ in find_identity_numbers("191212121212")] == ["19121212****"]
    assert [c for _, _, c in find_identity_numbers("701063+2391")] == [True]
    assert list(find_identity_numbers("19121212-1213")) == []  # checksum wrong
    assert list(find_identity_numbers("121312-1212")) == []  # month 13
    assert list(find_identity_numbers("ordernummer 12345678901234")) == []


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("fel",), "okänt kommando ”fel”"),
        (("kontroll", "--okand"), "okänd flagga eller okänt argument: --okand"),
        (("kontroll", "--format", "xml"), "ogiltigt val: 'xml'"),
        (("ny", "--datum", "2025-02-30"), "”2025-02-30” är inget giltigt datum"),
        (("ny", "--datum", "igår"), "”igår” är inte en tidpunkt på formen ÅÅÅÅ-MM-DD TT:MM"),
        (("ny", "--datum", "2025-10-02 25:00"), "ogiltigt klockslag"),
        (("ny", "--serie", "finnsinte"), "Serien ”finnsinte” finns inte"),
        (("förhandsgranska", "--port", "abc"), "”abc” är inget portnummer"),
    ],
)
def test_bad_input_is_one_swedish_line(project: Path, args: tuple[str, ...], expected: str) -> None:
    result = rapport(project, *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert sorted(p.name for p in (project / REPORT_DIR).iterdir()) == ["2025-09-25.md", "index.md"]


def test_missing_project_folder(tmp_path: Path) -> None:
    result = rapport(tmp_path / "finns-inte", "kontroll")
    assert result.returncode == 2
    assert (
        result.stderr
        == f"rapport: fel: Mappen {tmp_path / 'finns-inte'} finns inte (ange projektmappen, där conf.py finns)\n"
    )


def test_missing_report_folder(project: Path) -> None:
    shutil.rmtree(project / "docs/rapporter")
    result = rapport(project, "ny")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "Rapportmappen" in result.stderr and "finns inte" in result.stderr


def test_year_folder_that_is_a_file(project: Path) -> None:
    (project / "docs/rapporter/2026").write_text("inte en mapp", encoding="utf-8")
    result = rapport(project, "ny", "--datum", "2026-01-08 08:00")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert (project / "docs/rapporter/2026").read_text(encoding="utf-8") == "inte en mapp"


@pytest.mark.parametrize("command", ["kontroll", "ny", "bygg"])
def test_file_not_utf8(project: Path, command: str) -> None:
    report = project / REPORT_DIR / "2025-09-25.md"
    original = report.read_text(encoding="utf-8").encode("cp1252")
    report.write_bytes(original)
    result = rapport(project, command)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "2025-09-25.md är inte sparad som UTF-8 (första felet på rad 4)" in result.stderr
    assert report.read_bytes() == original


# -- rapport bygg ----------------------------------------------------------------------


def test_make_site_runs_rapport_bygg() -> None:
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\nsite:", 1)[1].split("\n\n", 1)[0]
    assert [line.strip() for line in recipe.splitlines()[1:]] == [
        'SPHINXOPTS="$(SPHINXOPTS)" PDFOPTS="$(PDFOPTS)" $(BIN)/rapport bygg'
    ]


def test_bygg_builds_the_site_and_assembles_a_changed_bundle_while_the_site_is_built(project: Path) -> None:
    """rapport bygg builds the site. The first bundle is made in the PDF step (the site
    links to it); a changed one is put together while the site and e-mail are built,
    then served with the site."""
    first = rapport(project, "bygg", timeout=600)
    assert first.returncode == 0, first.stderr
    assert (project / "_build/html/rapporter/2025/2025-09-25.html").is_file()
    assert first.stdout.startswith("Klart: ")
    assert "[1/" in first.stderr and "klart (" in first.stderr
    assert "Samlingsvolymen samlingsvolym.pdf: klar" not in first.stderr
    bundle, served = project / "_build/pdf/samlingsvolym.pdf", project / "_build/html/pdf/samlingsvolym.pdf"
    assert served.read_bytes() == bundle.read_bytes()
    report = project / REPORT_DIR / "2025-09-25.md"
    assert ":::{avsnitt} sammanfattning\n" in report.read_text(encoding="utf-8")
    report.write_text(
        report.read_text(encoding="utf-8").replace(
            ":::{avsnitt} sammanfattning\n",
            ":::{avsnitt} sammanfattning\n- Fjällsippan blommar i samlingsvolymen.\n",
            1,
        ),
        encoding="utf-8",
    )
    again = rapport(project, "bygg", timeout=600)
    assert again.returncode == 0, again.stderr
    lines = again.stderr.splitlines()
    done = [i for i, line in enumerate(lines) if line.startswith("Samlingsvolymen samlingsvolym.pdf: klar (")]
    email = [i for i, line in enumerate(lines) if line.startswith("[3/3] E-postutgåvan: klart")]
    assert len(done) == 1 and email and done[0] > email[0], lines
    assert served.read_bytes() == bundle.read_bytes()
    if shutil.which("pdftotext"):
        text = " ".join(subprocess.run(["pdftotext", str(bundle), "-"], capture_output=True, text=True).stdout.split())
        assert "Fjällsippan blommar i samlingsvolymen." in text
    assert not (project / "_build/doctrees/rapport-samlingsvolym.json").exists()
    assert not list((project / "_build/pdf").glob("*.part"))


def test_a_bundle_assembled_later_that_fails_is_one_warning(tmp_path: Path) -> None:
    spec = BundleSpec(
        front=str(tmp_path / "framsida.pdf"),
        front_pages=1,
        parts=[],
        target=str(tmp_path / "s.pdf.part"),
        title="T",
        final=str(tmp_path / "s.pdf"),
    )
    spec.dump(tmp_path / "spec.json")
    pending = tmp_path / "vantar.json"
    pending.write_text(json.dumps({"spec": str(tmp_path / "spec.json"), "target": spec.final}), encoding="utf-8")
    out = io.StringIO()
    run = BundleRun(LaterBundle(pending, tmp_path / "html" / "pdf"), tmp_path)
    assert not pending.exists()
    assert run.finish(Progress(out)) is False
    assert out.getvalue().splitlines() == [
        f"WARNING: Samlingsvolymen kunde inte skapas: FileNotFoundError: [Errno 2] No such file or directory: "
        f"'{tmp_path / 'framsida.pdf'}' [rapport.pdf-failed]"
    ]
    assert not Path(spec.final).exists()


def test_a_step_sphinx_stops_is_one_swedish_line_without_traceback(project: Path) -> None:
    conf = project / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + '\nextensions = [*extensions, "finns_inte"]\n', encoding="utf-8")
    result = rapport(project, "bygg", timeout=600)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert (
        "Sphinx avbröt steget: Could not import extension finns_inte "
        "(exception: No module named 'finns_inte') (ExtensionError)"
    ) in lines
    assert lines[-1] == "Bygget misslyckades i steget ”PDF för varje rapport” (se meddelandena ovan)."
    for noise in ("Traceback", 'File "', "sphinx-doc", "report this error"):
        assert noise not in result.stderr, noise


def test_failure_line_names_the_error_or_says_what_it_knows() -> None:
    from rapport.writer.build import failure_line

    assert failure_line(["Exception occurred:", '  File "x.py", line 1', "TypeError: bad value"]) == (
        "Sphinx avbröt steget: bad value (TypeError)"
    )
    assert failure_line(["Configuration error:", "config directory doesn't contain a conf.py file"]) == (
        "Sphinx avbröt steget: config directory doesn't contain a conf.py file"
    )
    assert failure_line(["Extension error!", "Could not import extension x"]) == (
        "Sphinx avbröt steget: Could not import extension x"
    )
    assert failure_line([]) == "Sphinx avbröt steget utan att säga varför (kör sphinx-build -T för detaljer)."


# -- rapport förhandsgranska -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.IncompleteRead):
        # IncompleteRead: the page was being rewritten while it was served (the preview
        # writes in place); the next poll reads the finished page
        return None


def _poll(condition, limit: float = 120.0):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    return None


def test_preview_serves_on_localhost_and_rebuilds_on_save(project: Path) -> None:
    port = _free_port()
    draft = project / REPORT_DIR / "2025-10-02.md"
    draft.write_text(
        "---\nserie: test\nsammanstallt: 2025-10-02 08:00\nutkast: true\n---\n\n# Utkastet\n\n"
        ":::{avsnitt} sammanfattning\n- Första versionen.\n:::\n\n:::{avsnitt} atgarder\n"
        "- 1/10: [Sida](https://example.org/s)\n:::\n",
        encoding="utf-8",
    )
    url = f"http://127.0.0.1:{port}/rapporter/2025/2025-10-02.html"
    proc = subprocess.Popen(
        [*RAPPORT, "--katalog", str(project), "förhandsgranska", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        start_new_session=True,
    )
    try:
        page = _poll(lambda: _fetch(url))
        assert page is not None, "the preview never served the draft"
        assert "Första versionen." in page
        # drafts show in the preview (rapport_preview): the year page lists the draft
        year = _fetch(f"http://127.0.0.1:{port}/rapporter/2025/index.html") or ""
        assert "Utkastet" in year
        draft.write_text(
            draft.read_text(encoding="utf-8").replace("Första versionen.", "Andra versionen."), encoding="utf-8"
        )
        assert _poll(lambda: "Andra versionen." in (_fetch(url) or "")), "no rebuild after the change"
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate()
    assert f"Förhandsgranskningen visas på http://127.0.0.1:{port}" in output
    assert "Ändrat: docs/rapporter/2025/2025-10-02.md – bygger om …" in output
    assert output.rstrip().endswith("Förhandsgranskningen är avslutad.")
    assert "Traceback" not in output and proc.returncode == 0


def test_preview_port_in_use_is_one_line(project: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = rapport(project, "förhandsgranska", "--port", str(port), timeout=180)
    assert result.returncode == 2
    assert result.stderr == (
        f"rapport: fel: Port {port} används redan av ett annat program "
        f"(välj en annan med rapport förhandsgranska --port {port + 1})\n"
    )
    assert "Traceback" not in result.stdout


def test_preview_listens_on_loopback_only(project: Path) -> None:
    from rapport.writer.cli import Project, preview_command

    argv = preview_command(Project(project, project / "docs", {}), 8123, False)
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert argv[argv.index("-D") + 1] == "rapport_preview=1"


# -- the guide's directives ------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="guide")
def test_guide_examples_show_source_and_result(app) -> None:  # noqa: ANN001
    from rapport.messages import SUBTYPES
    from rapport.registry import get_domain
    from rapport.writer.kontroll import CHECKS

    app.build()
    # only the marker outside the examples is a left-over
    assert warnings_of(app) == [
        "index.md:33: WARNING: Punkten är kopierad från förra rapporten och inte bekräftad: "
        "ta bort [BEKRÄFTA] om den stämmer, annars hela punkten [rapport.carryover-unconfirmed]"
    ]
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert html.count('class="rapport-exempel docutils container"') == 3
    assert "Så skriver du:" in html and "Så blir det:" in html
    assert ":::{avsnitt} sammanfattning" in html  # the source, as written
    assert 'id="exempel-0-sammanfattning"' in html and 'id="exempel-1-sammanfattning"' in html
    assert "<h2>Sammanfattning" in html or ">Sammanfattning<" in html
    # the example decision is rendered but not registered
    assert "Ett exempelbeslut" in html
    assert not any(get_domain(app.env).records("decisions"))
    # the warning tables are the dicts the code uses
    assert html.count('<code class="docutils literal notranslate"><span class="pre">') >= len(SUBTYPES) + len(CHECKS)
    for key in (*SUBTYPES, *CHECKS):
        assert f'<span class="pre">{key}</span>' in html
