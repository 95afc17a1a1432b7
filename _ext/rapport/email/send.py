"""``rapport skicka``: send a report's e-mail edition to named distribution lists.

Runs outside Sphinx, in the ``rapport`` command. In order, and nothing is sent until
every check has passed:

1. the lists file (:mod:`rapport.email.lists`) is read and every address checked;
2. the e-mail edition of the report is built for each audience the chosen lists need
   (``internt`` from the intranet build, ``publik`` from a public build with its own
   doctrees, so internal content cannot reach a public list), with fresh doctrees so
   every warning of the report is seen; drafts, future reports, a missing PDF and (unless
   ``--trots-varningar``) a report with warnings are refused;
3. each recipient gets their own message (To: only them; see below), sent over one
   SMTP connection; each accepted message is appended to the send log at once.

One message per recipient rather than one with Bcc: nobody can ever see another
recipient's address (a Bcc header some servers keep, a reply-all), the To: line is the
reader's own, a rejected address fails alone and is named, and the log can say per
address what was sent, so a re-run after a failure sends exactly what was not sent.

The password comes only from the environment (``RAPPORT_SMTP_LOSENORD``); it is never
written anywhere and never part of a message. Every problem is one Swedish line and a
non-zero exit; no traceback reaches the writer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import re
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from rapport.command import EXIT_USAGE, CommandError
from rapport.config import LOCAL_BASE_URL, CommandSettings, settings_from

from .lists import PUBLIC, Recipient, check_address
from .message import HeaderError, has_line_break, personalise

PASSWORD_ENV = "RAPPORT_SMTP_LOSENORD"
SECURITY = ("starttls", "tls", "none")
#: consecutive rejected messages after which sending stops (the server is refusing all)
MAX_CONSECUTIVE_FAILURES = 3
_WARNING_RE = re.compile(r"(WARNING|ERROR|VARNING|FEL):")


class SendError(CommandError):
    """Why ``rapport skicka`` stops: one Swedish line for the writer, and the exit code."""


# -- settings ------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str
    cafile: str
    timeout: float
    sender: str
    sender_address: str
    # never in a repr, a log line or an error message
    password: str = field(default="", repr=False)


def typed(config: dict[str, Any]) -> CommandSettings:
    """conf.py's values (and rapport.toml's, which conf.py read), typed and checked as the
    build checks them (rapport.config.settings_from)."""
    return settings_from(config)


def _refuse_wrong(checked: CommandSettings, *names: str) -> None:
    problem = checked.problem(*names)
    if problem is not None:
        raise SendError(problem.refusal(), EXIT_USAGE)


def _named(checked: CommandSettings, name: str) -> str:
    """How the writer finds a setting: its key in rapport.toml, else its name in conf.py."""
    from rapport import settingsfile

    entry = settingsfile.BY_SETTING[name.removeprefix("rapport_")]
    table, _, key = entry.key.rpartition(".")
    if checked.values.settings_file and Path(checked.values.settings_file).is_file():
        return f"{key} under [{table}] i rapport.toml" if table else f"{key} i rapport.toml"
    return f"{name} i conf.py"


def sender_of(config: dict[str, Any]) -> tuple[str, str, str]:
    """The From: value, its address and the address's domain (for Message-IDs)."""
    checked = typed(config)
    given = config.get("rapport_email_from", "")
    if isinstance(given, str) and has_line_break(given):
        problem = checked.problem("rapport_email_from")
        where = problem.location if problem is not None else None
        shown = "rapport_email_from i conf.py"
        if where and not where.rpartition(":")[0].endswith("conf.py"):
            shown = f"avsandare under [epost] i rapport.toml (rad {where.rpartition(':')[2]})"
        raise SendError(f"{shown} innehåller en radbrytning; skriv avsändaren på en rad", EXIT_USAGE)
    _refuse_wrong(checked, "rapport_email_from")
    raw = checked.values.email_from.strip()
    if not raw:
        raise SendError(
            f"Avsändaren saknas: fyll i {_named(checked, 'rapport_email_from')} (i skrivbordet: Inställningar), "
            "till exempel Kommunikation <rapport@example.se>",
            EXIT_USAGE,
        )
    checked_address = check_address(raw)
    if isinstance(checked_address, str):
        raise SendError(f"{_named(checked, 'rapport_email_from')}: {checked_address}", EXIT_USAGE)
    address, display = checked_address
    return display, address, address.rpartition("@")[2]


