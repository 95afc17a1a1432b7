"""``rapport skicka`` against a real SMTP server (aiosmtpd on 127.0.0.1, STARTTLS and AUTH).

Each test works on its own copy of tests/roots/test-email (fictitious Region Fjällmark)
and its own server; messages are parsed back with the standard ``email`` package. The
command runs in-process through the CLI's ``main``, so its exit code and its lines on
stdout and stderr are asserted exactly as the writer sees them; so does the Sphinx build
of the e-mail edition that each send starts (``smtptools.sphinx_in_process``).
"""

from __future__ import annotations

import asyncio
import json
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from rapport.writer.cli import main
from smtptools import (  # noqa: F401 - ca, server and sphinx_in_process are fixtures
    PASSWORD,
    SmtpServer,
    ca,
    copy_project,
    environment,
    free_port,
    make_ca,
    server,
    sphinx_in_process,
)

pytestmark = pytest.mark.usefixtures("sphinx_in_process")

MARKER = "INTERNMARKÖR-7Q"
REPORT = "rapporter/2025/2025-03-06"
LOG = "utskick/skicklogg.jsonl"
SIX = """# sex påhittade mottagare
[alla] internt
a1@fjallmark.example
a2@fjallmark.example
a3@fjallmark.example
a4@fjallmark.example
a5@fjallmark.example
a6@fjallmark.example
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


def skicka(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--katalog", str(project), "skicka", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refused(server: SmtpServer, project: Path, capsys: pytest.CaptureFixture[str], *args: str, code: int = 1) -> str:
    """``rapport skicka`` with ``args`` ends with exit code ``code`` and sends nothing; what it printed
    on standard error."""
    got, out, err = skicka(project, capsys, *args)
    assert got == code, err
    assert server.recorder.messages == []
    return err


def parsed(data: bytes) -> EmailMessage:
    return message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def text_of(message: EmailMessage) -> str:
    return "\n".join(p.get_content() for p in message.walk() if p.get_content_maintype() == "text")


def log_lines(project: Path) -> list[dict]:
    path = project / LOG
    # one line per accepted message: the "skickar" line before it is the crash guard
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    return [line for line in lines if line.get("status", "skickat") == "skickat"]


def no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text and "Oväntat fel" not in text, text


# -- sending -------------------------------------------------------------------------


def test_one_message_per_recipient_with_the_right_edition(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning", "--lista", "chefer", "--lista", "press")
    assert code == 0, err
    assert re.fullmatch(
        r"Klart: ”Testrapport Fjällmark 6 mars 2025”, version [0-9a-f]{8}, skickades till 4 mottagare "
        r"\(listorna ledning, chefer, press\)\. Skickloggen: utskick/skicklogg\.jsonl\n",
        out,
    ), out
    assert "Skickar: 4 av 4" in err
    received = server.recorder.messages
    # anna.alm is on two lists and gets one message
    assert sorted(r.rcpt_tos[0] for r in received) == [
        "anna.alm@fjallmark.example",
        "bertil.berg@fjallmark.example",
        "cecilia.ceder@fjallmark.example",
        "redaktionen@fjallposten.example",
    ]
    ids = set()
    for item in received:
        assert len(item.rcpt_tos) == 1 and item.mail_from == "rapport@fjallmark.example"
        message = parsed(item.data)
        # the recipient sees only their own address: no Cc, no Bcc, one To
        assert message.get_all("To") is not None and len(message.get_all("To")) == 1
        assert item.rcpt_tos[0] in str(message["To"])
        assert message["Cc"] is None and message["Bcc"] is None
        assert str(message["Subject"]) == "Testrapport Fjällmark 6 mars 2025"
        assert str(message["From"]) == "Kommunikationsenheten Fjällmark <rapport@fjallmark.example>"
        assert message.get_content_type() == "multipart/alternative"
        ids.add(str(message["Message-ID"]))
        public = item.rcpt_tos[0] == "redaktionen@fjallposten.example"
        assert (MARKER in text_of(message)) is not public
        assert (MARKER.encode() in item.data) is False  # quoted-printable: never the raw marker either way
    assert "Bertil Berg <bertil.berg@fjallmark.example>" in [
        str(parsed(r.data)["To"]) for r in received
    ]
    assert len(ids) == 4
    entries = log_lines(project)
    assert [(e["adress"], e["lista"], e["utgava"], e["rapport"]) for e in entries] == [
        ("anna.alm@fjallmark.example", "ledning", "internt", REPORT),
        ("bertil.berg@fjallmark.example", "ledning", "internt", REPORT),
        ("cecilia.ceder@fjallmark.example", "chefer", "internt", REPORT),
        ("redaktionen@fjallposten.example", "press", "publik", REPORT),
    ]
    assert {e["message_id"] for e in entries} == ids
    # the password is in no file the command wrote and in nothing it printed
    for path in project.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path
    assert PASSWORD not in out + err


def test_same_report_is_not_sent_twice_unless_igen(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    assert skicka(project, capsys, "2025-03-06", "--lista", "ledning")[0] == 0
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning", "--lista", "chefer")
    assert code == 0
    assert "2 av 3 mottagare har redan fått rapporten enligt skickloggen och hoppas över" in err
    assert [r.rcpt_tos for r in server.recorder.messages] == [
        ["anna.alm@fjallmark.example"], ["bertil.berg@fjallmark.example"], ["cecilia.ceder@fjallmark.example"]
    ]
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning")
    assert (code, out) == (0, "Inget att skicka: alla på listorna har redan fått ”Testrapport Fjällmark 6 mars 2025”.\n")
    assert len(server.recorder.messages) == 3
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning", "--igen")
    assert code == 0 and len(server.recorder.messages) == 5


def test_failure_after_n_messages_then_a_rerun_sends_exactly_the_rest(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    (project / "utskick/listor.txt").write_text(SIX, encoding="utf-8")
    server.recorder.fail_after = 2
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "alla")
    assert code == 1
    no_traceback(out, err)
    assert "Servern avvisade meddelandet till a3@fjallmark.example (tillfälligt fel 451: 4.3.0 Tillfälligt fel, försök senare)" in err
    assert err.rstrip().endswith(
        "rapport skicka: Servern avvisade 3 meddelanden i rad; utskicket avbröts. Skickade 2 av 6 meddelanden; "
        "4 skickades inte och är inte markerade som skickade. Kör samma kommando igen för att skicka dem"
    )
    assert [e["adress"] for e in log_lines(project)] == ["a1@fjallmark.example", "a2@fjallmark.example"]

    server.recorder.fail_after = None
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "alla")
    assert code == 0, err
    assert "2 av 6 mottagare har redan fått rapporten" in err
    assert [r.rcpt_tos[0] for r in server.recorder.messages] == [f"a{n}@fjallmark.example" for n in range(1, 7)]
    assert [e["adress"] for e in log_lines(project)] == [f"a{n}@fjallmark.example" for n in range(1, 7)]


def test_a_rejected_recipient_is_named_and_not_logged(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    server.recorder.refuse = {"bertil.berg@fjallmark.example"}
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning", "--lista", "chefer")
    assert code == 1
    assert "Servern tog inte emot bertil.berg@fjallmark.example: 550 5.1.1 Mottagaren finns inte" in err
    assert "Skickade 2 av 3 meddelanden; 1 skickades inte och är inte markerade som skickade" in err
    assert [e["adress"] for e in log_lines(project)] == ["anna.alm@fjallmark.example", "cecilia.ceder@fjallmark.example"]
    no_traceback(out, err)


def test_timeout_mid_list(server: SmtpServer, project: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    (project / "utskick/listor.txt").write_text(SIX, encoding="utf-8")
    monkeypatch.setenv("TEST_SMTP_TIMEOUT", "1")
    recorder = server.recorder
    original = recorder.handle_DATA

    async def slow_after_three(srv, session, envelope):  # noqa: ANN001, ANN202
        if len(recorder.messages) >= 3:
            await asyncio.sleep(2.5)  # longer than the client's timeout
            return "451 4.3.0 för sent"
        return await original(srv, session, envelope)

    recorder.handle_DATA = slow_after_three  # type: ignore[method-assign]
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "alla")
    assert code == 1
    assert (
        "rapport skicka: Förbindelsen med e-postservern bröts (ingen svarade inom 1 sekunder). Skickade 3 av 6 "
        "meddelanden; 3 skickades inte och är inte markerade som skickade" in err
    )
    assert [e["adress"] for e in log_lines(project)] == [f"a{n}@fjallmark.example" for n in range(1, 4)]
    no_traceback(out, err)


# -- the server and the settings ---------------------------------------------------------


def test_refused_login(server: SmtpServer, project: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("RAPPORT_SMTP_LOSENORD", "fel-losenord-123")
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning")
    assert code == 1
    assert err.splitlines()[-1] == (
        "rapport skicka: E-postservern nekade inloggningen för användaren ”utskick” (svar 535); kontrollera "
        "rapport_smtp_user och lösenordet i RAPPORT_SMTP_LOSENORD. Inget har skickats"
    )
    assert "fel-losenord-123" not in out + err
    assert server.recorder.messages == [] and not (project / LOG).exists()


def test_unreachable_server(server: SmtpServer, project: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    port = free_port()
    monkeypatch.setenv("TEST_SMTP_PORT", str(port))
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning")
    assert code == 1
    assert err.splitlines()[-1] == (
        f"rapport skicka: Kan inte nå e-postservern 127.0.0.1:{port} (anslutningen vägrades); inget har skickats. "
        "Kontrollera nätverket och server, port och sakerhet under [smtp] i rapport.toml"
    )


def test_untrusted_certificate(server: SmtpServer, project: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("TEST_SMTP_CAFILE", "")
    err = refused(server, project, capsys, "2025-03-06", "--lista", "ledning")
    assert err.splitlines()[-1].startswith("rapport skicka: E-postserverns certifikat godtas inte (")


def test_password_only_from_the_environment(server: SmtpServer, project: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("RAPPORT_SMTP_LOSENORD")
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning")
    assert code == 2
    assert err.splitlines()[-1] == (
        "rapport skicka: Lösenordet till e-postservern saknas: sätt miljövariabeln RAPPORT_SMTP_LOSENORD i "
        "terminalen innan du skickar (lösenordet skrivs aldrig i någon fil)"
    )


def test_password_is_never_sent_unencrypted(server: SmtpServer, project: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("TEST_SMTP_SECURITY", "none")
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning")
    assert code == 2
    assert "Lösenordet skickas aldrig okrypterat" in err


# -- what is refused ---------------------------------------------------------------------


def test_bad_lists_are_named_with_file_and_line_before_anything_is_sent(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    (project / "utskick/listor.txt").write_text(
        "utan-rubrik@fjallmark.example\n"
        "[ledning] internt\n"
        "anna.alm@fjallmark.example\n"
        "anna.alm@@fjallmark.example\n"
        "ANNA.ALM@fjallmark.example\n"
        "Bo Berg <bo.berg@fjallmark>\n"
        "[press]\n"
        "redaktionen@fjallposten.example\n"
        "ingen-snabel-a.fjallmark.example\n",
        encoding="utf-8",
    )
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning", "--lista", "styrelsen")
    assert code == 1
    assert err.splitlines() == [
        "utskick/listor.txt:1: adressen står före den första listrubriken (till exempel [ledning] internt)",
        "utskick/listor.txt:4: ”anna.alm@@fjallmark.example” är ingen giltig e-postadress (kontrollera stavningen, @ och domänen)",
        "utskick/listor.txt:5: ANNA.ALM@fjallmark.example står redan på rad 3 i listan ”ledning”",
        "utskick/listor.txt:6: ”bo.berg@fjallmark” är ingen giltig e-postadress (kontrollera stavningen, @ och domänen)",
        "utskick/listor.txt:7: listan ”press” säger inte vilka den är till för: skriv [press] internt eller [press] publik",
        "utskick/listor.txt:9: ”ingen-snabel-a.fjallmark.example” saknar @ och är ingen e-postadress",
        "utskick/listor.txt: sändlistan ”styrelsen” finns inte (listorna är: ledning, press)",
        "rapport skicka: 7 fel i sändlistorna; inget har skickats. Rätta filen och försök igen",
    ]
    assert server.recorder.messages == [] and server.recorder.attempts == 0


def test_header_injection_in_a_list_line(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    (project / "utskick/listor.txt").write_bytes(
        b"[ledning] internt\nanna.alm@fjallmark.example\rBcc: smygare@annan.example\n"
    )
    err = refused(server, project, capsys, "2025-03-06", "--lista", "ledning")
    assert err.splitlines()[0] == (
        "utskick/listor.txt:2: raden innehåller ett styrtecken (till exempel en radbrytning) och kan inte vara en adress"
    )


def test_header_injection_in_the_sender(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    conf = project / "conf.py"
    conf.write_text(
        conf.read_text(encoding="utf-8")
        + '\nrapport_email_from = "Rapport <rapport@fjallmark.example>\\r\\nBcc: smygare@annan.example"\n',
        encoding="utf-8",
    )
    err = refused(server, project, capsys, "2025-03-06", "--lista", "ledning", code=2)
    assert err.splitlines()[-1] == "rapport skicka: rapport_email_from i conf.py innehåller en radbrytning; skriv avsändaren på en rad"


def test_header_injection_in_the_test_address(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    err = refused(server, project, capsys, "2025-03-06", "--test", "jag@fjallmark.example\nBcc: smygare@annan.example", code=2)
    assert "--test: raden innehåller ett styrtecken" in err


def test_draft_and_future_reports_are_refused(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    err = refused(server, project, capsys, "docs/rapporter/2025/2025-03-13.md", "--lista", "ledning")
    assert err.splitlines()[-1] == (
        "rapport skicka: docs/rapporter/2025/2025-03-13.md är ett utkast (utkast: true) och skickas inte. "
        "Ta bort raden utkast: true när rapporten är klar"
    )
    err = refused(server, project, capsys, "2025-12-04", "--lista", "ledning")
    assert err.splitlines()[-1] == (
        "rapport skicka: docs/rapporter/2025/2025-12-04.md har ett datum som inte har kommit än (2025-12-04) "
        "och skickas inte förrän den är publicerad"
    )


def test_report_with_warnings_needs_trots_varningar(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    err = refused(server, project, capsys, "2025-03-20", "--lista", "ledning")
    lines = err.splitlines()
    assert (
        "docs/rapporter/2025/2025-03-20.md:5: WARNING: Det obligatoriska avsnittet ”Kommunikativa åtgärder, urval” "
        "saknas (skriv :::{avsnitt} atgarder) [rapport.section-missing]"
    ) in lines
    assert lines[-1] == (
        "rapport skicka: Bygget ger 1 varning för docs/rapporter/2025/2025-03-20.md (se ovan), så rapporten "
        "skickas inte. Rätta dem, eller skicka ändå med --trots-varningar"
    )
    code, out, err = skicka(project, capsys, "2025-03-20", "--lista", "ledning", "--trots-varningar")
    assert code == 0 and len(server.recorder.messages) == 2


def test_warnings_are_seen_when_sphinx_would_colour_them(
    server: SmtpServer, project: Path, capsys, monkeypatch
) -> None:  # noqa: ANN001
    # CI=true makes Sphinx colour its output even into a pipe; a coloured warning line
    # must still stop the send (it did not, before skicka asked Sphinx for plain text)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("CI", "true")
    err = refused(server, project, capsys, "2025-03-20", "--lista", "ledning")
    assert "\x1b[" not in err
    assert err.splitlines()[-1].startswith("rapport skicka: Bygget ger 1 varning för docs/rapporter/2025/2025-03-20.md")


def test_local_base_url_is_refused(server: SmtpServer, project: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("RAPPORT_BASE_URL", "http://127.0.0.1:8000/")
    err = refused(server, project, capsys, "2025-03-06", "--lista", "ledning")
    assert "Länkarna i e-posten skulle gå till den lokala förhandsadressen http://127.0.0.1:8000/" in err


def test_missing_pdf(server: SmtpServer, project: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("TEST_ATTACH_PDF", "1")
    err = refused(server, project, capsys, "2025-03-06", "--lista", "ledning")
    assert err.splitlines()[-1] == (
        "rapport skicka: PDF:en för docs/rapporter/2025/2025-03-06.md saknas, och e-posten ska ha den som bilaga "
        "(rapport_email_attach_pdf). Kör rapport bygg först"
    )


def test_missing_public_pdf(server: SmtpServer, project: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("TEST_ATTACH_PDF", "1")
    pdf = project / "_build/pdf/rapporter/2025/2025-03-06.pdf"  # the internal PDF exists ...
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7 intern")
    err = refused(server, project, capsys, "2025-03-06", "--lista", "press")
    # ... and is never attached to a public list's message
    assert err.splitlines()[-1] == (
        "rapport skicka: Den publika PDF:en för docs/rapporter/2025/2025-03-06.md saknas, och e-posten till "
        "publika listor ska ha den som bilaga (rapport_email_attach_pdf). Kör rapport bygg --publik först"
    )


def test_unknown_report(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    code, out, err = skicka(project, capsys, "2024-01-01", "--lista", "ledning")
    assert code == 2
    assert "Hittar ingen rapport ”2024-01-01”" in err


# -- trial and test ----------------------------------------------------------------------


def test_prov_writes_every_message_and_sends_nothing(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning", "--lista", "press", "--prov")
    assert code == 0
    folder = project / "_build/epost/prov/rapporter/2025/2025-03-06"
    assert out == (
        "Prov: 3 meddelanden skrivna i _build/epost/prov/rapporter/2025/2025-03-06; inget har skickats. "
        "Öppna en .eml-fil i e-postprogrammet för att se hur den ser ut.\n"
    )
    names = sorted(p.name for p in folder.glob("*.eml"))
    assert names == [
        "0001-internt-anna.alm@fjallmark.example.eml",
        "0002-internt-bertil.berg@fjallmark.example.eml",
        "0003-publik-redaktionen@fjallposten.example.eml",
    ]
    public = parsed((folder / names[2]).read_bytes())
    assert str(public["To"]) == "redaktionen@fjallposten.example" and MARKER not in text_of(public)
    assert server.recorder.messages == [] and not (project / LOG).exists()


def test_test_copy_goes_to_one_address_and_does_not_count(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    code, out, err = skicka(project, capsys, "2025-03-06", "--test", "Jag Själv <jag@fjallmark.example>")
    assert code == 0
    assert out == "Klart: ett provexemplar av ”Testrapport Fjällmark 6 mars 2025” skickades till jag@fjallmark.example.\n"
    [item] = server.recorder.messages
    message = parsed(item.data)
    assert item.rcpt_tos == ["jag@fjallmark.example"]
    assert str(message["Subject"]) == "[Test] Testrapport Fjällmark 6 mars 2025"
    assert str(message["To"]) == "Jag Själv <jag@fjallmark.example>"
    assert [e["test"] for e in log_lines(project)] == [True]
    assert skicka(project, capsys, "2025-03-06", "--lista", "ledning")[0] == 0
    assert len(server.recorder.messages) == 3


def test_address_forms() -> None:
    from rapport.email.lists import check_address

    # a Swedish name stays readable (the header encodes it); the domain goes to SMTP in ASCII
    assert check_address("Åsa Öberg <asa@fjällmark.example>") == (
        "asa@xn--fjllmark-1za.example",
        "Åsa Öberg <asa@xn--fjllmark-1za.example>",
    )
    assert check_address('"Berg, Bo" <Bo.Berg@FJALLMARK.example>') == (
        "Bo.Berg@fjallmark.example",
        '"Berg, Bo" <Bo.Berg@fjallmark.example>',
    )
    # two addresses on a line, a missing >, a header name: shown, never guessed
    for line in ("anna@fjallmark.example, bo@fjallmark.example", "Anna <anna@fjallmark.example", "Bcc: x@annan.example"):
        assert check_address(line) == f"”{line}” är ingen e-postadress (skriv adress@domän.se eller Namn <adress@domän.se>)"


def test_implicit_tls(ca, project: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    """rapport_smtp_security = "tls" (port 465): encrypted from the first byte, then AUTH."""
    authority, cafile = ca
    smtp = SmtpServer(cafile, authority, implicit_tls=True)
    smtp.start()
    try:
        environment(monkeypatch, smtp, security="tls")
        code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning")
        assert code == 0, err
        assert sorted(r.rcpt_tos[0] for r in smtp.recorder.messages) == [
            "anna.alm@fjallmark.example", "bertil.berg@fjallmark.example"
        ]
        # the same server spoken to with STARTTLS is a clear error, not a hang
        monkeypatch.setenv("TEST_SMTP_SECURITY", "starttls")
        monkeypatch.setenv("TEST_SMTP_TIMEOUT", "1")
        code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning", "--igen")
        assert code == 1 and err.splitlines()[-1].startswith(f"rapport skicka: Kan inte nå e-postservern 127.0.0.1:{smtp.port} (")
    finally:
        smtp.stop()


def test_one_sending_command_at_a_time(server: SmtpServer, project: Path, capsys) -> None:  # noqa: ANN001
    import fcntl

    lock = project / "utskick" / "skicklogg.jsonl.las"
    with open(lock, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # another rapport skicka is running
        code, out, err = skicka(project, capsys, "2025-03-06", "--lista", "ledning")
        assert code == 1
        assert err == (
            "rapport skicka: Ett annat utskick pågår redan i det här projektet (rapport skicka i ett annat fönster?); "
            "vänta tills det är klart och kör sedan kommandot igen\n"
        )
        assert skicka(project, capsys, "2025-03-06", "--lista", "ledning", "--prov")[0] == 0  # --prov sends nothing
    assert server.recorder.messages == []
    assert skicka(project, capsys, "2025-03-06", "--lista", "ledning")[0] == 0
    assert len(server.recorder.messages) == 2
