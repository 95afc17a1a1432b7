"""Sending: a report to lists (or a test copy), and a correction to earlier recipients.

Runs outside Sphinx (``rapport skicka``, the desk). Nothing leaves before the gate
passed: the e-mail editions are built afresh, the version is computed, every stop is
listed, and each message is parsed back and checked before it is sent
(:func:`rapport.email.message.verify_message`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any, TextIO

from rapport.command import EXIT_OK, EXIT_USAGE
from rapport.dates import DateError, parse_datetime
from rapport.email import send as transport
from rapport.email.lists import INTERNAL, PUBLIC, ListProblem, MailingList, Recipient, check_address, read_lists
from rapport.email.message import HeaderError, correction_message, personalise, verify_message

from . import records
from .corrections_source import CorrectionSource, insert_correction, read_corrections
from .edition import Edition, Progress, ReleaseError, build, log_path, resolve, shown_path, signoff_required, verdict

# -- sending ---------------------------------------------------------------------------------


def refuse(stops: list[str], what: str, err: TextIO) -> None:
    if not stops:
        return
    for line in stops:
        print(line, file=err)
    noun = "sak" if len(stops) == 1 else "saker"
    raise ReleaseError(f"{len(stops)} {noun} stoppar {what} (se ovan); inget har skickats")


def _lists(project: Any, names: list[str], err: TextIO) -> tuple[list[MailingList], dict[str, tuple[Recipient, str]]]:
    root = project.root
    lists_path = root / project.settings.values.email_lists
    shown = shown_path(project, lists_path)
    lists, problems = read_lists(lists_path, shown)
    for name in names:
        if name.lower() not in lists and not any(p.line == 0 for p in problems):
            known = ", ".join(sorted(lists)) or "inga"
            problems.append(ListProblem(shown, 0, f"sändlistan ”{name}” finns inte (listorna är: {known})"))
    if problems:
        if not lists and len(problems) > 3:
            # not a list file at all (a wrong setting pointing at another file): its lines
            # are never echoed, whatever it holds
            print(
                f"{shown}: filen är ingen fil med sändlistor (ingen rad har formen [namn] internt); "
                "kontrollera inställningen för sändlistorna",
                file=err,
            )
        else:
            for problem in problems[:20]:
                print(problem.as_line(), file=err)
            if len(problems) > 20:
                print(f"{shown}: … och {len(problems) - 20} fel till", file=err)
        raise ReleaseError(f"{len(problems)} fel i sändlistorna; inget har skickats. Rätta filen och försök igen")
    chosen = [lists[name.lower()] for name in dict.fromkeys(names)]
    recipients: dict[str, tuple[Recipient, str]] = {}
    for mailing_list in chosen:
        if not mailing_list.recipients:
            raise ReleaseError(
                f"{shown}:{mailing_list.line}: sändlistan ”{mailing_list.name}” är tom; inget har skickats", EXIT_USAGE
            )
        for recipient in mailing_list.recipients:
            key = recipient.address.lower()
            # an address on an internal list is an internal reader, whatever else it is on
            if key not in recipients or mailing_list.audience == INTERNAL:
                recipients[key] = (recipients.get(key, (recipient, ""))[0], mailing_list.audience)
    return chosen, recipients


def count_recipients(project: Any, lists: list[str]) -> int:
    if not lists:
        raise ReleaseError("Välj minst en sändlista", EXIT_USAGE)
    return len(_lists(project, lists, io.StringIO())[1])


def deliver(
    project: Any,
    settings: transport.SmtpSettings,
    jobs: list[tuple[Recipient, str, bytes]],
    edition: Edition,
    domain: str,
    err: TextIO,
    kind: str,
    prefix: str = "",
    correction: str = "",
    progress: Progress | None = None,
) -> transport.Outcome:
    log = transport.SendLog(log_path(project))
    try:
        return transport.send_all(
            settings,
            jobs,
            edition.docname,
            domain,
            log,
            err,
            kind == records.TEST,
            prefix,
            version=edition.code,
            kind=kind,
            correction=correction,
            progress=progress,
        )
    finally:
        log.close()


def fail_if(outcome: transport.Outcome, total: int) -> None:
    if outcome.stopped or outcome.failed:
        rest = total - outcome.sent
        reason = f"{outcome.stopped}. " if outcome.stopped else ""
        raise ReleaseError(
            f"{reason}Skickade {outcome.sent} av {total} meddelanden; {rest} skickades inte och är inte "
            "markerade som skickade. Kör samma kommando igen för att skicka dem"
        )


def send(
    project: Any,
    report: str,
    *,
    lists: list[str],
    test: str | None = None,
    accept_placeholders: bool = False,
    password: str | None = None,
    progress: Progress | None = None,
    out: TextIO,
    err: TextIO,
    again: bool = False,
    allow_warnings: bool = False,
    trial: bool = False,
) -> int:
    """Send the report to ``lists`` (or one test copy), through the gate; see ``rapport skicka``."""
    if not lists and not test:
        raise ReleaseError(
            "Ange minst en sändlista med --lista NAMN (eller --test ADRESS för ett provexemplar)", EXIT_USAGE
        )
    # one send at a time per log; a trial writes files only, with nothing to keep apart
    lock = contextlib.nullcontext() if trial else transport.send_lock(log_path(project))
    with lock:
        return _send(
            project, report, lists, test, accept_placeholders, password, progress, out, err, again, allow_warnings, trial
        )  # fmt: skip


def _send(
    project: Any,
    report: str,
    lists: list[str],
    test: str | None,
    accept_placeholders: bool,
    password: str | None,
    progress: Progress | None,
    out: TextIO,
    err: TextIO,
    again: bool,
    allow_warnings: bool,
    trial: bool,
) -> int:
    resolve(project, report)  # a report outside docs/ stops before anything else
    sender, sender_address, domain = transport.sender_of(project.config)
    chosen, recipients = _lists(project, lists, err) if lists else ([], {})
    test_recipient: Recipient | None = None
    if test:
        checked = check_address(test)
        if isinstance(checked, str):
            raise ReleaseError(f"--test: {checked}", EXIT_USAGE)
        test_recipient = Recipient(checked[0], checked[1], "test", 0)
    settings = None if trial else transport.smtp_settings(project.config, sender, sender_address, password)

    if test_recipient is not None:
        audiences = {PUBLIC} if any(m.audience == PUBLIC for m in chosen) else {INTERNAL}
    else:
        audiences = {audience for _, audience in recipients.values()}
    editions: dict[str, Edition] = {INTERNAL: build(project, report, INTERNAL, err)}
    main = editions[INTERNAL]
    if PUBLIC in audiences:
        editions[PUBLIC] = build(project, report, PUBLIC, err)
    for audience in sorted(audiences):
        transport.check_edition(editions[audience].built, main.shown, allow_warnings, trial, err)

    # the gate: always, whatever was asked
    result = verdict(project, main)
    need = signoff_required(project) and not trial
    refuse(result.stops(accept_placeholders=accept_placeholders or trial, need_approval=need), "utskicket", err)
    if result.placeholders and accept_placeholders:
        print(f"Skickas med {len(result.placeholders)} platshållarlänkar, som du valde (--med-platshallare).", file=err)

    stored = {a: e.stored for a, e in editions.items()}
    for data in stored.values():
        try:
            verify_message(data)
        except HeaderError as exc:
            raise ReleaseError(f"{main.shown}: e-postutgåvan stoppades: {exc}") from None
    log_file = log_path(project)
    if test_recipient is not None:
        audience = next(iter(audiences))
        jobs = [(test_recipient, audience, stored[audience])]
        kind = records.TEST
    else:
        sent = records.deliveries(log_file, main.docname)
        uncertain = [a for a, d in sent.items() if d.uncertain and not d.versions and a in recipients]
        if uncertain and not again:
            for address in uncertain:
                print(f"{address}: utskicket avbröts medan meddelandet skickades; det kan ha kommit fram", file=err)
            print(
                f"{len(uncertain)} mottagare hoppas över eftersom det är oklart om de fick rapporten "
                "(skicka till dem med --igen om du vet att det inte kom fram).",
                file=err,
            )
        done = set() if again else {a for a, d in sent.items() if d.versions or d.uncertain}
        earlier = {a for a, d in sent.items() if any(v != main.code for _, v, _ in d.versions)}
        jobs = [(r, a, stored[a]) for key, (r, a) in recipients.items() if key not in done]
        skipped = len(recipients) - len(jobs)
        if skipped:
            extra = (
                f" {len(earlier & set(recipients))} av dem fick en tidigare version och får rättelsen med "
                f"rapport skicka {main.shown} --rättelse."
                if earlier & set(recipients)
                else ""
            )
            print(
                f"{skipped} av {len(recipients)} mottagare har redan fått rapporten enligt skickloggen och hoppas över "
                f"(skicka till dem igen med --igen).{extra}",
                file=err,
            )
        kind = records.REPORT
    prefix = "[Test] " if test_recipient is not None else ""
    if trial:
        return write_trial(project.root, main.docname, jobs, sender, domain, prefix, out)
    if not jobs:
        print(f"Inget att skicka: alla på listorna har redan fått ”{main.title}”.", file=out)
        return EXIT_OK
    assert settings is not None
    if kind == records.REPORT:
        # the PDF as readers download it (attached or not), kept with the version
        built_pdf = project.root / "_build" / "pdf" / f"{main.docname}.pdf"
        pdf = Path(main.built.manifest["pdf"]) if main.built.manifest.get("pdf") else built_pdf
        records.archive_version(project.root, main.docname, main.code, main.text, stored, pdf)
    outcome = deliver(project, settings, jobs, main, domain, err, kind, prefix, progress=progress)
    fail_if(outcome, len(jobs))
    if test_recipient is not None:
        print(f"Klart: ett provexemplar av ”{main.title}” skickades till {test_recipient.address}.", file=out)
    else:
        names = ", ".join(m.name for m in chosen)
        print(
            f"Klart: ”{main.title}”, version {main.code}, skickades till {outcome.sent} mottagare (listorna {names}). "
            f"Skickloggen: {shown_path(project, log_file)}",
            file=out,
        )
    return EXIT_OK


# -- corrections ---------------------------------------------------------------------------


def record_correction(
    project: Any, report: str, *, wrong: str, right: str, date: str | None = None
) -> CorrectionSource:
    """Write a dated correction notice under the report's heading (a new version)."""
    path, docname = resolve(project, report)
    shown = shown_path(project, path)
    if not records.deliveries(log_path(project), docname):
        raise ReleaseError(
            f"{shown} har inte skickats till någon ännu; ändra texten direkt (en rättelse gäller en skickad rapport)",
            EXIT_USAGE,
        )
    if date:
        try:
            when, has_time = parse_datetime(date)
        except DateError:
            raise ReleaseError(f"--datum: ”{date}” är inget datum (skriv ÅÅÅÅ-MM-DD)", EXIT_USAGE) from None
    else:
        when, has_time = dt.datetime.now().replace(second=0, microsecond=0), False
    try:
        return insert_correction(path, when, has_time, wrong, right)
    except ValueError as exc:
        raise ReleaseError(f"{shown}: {exc}", EXIT_USAGE) from None