def smtp_settings(
    config: dict[str, Any], sender: str, sender_address: str, password: str | None = None
) -> SmtpSettings:
    """The SMTP settings; ``password`` (the desk asks for it) wins over the environment."""
    checked = typed(config)
    _refuse_wrong(
        checked, "rapport_smtp_host", "rapport_smtp_port", "rapport_smtp_security", "rapport_smtp_user",
        "rapport_smtp_cafile", "rapport_smtp_timeout",
    )  # fmt: skip
    values = checked.values
    host = values.smtp_host.strip()
    if not host:
        raise SendError(
            f"E-postservern saknas: fyll i {_named(checked, 'rapport_smtp_host')} (i skrivbordet: Inställningar), "
            "till exempel smtp.example.se",
            EXIT_USAGE,
        )
    security, port, timeout, user = values.smtp_security, values.smtp_port, float(values.smtp_timeout), values.smtp_user
    password = password if password is not None else os.environ.get(PASSWORD_ENV, "")
    if user and not password:
        raise SendError(
            f"Lösenordet till e-postservern saknas: sätt miljövariabeln {PASSWORD_ENV} i terminalen innan du skickar "
            "(lösenordet skrivs aldrig i någon fil)",
            EXIT_USAGE,
        )
    if user and security == "none":
        raise SendError(
            f"Lösenordet skickas aldrig okrypterat: sätt {_named(checked, 'rapport_smtp_security')} till starttls eller tls",
            EXIT_USAGE,
        )
    cafile = values.smtp_cafile
    return SmtpSettings(host, port, security, user, cafile, timeout, sender, sender_address, password)


# -- the report and its edition --------------------------------------------------------


def find_report(root: Path, srcdir: Path, given: str) -> Path:
    """The report's source file from a path (relative to here or the project) or a date."""
    candidates = [Path(given), root / given, srcdir / given, srcdir / f"{given}.md"]
    for candidate in candidates:
        if candidate.is_file() and candidate.suffix == ".md":
            return candidate.resolve()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(-\d{4})?", given):
        found = sorted(srcdir.glob(f"**/{given}.md")) or sorted(srcdir.glob(f"**/{given}-*.md"))
        if len(found) == 1:
            return found[0].resolve()
        if len(found) > 1:
            names = ", ".join(p.relative_to(root).as_posix() for p in found)
            raise SendError(f"Flera rapporter har datumet {given}: {names}; ange filen", EXIT_USAGE)
    raise SendError(
        f"Hittar ingen rapport ”{given}” (ange filen, till exempel docs/rapporter/2025/2025-09-25.md, eller datumet)",
        EXIT_USAGE,
    )


@dataclass(frozen=True)
class Built:
    audience: str
    manifest: dict[str, Any]
    warnings: tuple[str, ...]  # the build's warnings about the report, paths relative to the project


def edition_dir(root: Path, audience: str) -> Path:
    return root / "_build" / ("publik/epost" if audience == PUBLIC else "epost")


