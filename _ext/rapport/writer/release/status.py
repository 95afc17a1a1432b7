"""What the desk's start page and ``rapport status`` show: each report's state, one report's gate.

Runs outside Sphinx.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from rapport.dates import format_datetime
from rapport.email.lists import INTERNAL

from . import gate, records
from .corrections_source import CorrectionSource, read_corrections
from .edition import build, log_path, signoff_required, verdict
from .version import diff

# -- status ---------------------------------------------------------------------------------


@dataclass
class ReportState:
    docname: str
    path: Path
    title: str
    date: str
    state: str  # utkast, klar, godkänd, skickad, rättad
    version: str | None  # the last approved or sent version (without a build the current one is unknown)


_DRAFT_RE = re.compile(r"^utkast:\s*(true|ja|yes)\s*$", re.MULTILINE | re.IGNORECASE)
TITLE_RE = re.compile(r"^# (.+)$", re.MULTILINE)
_DATE_RE = re.compile(r"^samman[sä]t[äa]llt:\s*(.+)$", re.MULTILINE)


def report_states(project: Any) -> list[ReportState]:
    """Every report with its state, newest first, from the files and the records alone (no build)."""
    log = log_path(project)
    sent_reports: dict[str, str] = {}
    for entry in records.read_lines(log):
        if (
            entry.get("test")
            or entry.get("typ") in (records.PROOF, records.TEST)
            or entry.get("status") == records.SENDING
        ):
            continue
        sent_reports[str(entry.get("rapport", ""))] = str(entry.get("version", ""))
    approved: dict[str, str] = {a.report: a.version for a in records.approvals(project.root)}
    patterns = project.settings.values.report_patterns or ["rapporter/*/*"]
    found: list[ReportState] = []
    for pattern in patterns:
        for path in sorted(project.srcdir.glob(f"{pattern}.md")):
            if path.name == "index.md":
                continue
            docname = path.relative_to(project.srcdir).with_suffix("").as_posix()
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            head = text.split("\n---", 1)[0] if text.startswith("---") else ""  # the front matter
            title = (TITLE_RE.search(text) or [None, docname])[1]
            date_match = _DATE_RE.search(head)
            date = date_match[1].strip().strip("'\"") if date_match else ""
            corrected = bool(read_corrections(text))
            if _DRAFT_RE.search(head):
                state = "utkast"
            elif docname in sent_reports:
                state = "rättad" if corrected else "skickad"
            elif docname in approved:
                state = "godkänd"
            else:
                state = "klar"
            version = sent_reports.get(docname) or approved.get(docname)
            found.append(ReportState(docname, path, str(title), date, state, version or None))
    return sorted(found, key=lambda s: (s.date, s.docname), reverse=True)


@dataclass
class Status:
    docname: str
    shown: str
    title: str
    version: str
    signoff_required: bool
    approval: records.Approval | None
    approvals: list[records.Approval]
    blocking: list[gate.Problem]
    placeholders: list[gate.Problem]
    approval_missing: str
    changed_after_send: str
    diff: str  # since the last approved or sent version ("" when none or the same)
    diff_base: str  # that version's code
    sent: dict[str, int] = field(default_factory=dict)  # version -> recipients
    corrections: list[CorrectionSource] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.shown}: ”{self.title}”", f"Version: {self.version}"]
        if self.approval is not None:
            out.append(f"Godkänd av {self.approval.by} ({self.approval.how}) {when_text(self.approval.time)}")
        elif self.signoff_required:
            out.append("Inte godkänd (serien kräver godkännande)")
        else:
            out.append("Inte godkänd (serien kräver inte godkännande)")
        for version, count in self.sent.items():
            out.append(f"Skickad: version {version} till {count} mottagare")
        stops = [p.as_line() for p in self.blocking] + [self.changed_after_send] * bool(self.changed_after_send)
        if self.signoff_required and self.approval_missing:
            stops.append(self.approval_missing)
        if stops:
            out.append("Stoppar utskick och publicering:")
            out += [f"  {line}" for line in stops]
        if self.placeholders:
            out.append("Platshållarlänkar (kräver ett val: --med-platshallare):")
            out += [f"  {p.as_line()}" for p in self.placeholders]
        if not stops and not self.placeholders:
            out.append("Inget stoppar utskick.")
        if self.diff:
            out.append(f"Ändringar sedan version {self.diff_base}:")
            out.append(self.diff)
        return out


def status(project: Any, report: str, err: TextIO | None = None) -> Status:
    edition = build(project, report, INTERNAL, err)
    result = verdict(project, edition)
    found = records.approvals(project.root, edition.docname)
    approval = next((a for a in reversed(found) if a.version == edition.code), None)
    deliveries = records.deliveries(log_path(project), edition.docname)
    sent: dict[str, int] = {}
    last_sent = ""
    for delivery in deliveries.values():
        for kind, version, _time in delivery.versions:
            if kind == records.REPORT:
                sent[version] = sent.get(version, 0) + 1
                last_sent = version
    base = last_sent or (found[-1].version if found else "")
    changes = ""
    if base and base != edition.code:
        earlier = records.archived_text(project.root, edition.docname, base)
        if earlier is not None:
            changes = diff(earlier, edition.text, f"version {base}", f"version {edition.code}")
    return Status(
        edition.docname,
        edition.shown,
        edition.title,
        edition.code,
        signoff_required(project),
        approval,
        found,
        result.blocking,
        result.placeholders,
        result.approval_missing,
        result.changed_after_send,
        changes,
        base,
        sent,
        read_corrections(edition.path.read_text(encoding="utf-8")),
    )


def when_text(iso: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:  # the send log is in UTC; the writer reads local time
        moment = moment.astimezone()
    has_time = "T" in iso or " " in iso.strip()
    return format_datetime(moment.replace(tzinfo=None), has_time)
