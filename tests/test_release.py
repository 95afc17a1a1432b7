"""Releasing a report: proof, approval, the gate, corrections and the record (issue 21).

Against a real SMTP server (aiosmtpd on 127.0.0.1 with STARTTLS and AUTH), on private
copies of tests/roots/test-email (fictitious Region Fjällmark). Every command runs
in-process through the CLI's ``main``: exit codes and the writer's lines are asserted
as the writer sees them, and every message is parsed back with the ``email`` package.
The Sphinx builds (the e-mail edition each command builds, and the site) run in-process
too (``sphinxrun.run_sphinx``).
"""

from __future__ import annotations

import json
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from rapport.writer.cli import main
from sphinxrun import run_sphinx
from smtptools import (  # noqa: F401 - ca, server and sphinx_in_process are fixtures
    SmtpServer,
    ca,
    copy_project,
    server,
    sphinx_in_process,
)

REPORT = "docs/rapporter/2025/2025-03-06.md"
LOG = "utskick/skicklogg.jsonl"
pytestmark = pytest.mark.usefixtures("sphinx_in_process")
APPROVERS = """
rapport_signoff_required = True
rapport_approvers = ["Dora Dahl <dora.dahl@fjallmark.example>", "erik.ek@fjallmark.example"]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = copy_project(tmp_path)
    conf = root / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + APPROVERS, encoding="utf-8")
    return root


def run(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--katalog", str(project), *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "Oväntat fel" not in captured.err, captured.err
    return code, captured.out, captured.err


def parsed(data: bytes) -> EmailMessage:
    return message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def text_of(message: EmailMessage) -> str:
    return "\n".join(p.get_content() for p in message.walk() if p.get_content_type() == "text/plain")


def html_of(message: EmailMessage) -> str:
    return "\n".join(p.get_content() for p in message.walk() if p.get_content_type() == "text/html")


def proof_code(server: SmtpServer) -> str:
    subject = str(parsed(server.recorder.messages[-1].data)["Subject"])
    body = text_of(parsed(server.recorder.messages[-1].data))
    match = re.search(r"Version ([0-9a-f]{8})", body)
    assert match, body
    assert subject.startswith("Korrektur – ej godkänd: "), subject
    return match.group(1)


def sent_lines(project: Path) -> list[dict]:
    lines = [json.loads(x) for x in (project / LOG).read_text(encoding="utf-8").splitlines() if x.strip()]
    return [line for line in lines if line.get("status") == "skickat"]


# -- sign-off ------------------------------------------------------------------------------


def test_proof_approval_and_an_approval_gated_send(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    # unapproved: refused with what is missing, nothing sent
    code, out, err = run(project, capsys, "skicka", REPORT, "--lista", "ledning")
    assert code == 1
    assert re.search(r"version [0-9a-f]{8} är inte godkänd, och serien kräver godkännande", err), err
    assert server.recorder.messages == []

    # the proof goes to both approvers, marked in subject and body, with the code
    code, out, err = run(project, capsys, "skicka", REPORT, "--korrektur")
    assert code == 0, err
    recipients = sorted(m.rcpt_tos[0] for m in server.recorder.messages)
    assert recipients == ["dora.dahl@fjallmark.example", "erik.ek@fjallmark.example"]
    code_ = proof_code(server)
    proof = parsed(server.recorder.messages[0].data)
    assert "Korrektur – ej godkänd" in html_of(proof)
    assert f"godkänn {REPORT} --av NAMN --version {code_}" in out

    # an approver outside the list, and a wrong code, are refused
    code, _, err = run(project, capsys, "godkänn", REPORT, "--av", "Okänd Person", "--version", code_)
    assert code == 2 and "”Okänd Person” är ingen av seriens godkännare (Dora Dahl, erik.ek@fjallmark.example)" in err
    code, _, err = run(project, capsys, "godkänn", REPORT, "--av", "Dora Dahl", "--version", "00000000")
    assert code == 1 and f"version 00000000 är inte den aktuella (den är {code_})" in err

    code, out, err = run(project, capsys, "godkänn", REPORT, "--av", "Dora Dahl", "--version", code_, "--hur", "telefon")
    assert code == 0, err
    approvals = [json.loads(x) for x in (project / "godkannanden.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(a["rapport"], a["version"], a["av"], a["hur"]) for a in approvals] == [
        ("rapporter/2025/2025-03-06", code_, "Dora Dahl", "telefon")
    ]

    server.recorder.messages.clear()
    code, out, err = run(project, capsys, "skicka", REPORT, "--lista", "ledning")
    assert code == 0, err
    assert sorted(m.rcpt_tos[0] for m in server.recorder.messages) == [
        "anna.alm@fjallmark.example",
        "bertil.berg@fjallmark.example",
    ]
    assert {line["version"] for line in sent_lines(project) if line["typ"] == "rapport"} == {code_}
    archived = project / "utskick/arkiv/rapporter/2025/2025-03-06" / code_
    assert (archived / "meddelande-internt.eml").is_file() and (archived / "version.txt").is_file()


def test_a_change_after_approval_is_refused_with_a_diff(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    assert run(project, capsys, "skicka", REPORT, "--korrektur")[0] == 0
    approved = proof_code(server)
    assert run(project, capsys, "godkänn", REPORT, "--av", "erik.ek@fjallmark.example", "--version", approved)[0] == 0
    source = project / REPORT
    source.write_text(
        source.read_text(encoding="utf-8").replace("fortsätter enligt plan", "är försenat"), encoding="utf-8"
    )
    server.recorder.messages.clear()
    code, _, err = run(project, capsys, "skicka", REPORT, "--lista", "ledning")
    assert code == 1
    assert f"erik.ek@fjallmark.example godkände version {approved}, och rapporten har ändrats sedan dess" in err
    assert server.recorder.messages == []
    code, out, _ = run(project, capsys, "status", REPORT)
    assert code == 0
    assert f"Ändringar sedan version {approved}:" in out
    assert "-- Arbetet med den påhittade regionens nya journalsystem fortsätter enligt plan." in out
    assert "+- Arbetet med den påhittade regionens nya journalsystem är försenat." in out


def test_the_version_changes_when_a_cited_decisions_title_changes(project: Path, capsys) -> None:  # noqa: ANN001
    earlier = project / "docs/rapporter/2025/2025-02-27.md"
    earlier.write_text(
        earlier.read_text(encoding="utf-8")
        + "\n:::{beslut} FJ-2025-02-20\n:datum: 2025-02-20\n:organ: Regionstyrelsen Fjällmark\n"
        ":titel: Beslutade att pausa införandet\n:status: fattat\nPåhittat beslut i testregionen.\n:::\n",
        encoding="utf-8",
    )
    source = project / REPORT
    source.write_text(
        source.read_text(encoding="utf-8").replace(
            "- Mer bakgrund finns", "- Se [det tidigare beslutet](FJ-2025-02-20).\n- Mer bakgrund finns"
        ),
        encoding="utf-8",
    )

    def version() -> str:
        code, out, err = run(project, capsys, "status", REPORT)
        assert code == 0, err
        return re.search(r"^Version: ([0-9a-f]{8})$", out, re.MULTILINE).group(1)  # type: ignore[union-attr]

    first = version()
    assert first == version()  # the same text is the same version
    earlier.write_text(
        earlier.read_text(encoding="utf-8").replace("pausa införandet", "återuppta införandet"), encoding="utf-8"
    )
    assert version() != first


# -- the gate ------------------------------------------------------------------------------


def test_personal_data_stops_every_send_even_a_test_copy(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    conf = project / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace("rapport_signoff_required = True", ""), encoding="utf-8")
    source = project / REPORT
    source.write_text(
        source.read_text(encoding="utf-8").replace(
            "- Mer bakgrund", "- Kontakt: Test Testsson, 19121212-1212, tel. 070-123 45 67.\n- Mer bakgrund"
        ),
        encoding="utf-8",
    )
    for args in (("--test", "jag@fjallmark.example"), ("--lista", "ledning", "--trots-varningar")):
        code, _, err = run(project, capsys, "skicka", REPORT, *args)
        assert code == 1, err
        assert "personnummer" in err and "070-123 45 67" in err
        assert re.search(r"docs/rapporter/2025/2025-03-06\.md:\d+: ", err), err
        assert "19121212-1212" not in err  # the number is never repeated in full
    assert server.recorder.messages == []


def test_placeholders_need_an_explicit_choice(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    conf = project / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace("rapport_signoff_required = True", ""), encoding="utf-8")
    source = project / REPORT
    source.write_text(
        source.read_text(encoding="utf-8").replace("- Mer bakgrund", "- Läs [nyheten](#).\n- Mer bakgrund"),
        encoding="utf-8",
    )
    code, _, err = run(project, capsys, "skicka", REPORT, "--lista", "ledning", "--trots-varningar")
    assert code == 1 and "nyheten" in err
    assert server.recorder.messages == []
    code, _, err = run(
        project, capsys, "skicka", REPORT, "--lista", "ledning", "--trots-varningar", "--med-platshallare"
    )
    assert code == 0, err
    assert "Skickas med 1 platshållarlänkar, som du valde (--med-platshallare)." in err


# -- corrections -----------------------------------------------------------------------------


def _approve_current(project: Path, server: SmtpServer, capsys) -> str:  # noqa: ANN001
    assert run(project, capsys, "skicka", REPORT, "--korrektur")[0] == 0
    code_ = proof_code(server)
    assert run(project, capsys, "godkänn", REPORT, "--av", "Dora Dahl", "--version", code_)[0] == 0
    return code_


def test_a_correction_reaches_exactly_the_earlier_recipients_once(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    _approve_current(project, server, capsys)
    assert run(project, capsys, "skicka", REPORT, "--lista", "ledning")[0] == 0
    # a silent change of a sent report is refused by skicka
    source = project / REPORT
    source.write_text(
        source.read_text(encoding="utf-8").replace("nästa vecka", "om två veckor"), encoding="utf-8"
    )
    code, _, err = run(project, capsys, "skicka", REPORT, "--lista", "chefer")
    assert code == 1 and "har redan skickats, och texten har ändrats utan att en rättelse har registrerats" in err

    code, out, err = run(
        project, capsys, "rättelse", REPORT, "--fel", "Styrgruppen möts nästa vecka.", "--rätt",
        "Styrgruppen möts om två veckor.", "--datum", "2025-03-07",
    )  # fmt: skip
    assert code == 0, err
    text = source.read_text(encoding="utf-8")
    assert ":::{rattelse} 2025-03-07\n:fel: Styrgruppen möts nästa vecka.\n:ratt: Styrgruppen möts om två veckor.\n:::" in text
    # the correction is a new version: it needs sign-off
    server.recorder.messages.clear()
    code, _, err = run(project, capsys, "skicka", REPORT, "--rättelse")
    assert code == 1 and "är inte godkänd" in err and server.recorder.messages == []
    _approve_current(project, server, capsys)
    server.recorder.messages.clear()
    code, out, err = run(project, capsys, "skicka", REPORT, "--rättelse")
    assert code == 0, err
    got = sorted(m.rcpt_tos[0] for m in server.recorder.messages)
    assert got == ["anna.alm@fjallmark.example", "bertil.berg@fjallmark.example"]
    message = parsed(server.recorder.messages[0].data)
    assert str(message["Subject"]) == "Rättelse: Testrapport Fjällmark 6 mars 2025"
    body = text_of(message)
    assert "Tidigare stod det: Styrgruppen möts nästa vecka." in body
    assert "Rätt är: Styrgruppen möts om två veckor." in body
    assert "https://intranat.fjallmark.example/rapport/rapporter/2025/2025-03-06.html" in body
    # once each: a second run sends nothing
    server.recorder.messages.clear()
    code, out, _ = run(project, capsys, "skicka", REPORT, "--rättelse")
    assert code == 0 and server.recorder.messages == [] and "har redan fått rättelsen" in out
    # a reader added later (chefer: cecilia) gets the corrected report, not the correction;
    # anna.alm is on chefer too and already has it
    code, out, err = run(project, capsys, "skicka", REPORT, "--lista", "chefer")
    assert code == 0, err
    assert [m.rcpt_tos[0] for m in server.recorder.messages] == ["cecilia.ceder@fjallmark.example"]
    corrected = text_of(parsed(server.recorder.messages[0].data))
    assert "Rättelse 7 mars 2025" in corrected

    code, out, _ = run(project, capsys, "historik", REPORT)
    assert code == 0
    assert "godkänd av Dora Dahl (e-post)" in out
    assert "rättelse registrerad 7 mars 2025: tidigare stod det ”Styrgruppen möts nästa vecka”, rätt är ”Styrgruppen möts om två veckor”" in out
    assert re.search(r"version [0-9a-f]{8} rättelse skickad till 2 mottagare", out), out
    assert "anna.alm@fjallmark.example" not in out  # addresses only when asked
    code, out, _ = run(project, capsys, "historik", REPORT, "--adresser")
    assert "    anna.alm@fjallmark.example" in out


# -- the record and hostile input ----------------------------------------------------------------


def test_a_truncated_last_log_line_never_causes_a_second_copy(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    conf = project / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace("rapport_signoff_required = True", ""), encoding="utf-8")
    assert run(project, capsys, "skicka", REPORT, "--lista", "ledning")[0] == 0
    log = project / LOG
    raw = log.read_bytes()
    # a crash while the last "skickat" line was written: cut it in the middle
    log.write_bytes(raw[: raw.rstrip(b"\n").rfind(b"\n") + 20])
    server.recorder.messages.clear()
    code, out, err = run(project, capsys, "skicka", REPORT, "--lista", "ledning")
    assert code == 0, err
    assert server.recorder.messages == []  # the cut-off address is "perhaps delivered", not sent again
    assert "utskicket avbröts medan meddelandet skickades; det kan ha kommit fram" in err
    # and the next line written after the cut is whole
    assert run(project, capsys, "skicka", REPORT, "--lista", "chefer")[0] == 0
    for line in log.read_text(encoding="utf-8").splitlines()[-2:]:
        json.loads(line)


def test_titles_with_encoded_words_never_make_a_header(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    conf = project / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace("rapport_signoff_required = True", ""), encoding="utf-8")
    source = project / REPORT
    hostile = "Testrapport =?utf-8?q?x=0D=0ABcc:_smygare@annan.example?= =?utf-8?b?DQpYLUV2aWw6IDE=?= slut"
    source.write_text(
        source.read_text(encoding="utf-8").replace("# Testrapport Fjällmark 6 mars 2025", f"# {hostile}"),
        encoding="utf-8",
    )
    code, _, err = run(project, capsys, "skicka", REPORT, "--lista", "ledning", "--trots-varningar")
    assert code == 0, err
    assert len(server.recorder.messages) == 2
    for received in server.recorder.messages:
        message = parsed(received.data)
        assert message["Bcc"] is None and message["X-Evil"] is None
        assert len(received.rcpt_tos) == 1
        subject = str(message["Subject"])
        assert "\r" not in subject and "\n" not in subject
        head = received.data.split(b"\r\n\r\n", 1)[0]
        assert not re.search(rb"^(Bcc|X-Evil):", head, re.MULTILINE | re.IGNORECASE)


def test_bad_input_is_one_clear_line(server: SmtpServer, project: Path, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    outside = tmp_path / "utanfor.md"
    outside.write_text("# Utanför\n", encoding="utf-8")
    code, _, err = run(project, capsys, "skicka", str(outside), "--lista", "ledning")
    assert code == 2 and err.startswith("rapport skicka: ") and len(err.strip().splitlines()) == 1
    (project / "utskick/listor.txt").write_text("[tom] internt\n\n[ledning] internt\nanna.alm@fjallmark.example\n")
    code, _, err = run(project, capsys, "skicka", REPORT, "--lista", "tom")
    assert code == 2 and "utskick/listor.txt:1: sändlistan ”tom” är tom; inget har skickats" in err
    # a file that is not a list file is never echoed
    (project / "utskick/listor.txt").write_text("root:x:0:0:root:/root:/bin/bash\n" * 5 + "hemlig rad 1\nhemlig rad 2\n")
    code, _, err = run(project, capsys, "skicka", REPORT, "--lista", "ledning")
    assert code == 1 and "hemlig" not in err and "root:x" not in err
    assert "filen är ingen fil med sändlistor" in err
    assert server.recorder.messages == []


def test_verify_message_refuses_a_header_an_encoded_word_would_make() -> None:
    from rapport.email.message import HeaderError, verify_message

    good = b"Subject: =?utf-8?q?Rapport?=\r\nTo: a@fjallmark.example\r\n\r\ntext\r\n"
    verify_message(good, "a@fjallmark.example")
    with pytest.raises(HeaderError, match="huvudet ”bcc”"):
        verify_message(b"Subject: x\r\nBcc: smygare@annan.example\r\n\r\ntext\r\n")
    with pytest.raises(HeaderError, match="radbrytning"):
        verify_message(b"Subject: =?utf-8?q?x=0D=0AX-Evil:_1?=\r\n\r\ntext\r\n")
    with pytest.raises(HeaderError, match="mottagarens egen adress"):
        verify_message(good, "b@fjallmark.example")


# -- publishing through the gate, and what readers see ----------------------------------------


def _build(project: Path, builder: str, out: str) -> None:
    import sys

    result = run_sphinx(
        [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-N", "-c", str(project), "-d",
         str(project / "_build/doctrees"), str(project / "docs"), str(project / out)],
        cwd=project,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_publish_refuses_unapproved_reports_and_personal_data(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    _build(project, "html", "_build/html")
    _build(project, "rapportepost", "_build/epost")
    target = project.parent / "webb" / "rapport"
    target.parent.mkdir()
    code, _, err = run(project, capsys, "publicera", str(target))
    assert code == 1
    assert re.search(r"docs/rapporter/2025/2025-03-06\.md: version [0-9a-f]{8} är inte godkänd", err), err
    assert "inget har publicerats" in err and not target.exists()

    conf = project / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace("rapport_signoff_required = True", ""), encoding="utf-8")
    standing = project / "docs/_standard/om-rapporten.md"
    standing.write_text(standing.read_text(encoding="utf-8") + "\nRing 070-123 45 67 vid frågor.\n", encoding="utf-8")
    _build(project, "html", "_build/html")
    _build(project, "rapportepost", "_build/epost")
    code, _, err = run(project, capsys, "publicera", str(target))
    assert code == 1 and "070-123 45 67" in err and "docs/_standard/om-rapporten.md:" in err, err
    assert not target.exists()

    standing.write_text(standing.read_text(encoding="utf-8").replace("Ring 070-123 45 67 vid frågor.\n", ""))
    _build(project, "html", "_build/html")
    _build(project, "rapportepost", "_build/epost")
    code, out, err = run(project, capsys, "publicera", str(target))
    assert code == 0, err
    assert (target / "rapporter/2025/2025-03-06.html").is_file()


@pytest.mark.browser
def test_a_corrected_page_and_the_correction_email_at_320_px(
    server: SmtpServer, project: Path, capsys, browser, tmp_path: Path  # noqa: ANN001
) -> None:
    from browsertools import Server

    conf = project / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace("rapport_signoff_required = True", ""), encoding="utf-8")
    assert run(project, capsys, "skicka", REPORT, "--lista", "ledning")[0] == 0
    assert run(project, capsys, "rättelse", REPORT, "--fel", "Styrgruppen möts nästa vecka.", "--rätt",
               "Styrgruppen möts om två veckor.", "--datum", "2025-03-07")[0] == 0  # fmt: skip
    server.recorder.messages.clear()
    assert run(project, capsys, "skicka", REPORT, "--rättelse")[0] == 0
    message = parsed(server.recorder.messages[0].data)
    _build(project, "html", "_build/html")
    # the feed entry is updated: its date and summary say what was corrected
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(project / "_build/html/rapporter.atom").getroot()
    entry = next(e for e in feed.iter(f"{atom}entry") if e.findtext(f"{atom}id", "").endswith("2025-03-06.html"))
    assert entry.findtext(f"{atom}updated", "").startswith("2025-03-07")
    assert entry.findtext(f"{atom}published", "").startswith("2025-03-06")
    assert entry.findtext(f"{atom}summary", "").startswith("Rättelse 7 mars 2025: Styrgruppen möts om två veckor.")
    page = browser.new_page(viewport={"width": 320, "height": 640})
    try:
        with Server(project / "_build/html") as site:
            page.goto(f"{site.base}rapporter/2025/2025-03-06.html")
            notice = page.locator(".rapport-rattelse")
            assert notice.count() == 1
            assert notice.locator(".admonition-title").inner_text() == "Rättelse 7 mars 2025"
            assert "Rätt är: Styrgruppen möts om två veckor." in notice.inner_text()
            # the notice comes right under the date, before the downloads and the first section
            downloads = page.locator(".rapport-hamta")
            assert notice.bounding_box()["y"] < downloads.bounding_box()["y"]  # type: ignore[index]
            first_section = page.locator("section.rapport-avsnitt").first
            assert notice.bounding_box()["y"] < first_section.bounding_box()["y"]  # type: ignore[index]
            assert page.evaluate("document.documentElement.scrollWidth") <= 320
            page.screenshot(path=str(tmp_path / "rattad-sida-320.png"))
        page.set_content(html_of(message))
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert page.locator("h1").inner_text() == "Rättelse 7 mars 2025"
        link = page.get_by_role("link", name="Läs den rättade rapporten")
        assert link.get_attribute("href") == "https://intranat.fjallmark.example/rapport/rapporter/2025/2025-03-06.html"
        page.screenshot(path=str(tmp_path / "rattelse-epost-320.png"), full_page=True)
    finally:
        page.close()


def test_building_the_pdf_does_not_change_the_version(project: Path, capsys) -> None:  # noqa: ANN001
    def version() -> str:
        code, out, err = run(project, capsys, "status", REPORT)
        assert code == 0, err
        return re.search(r"^Version: ([0-9a-f]{8})$", out, re.MULTILINE).group(1)  # type: ignore[union-attr]

    before = version()
    pdf = project / "_build/pdf/rapporter/2025/2025-03-06.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7\n" + b"0" * 4000)
    edition = (project / "_build/epost/rapporter/2025/2025-03-06.eml").read_bytes()
    assert version() == before
    # the e-mail did change (it links the PDF now): the version is what readers get to read
    assert (project / "_build/epost/rapporter/2025/2025-03-06.eml").read_bytes() != edition