def build_edition(root: Path, srcdir: Path, report: Path, audience: str) -> Built:
    """Build one report's e-mail edition for ``audience``; its warnings are read afresh.

    Fresh doctrees (a temporary folder): a page whose source did not change would not be
    read again, and the warnings it gave last time would go unseen.
    """
    out = edition_dir(root, audience)
    options = ["-D", "rapport_audience=publik"] if audience == PUBLIC else []
    with tempfile.TemporaryDirectory(prefix="rapport-epost-") as doctrees:
        # -N: Sphinx colours its output whenever CI=true, even into this pipe, and a
        # coloured warning line would not be recognised (the report sent despite it)
        argv = [
            sys.executable, "-m", "sphinx", "-b", "rapportepost", "-q", "-N", "-c", str(root), "-d", doctrees,
            *options, str(srcdir), str(out), str(report),
        ]  # fmt: skip
        result = subprocess.run(argv, cwd=root, capture_output=True, text=True, encoding="utf-8", errors="replace")
    if result.returncode != 0:
        last = next((line for line in reversed(result.stderr.splitlines()) if line.strip()), "okänt fel")
        raise SendError(f"E-postutgåvan kunde inte byggas: {last}")
    docname = report.relative_to(srcdir.resolve()).with_suffix("").as_posix()
    manifest_path = out / f"{docname}.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise SendError(
            f"{_shown(root, report)} är ingen rapport (den ligger inte bland rapporterna i conf.py)", EXIT_USAGE
        ) from None
    prefix = str(report)
    warnings = tuple(
        line.replace(str(root) + os.sep, "")
        for line in result.stderr.splitlines()
        if line.startswith(prefix) and _WARNING_RE.search(line)
    )
    return Built(audience, manifest, warnings)


def _shown(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def check_edition(built: Built, report_shown: str, allow_warnings: bool, trial: bool, out: TextIO) -> None:
    manifest = built.manifest
    if not manifest.get("publicerad"):
        if manifest.get("utkast"):
            raise SendError(
                f"{report_shown} är ett utkast (utkast: true) och skickas inte. Ta bort raden utkast: true när rapporten är klar"
            )
        if manifest.get("framtida"):
            raise SendError(
                f"{report_shown} har ett datum som inte har kommit än ({manifest.get('sammanstallt', '')[:10]}) "
                "och skickas inte förrän den är publicerad"
            )
        raise SendError(f"{report_shown} saknar datum för sammanställning och är inte publicerad; den skickas inte")
    if manifest.get("pdf_saknas"):
        if built.audience == PUBLIC:
            raise SendError(
                f"Den publika PDF:en för {report_shown} saknas, och e-posten till publika listor ska ha den som "
                "bilaga (rapport_email_attach_pdf). Kör rapport bygg --publik först"
            )
        raise SendError(
            f"PDF:en för {report_shown} saknas, och e-posten ska ha den som bilaga (rapport_email_attach_pdf). "
            "Kör rapport bygg först"
        )
    if manifest.get("publik") != (built.audience == PUBLIC):  # pragma: no cover - a programming error
        raise SendError("E-postutgåvan är byggd för fel målgrupp; inget har skickats")
    if built.warnings:
        for line in built.warnings:
            print(line, file=out)
        noun = "varning" if len(built.warnings) == 1 else "varningar"
        if not allow_warnings and not trial:
            raise SendError(
                f"Bygget ger {len(built.warnings)} {noun} för {report_shown} (se ovan), så rapporten skickas inte. "
                "Rätta dem, eller skicka ändå med --trots-varningar"
            )
    base = str(manifest.get("basadress") or "")
    if not trial and (not base or base.rstrip("/") == LOCAL_BASE_URL.rstrip("/")):
        raise SendError(
            "Länkarna i e-posten skulle gå till den lokala förhandsadressen "
            f"{base or '(ingen adress)'}: ange webbplatsens adress som webbadress i rapport.toml (eller i "
            "skrivbordets Inställningar), eller för ett enda utskick med "
            "RAPPORT_BASE_URL=https://intranat.example/rapport/ rapport skicka …"
        )


# -- the send log ----------------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    report: str
    address: str
    message_id: str
    time: str
    list_name: str
    audience: str
    test: bool = False
    version: str = ""
    kind: str = "rapport"  # rapport, korrektur, rättelse, test
    correction: str = ""  # the correction's key, for kind "rättelse"
    status: str = "skickat"  # "skickar": written before the message goes out

    def as_json(self) -> str:
        entry = {
            "rapport": self.report,
            "adress": self.address,
            "message_id": self.message_id,
            "tid": self.time,
            "lista": self.list_name,
            "utgava": self.audience,
            "test": self.test,
            "version": self.version,
            "typ": self.kind,
            "status": self.status,
        }
        if self.correction:
            entry["rattelse"] = self.correction
        return json.dumps(entry, ensure_ascii=False)


class SendLog:
    """Appends one line per accepted message and makes it durable before the next send."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: TextIO | None = None  # opened at the first accepted message

    def append(self, entry: LogEntry) -> None:
        if self.handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
            # a last line cut off by a crash must not swallow the first new one
            if self.path.stat().st_size:
                with open(self.path, "rb") as reader:
                    reader.seek(-1, os.SEEK_END)
                    if reader.read(1) != b"\n":
                        self.handle.write("\n")
        self.handle.write(entry.as_json() + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


# -- SMTP ------------------------------------------------------------------------------


def _network_reason(exc: BaseException, settings: SmtpSettings) -> str:
    # smtplib turns a timeout while waiting for a reply into SMTPServerDisconnected("... timed out")
    if isinstance(exc, (socket.timeout, TimeoutError)) or "timed out" in str(exc):
        return f"ingen svarade inom {settings.timeout:g} sekunder"
    if isinstance(exc, ConnectionRefusedError):
        return "anslutningen vägrades"
    if isinstance(exc, OSError) and exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "nätverket når inte servern"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "servern stängde förbindelsen"
    return "nätverksfel"


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An open, encrypted (unless ``none``) and logged-in SMTP session, or a SendError."""
    where = f"{settings.host}:{settings.port}"
    try:
        context = ssl.create_default_context(cafile=settings.cafile or None)
    except (OSError, ssl.SSLError):
        raise SendError(
            f"rapport_smtp_cafile ({settings.cafile}) går inte att läsa som certifikatfil", EXIT_USAGE
        ) from None
    smtp: smtplib.SMTP | None = None
    try:
        if settings.security == "tls":
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        smtp.ehlo()
        if settings.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise SendError(
                    f"E-postservern {where} erbjuder inte STARTTLS; ange rätt port eller rapport_smtp_security"
                )
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password)
        return smtp
    except SendError:
        _quit(smtp)
        raise
    except (OSError, smtplib.SMTPException) as exc:
        _quit(smtp)
        raise SendError(_connect_problem(exc, settings)) from None


