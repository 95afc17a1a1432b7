"""The release operations, once: status, proof, approve, send, correct, publish, history.

Runs outside Sphinx. The ``rapport`` command (:mod:`rapport.writer.release.commands`)
and the desk (:mod:`rapport.writer.desk`) call these functions and show what they
print and the :class:`~rapport.command.CommandError` they raise (one Swedish line); no
face re-implements a rule. ``project`` is what :func:`rapport.writer.cli.find_project`
returns (``root``, ``srcdir``, ``config``); ``report`` is a path under ``docs/`` or a
date (``2025-10-02``). The work is in the sibling modules; this module is their one
front door.
"""

from __future__ import annotations

import os
import re
from typing import Any, TextIO

from rapport.command import EXIT_OK, EXIT_USAGE
from rapport.email import send as transport
from rapport.email.lists import INTERNAL, Recipient
from rapport.email.message import mark_proof

from . import records
from .edition import Edition, Progress, ReleaseError, approvers, build, resolve, signoff_required, verdict
from .history import history
from .publishing import publish, publish_gate
from .sending import count_recipients, deliver, fail_if, record_correction, refuse, send, send_correction
from .status import ReportState, Status, report_states, status
from .version import diff

__all__ = [
    "Edition",
    "Progress",
    "ReleaseError",
    "ReportState",
    "Status",
    "approve",
    "approvers",
    "build",
    "count_recipients",
    "history",
    "publish",
    "publish_gate",
    "record_correction",
    "report_states",
    "resolve",
    "send",
    "send_correction",
    "send_proof",
    "signoff_required",
    "status",
    "verdict",
]


# -- proof and approval ----------------------------------------------------------------------


def send_proof(
    project: Any,
    report: str,
    *,
    password: str | None = None,
    out: TextIO,
    err: TextIO,
    accept_placeholders: bool = True,
) -> int:
    """Send the exact edition to the approvers, marked "Korrektur – ej godkänd" with its code."""
    people = approvers(project)
    if not people:
        raise ReleaseError(
            "Inga godkännare är inställda: ange godkannare under [godkannande] i rapport.toml "
            '(till exempel ["Namn <namn@example.se>"]) eller i skrivbordets Inställningar; projektet levereras utan godkännare',
            EXIT_USAGE,
        )
    sender, sender_address, domain = transport.sender_of(project.config)
    settings = transport.smtp_settings(project.config, sender, sender_address, password)
    edition = build(project, report, INTERNAL, err)
    transport.check_edition(edition.built, edition.shown, True, False, err)
    result = verdict(project, edition)
    stops = result.stops(accept_placeholders=True, need_approval=False)
    refuse(stops, "korrekturen", err)
    shown = edition.shown
    stored = mark_proof(
        edition.stored, edition.code, f"rapport godkänn {shown} --av NAMN --version {edition.code} --hur e-post"
    )
    records.keep_text(project.root, edition.docname, edition.code, edition.text)
    jobs = [(person, INTERNAL, stored) for person in people]
    outcome = deliver(project, settings, jobs, edition, domain, err, records.PROOF, "Korrektur – ej godkänd: ")
    fail_if(outcome, len(jobs))
    print(
        f"Klart: korrekturen av ”{edition.title}”, version {edition.code}, skickades till {outcome.sent} "
        f"godkännare. Registrera godkännandet med: rapport godkänn {shown} --av NAMN --version {edition.code}",
        file=out,
    )
    return EXIT_OK


def approve(
    project: Any, report: str, *, by: str, how: str, version: str, err: TextIO | None = None
) -> records.Approval:
    """Record that ``by`` approved ``version`` (must be the current one) by ``how``."""
    how = how.strip().lower()
    if how not in records.HOW:
        raise ReleaseError(f"--hur ska vara {', '.join(records.HOW)}, inte ”{how}”", EXIT_USAGE)
    people = approvers(project)
    if not people:
        raise ReleaseError(
            "Inga godkännare är inställda: ange godkannare under [godkannande] i rapport.toml eller i skrivbordets Inställningar; projektet levereras utan godkännare",
            EXIT_USAGE,
        )
    wanted = " ".join(by.split()).lower()
    person = next((p for p in people if wanted in (p.address.lower(), _display_name(p).lower()) and wanted), None)
    if person is None:
        names = ", ".join(_display_name(p) or p.address for p in people)
        shown = " ".join(by.split())[:80]  # one line, whatever was typed
        raise ReleaseError(f"”{shown}” är ingen av seriens godkännare ({names})", EXIT_USAGE)
    code = version.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{8}", code):
        raise ReleaseError(
            f"”{' '.join(version.split())[:40]}” är ingen versionskod (åtta tecken, 0–9 och a–f, som i korrekturen)",
            EXIT_USAGE,
        )
    edition = build(project, report, INTERNAL, err)
    if code != edition.code:
        earlier = records.archived_text(project.root, edition.docname, code)
        changes = diff(earlier, edition.text, f"version {code}", f"version {edition.code}") if earlier else ""
        raise ReleaseError(
            f"{edition.shown}: version {code} är inte den aktuella (den är {edition.code}); rapporten har ändrats "
            "sedan korrekturen. Skicka en ny korrektur och låt godkännaren godkänna den"
            + (f"\nÄndringar:\n{changes}" if changes else "")
        )
    records.keep_text(project.root, edition.docname, edition.code, edition.text)
    approval = records.Approval(
        edition.docname,
        edition.code,
        _display_name(person) or person.address,
        how,
        records.now_text(),
        os.environ.get("USER", ""),
    )
    records.add_approval(project.root, approval)
    return approval


def _display_name(person: Recipient) -> str:
    return person.display.split("<", 1)[0].strip().strip('"') if "<" in person.display else ""