def send_correction(
    project: Any,
    report: str,
    *,
    password: str | None = None,
    progress: Progress | None = None,
    out: TextIO,
    err: TextIO,
    accept_placeholders: bool = False,
) -> int:
    """Send "Rättelse: <title>" once to exactly those who got an earlier version."""
    with transport.send_lock(log_path(project)):
        sender, sender_address, domain = transport.sender_of(project.config)
        settings = transport.smtp_settings(project.config, sender, sender_address, password)
        edition = build(project, report, INTERNAL, err)
        transport.check_edition(edition.built, edition.shown, False, False, err)
        corrections = read_corrections(edition.path.read_text(encoding="utf-8"))
        if not corrections:
            raise ReleaseError(
                f"{edition.shown} har ingen registrerad rättelse; registrera den först med "
                f'rapport rättelse {edition.shown} --fel "…" --rätt "…"',
                EXIT_USAGE,
            )
        result = verdict(project, edition)
        refuse(
            result.stops(accept_placeholders=accept_placeholders, need_approval=signoff_required(project)),
            "rättelsen",
            err,
        )
        latest = corrections[-1]
        sent = records.deliveries(log_path(project), edition.docname)
        targets = [
            d
            for d in sent.values()
            if d.versions
            and latest.key not in d.corrections
            and not any(v == edition.code for kind, v, _ in d.versions if kind == records.REPORT)
        ]
        if not targets:
            print(f"Inget att skicka: alla som fick ”{edition.title}” har redan fått rättelsen.", file=out)
            return EXIT_OK
        base = str(edition.built.manifest.get("basadress") or "")
        page = str(edition.built.manifest.get("webbadress") or "")
        message = correction_message(edition.title, latest.as_dict(), page or base, sender)
        try:
            verify_message(message)
        except HeaderError as exc:
            raise ReleaseError(f"{edition.shown}: rättelsen stoppades: {exc}") from None
        records.archive_version(project.root, edition.docname, edition.code, edition.text, {"rattelse": message}, None)
        jobs = [(Recipient(d.address, d.address, "rättelse", 0), INTERNAL, message) for d in targets]
        outcome = deliver(
            project, settings, jobs, edition, domain, err, records.CORRECTION, correction=latest.key, progress=progress
        )
        fail_if(outcome, len(jobs))
        print(
            f"Klart: rättelsen av ”{edition.title}” skickades till {outcome.sent} mottagare som fick en tidigare version.",
            file=out,
        )
        return EXIT_OK


def write_trial(
    root: Path,
    docname: str,
    jobs: list[tuple[Recipient, str, bytes]],
    sender: str,
    domain: str,
    prefix: str,
    out: TextIO,
) -> int:
    folder = root / "_build" / "epost" / "prov" / docname
    if folder.is_dir():
        for old in folder.glob("*.eml"):
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    for index, (recipient, audience, stored) in enumerate(jobs, start=1):
        data, _ = personalise(stored, recipient.display, sender, domain, now, prefix)
        safe = re.sub(r"[^A-Za-z0-9._@-]", "_", recipient.address)
        (folder / f"{index:04d}-{audience}-{safe}.eml").write_bytes(data)
    print(
        f"Prov: {len(jobs)} meddelanden skrivna i {folder.relative_to(root).as_posix()}; inget har skickats. "
        "Öppna en .eml-fil i e-postprogrammet för att se hur den ser ut.",
        file=out,
    )
    return EXIT_OK