def _connect_problem(exc: OSError | smtplib.SMTPException, settings: SmtpSettings) -> str:
    """Why connecting or logging in failed, for the writer; nothing has been sent yet."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, socket.gaierror):
        return f"Hittar inte e-postservern ”{settings.host}”; kontrollera server under [smtp] i rapport.toml"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"E-postserverns certifikat godtas inte ({exc.verify_message}); inget har skickats. "
            "Ange organisationens certifikat med cafil under [smtp] i rapport.toml"
        )
    if isinstance(exc, ssl.SSLError):
        return f"Den krypterade förbindelsen med {where} kunde inte upprättas; kontrollera rapport_smtp_security och porten"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"E-postservern nekade inloggningen för användaren ”{settings.user}” (svar {exc.smtp_code}); "
            f"kontrollera rapport_smtp_user och lösenordet i {PASSWORD_ENV}. Inget har skickats"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"E-postservern {where} erbjuder ingen inloggning; ta bort rapport_smtp_user eller fråga IT"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"E-postservern {where} svarade med fel {exc.smtp_code} vid anslutningen; inget har skickats"
    return (
        f"Kan inte nå e-postservern {where} ({_network_reason(exc, settings)}); inget har skickats. "
        "Kontrollera nätverket och server, port och sakerhet under [smtp] i rapport.toml"
    )


def _quit(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


class Progress:
    """A counter rewritten in place on a terminal; a line every ``step`` messages otherwise."""

    def __init__(self, stream: TextIO, total: int, step: int = 50) -> None:
        self.stream, self.total, self.step = stream, total, step
        self.tty = stream.isatty()

    def update(self, done: int) -> None:
        text = f"Skickar: {done} av {self.total}"
        if self.tty:
            self.stream.write("\r\x1b[K" + text + ("\n" if done == self.total else ""))
        elif done == self.total or done % self.step == 0:
            self.stream.write(text + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
        self.stream.write(text + "\n")
        self.stream.flush()


@dataclass
class Outcome:
    sent: int = 0
    failed: list[str] = field(default_factory=list)
    stopped: str = ""


def send_all(
    settings: SmtpSettings,
    jobs: list[tuple[Recipient, str, bytes]],
    report: str,
    domain: str,
    log: SendLog,
    err: TextIO,
    test: bool = False,
    subject_prefix: str = "",
    *,
    version: str = "",
    kind: str = "rapport",
    correction: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Send each (recipient, audience, stored message); log each in two steps.

    A ``"skickar"`` line is durable before the message goes to the server and a
    ``"skickat"`` line after it accepted it: a crash in between leaves the address
    marked as perhaps delivered, never silently sent again.
    """
    outcome = Outcome()
    shown = Progress(err, len(jobs))
    smtp = connect(settings)
    consecutive = 0

    def entry(recipient: Recipient, audience: str, message_id: str, now: dt.datetime, status: str) -> LogEntry:
        return LogEntry(
            report,
            recipient.address,
            message_id,
            now.isoformat(timespec="seconds"),
            recipient.list_name,
            audience,
            test,
            version,
            kind,
            correction,
            status,
        )

    try:
        for index, (recipient, audience, stored) in enumerate(jobs, start=1):
            now = dt.datetime.now(dt.UTC)
            try:
                data, message_id = personalise(stored, recipient.display, settings.sender, domain, now, subject_prefix)
            except HeaderError as exc:
                outcome.failed.append(recipient.address)
                outcome.stopped = f"Meddelandet till {recipient.address} stoppades: {exc}"
                break
            log.append(entry(recipient, audience, message_id, now, "skickar"))
            try:
                smtp.sendmail(settings.sender_address, [recipient.address], data)
            except smtplib.SMTPRecipientsRefused as exc:
                log.append(entry(recipient, audience, message_id, now, "ej skickat"))
                code, reply = next(iter(exc.recipients.values()), (0, b""))
                outcome.failed.append(recipient.address)
                shown.message(f"Servern tog inte emot {recipient.address}: {code} {_reply(reply)}")
                consecutive += 1
            except smtplib.SMTPSenderRefused as exc:
                log.append(entry(recipient, audience, message_id, now, "ej skickat"))
                outcome.failed.append(recipient.address)
                outcome.stopped = f"Servern godtar inte avsändaren {settings.sender_address} (svar {exc.smtp_code}); kontrollera rapport_email_from"
                break
            except smtplib.SMTPServerDisconnected as exc:
                outcome.failed.append(recipient.address)
                outcome.stopped = f"Förbindelsen med e-postservern bröts ({_network_reason(exc, settings)})"
                break
            except smtplib.SMTPResponseException as exc:
                # the server answered with an error: it did not take the message
                log.append(entry(recipient, audience, message_id, now, "ej skickat"))
                outcome.failed.append(recipient.address)
                kind = "tillfälligt" if 400 <= exc.smtp_code < 500 else "permanent"
                shown.message(
                    f"Servern avvisade meddelandet till {recipient.address} ({kind} fel {exc.smtp_code}: {_reply(exc.smtp_error)})"
                )
                consecutive += 1
            except (OSError, smtplib.SMTPException) as exc:
                outcome.failed.append(recipient.address)
                outcome.stopped = f"Förbindelsen med e-postservern bröts ({_network_reason(exc, settings)})"
                break
            else:
                consecutive = 0
                outcome.sent += 1
                log.append(entry(recipient, audience, message_id, now, "skickat"))
            shown.update(index)
            if progress is not None:
                progress(index, len(jobs))
            if consecutive >= MAX_CONSECUTIVE_FAILURES:
                outcome.stopped = f"Servern avvisade {consecutive} meddelanden i rad; utskicket avbröts"
                break
    finally:
        _quit(smtp)
    return outcome


def _reply(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:200]


# -- the command -----------------------------------------------------------------------


@contextlib.contextmanager
def send_lock(log: Path) -> Iterator[None]:
    """One sending command at a time per send log: two would both read the log, find the
    same addresses unsent and send them twice."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log.with_name(log.name + ".las"), "a+") as handle:  # noqa: PTH123
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SendError(
                "Ett annat utskick pågår redan i det här projektet (rapport skicka i ett annat fönster?); "
                "vänta tills det är klart och kör sedan kommandot igen"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
