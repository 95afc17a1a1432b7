"""``rapport historik``: one report's record, from the approvals, the source and the send log.

Runs outside Sphinx. Addresses are shown only when asked (``--adresser``).
"""

from __future__ import annotations

import io
from typing import Any

from . import records
from .corrections_source import read_corrections
from .edition import log_path, resolve, shown_path
from .status import TITLE_RE, when_text

# -- history -------------------------------------------------------------------------------


def history(project: Any, report: str, *, addresses: bool = False) -> str:
    """A report's record: versions, approvals, corrections, who got which version."""
    path, docname = resolve(project, report)
    shown = shown_path(project, path)
    buffer = io.StringIO()
    write = buffer.write
    text = path.read_text(encoding="utf-8")
    title = (TITLE_RE.search(text) or [None, docname])[1]
    write(f"Historik för {shown}: ”{title}”\n")
    events: list[tuple[str, str]] = []
    for approval in records.approvals(project.root, docname):
        events.append((approval.time, f"version {approval.version} godkänd av {approval.by} ({approval.how})"))
    for correction in read_corrections(text):
        events.append(
            (
                correction.when.isoformat() if correction.has_time else correction.when.date().isoformat(),
                f"rättelse registrerad {correction.summary()}",
            )
        )
    per_version: dict[tuple[str, str], list[str]] = {}
    first_time: dict[tuple[str, str], str] = {}
    uncertain: list[str] = []
    for entry in records.log_entries(log_path(project), docname):
        kind = str(entry.get("typ") or (records.TEST if entry.get("test") else records.REPORT))
        key = (kind, str(entry.get("version") or "okänd"))
        if entry.get("status") == records.SENDING:
            continue
        per_version.setdefault(key, []).append(str(entry.get("adress", "")))
        first_time.setdefault(key, str(entry.get("tid", "")))
    for address, d in records.deliveries(log_path(project), docname).items():
        if d.uncertain:
            uncertain.append(address)
    labels = {
        records.REPORT: "skickad",
        records.PROOF: "korrektur skickad",
        records.CORRECTION: "rättelse skickad",
        records.TEST: "provexemplar skickat",
    }
    for (kind, version), got in per_version.items():
        noun = "mottagare" if kind != records.PROOF else "godkännare"
        events.append(
            (first_time[(kind, version)], f"version {version} {labels.get(kind, kind)} till {len(got)} {noun}")
        )
    if not events:
        write("Ingenting registrerat: rapporten har inte godkänts, skickats eller rättats.\n")
    for when, what in sorted(events):
        write(f"  {when_text(when)}  {what}\n")
    reports = {k: v for k, v in per_version.items() if k[0] == records.REPORT}
    if reports:
        write("Mottagare per version:\n")
        for (_, version), got in reports.items():
            write(f"  {version}: {len(got)}\n")
            if addresses:
                for address in sorted(got):
                    write(f"    {address}\n")
    if uncertain:
        write(f"Oklart om de fick rapporten (utskicket avbröts): {len(uncertain)}\n")
        if addresses:
            for address in sorted(uncertain):
                write(f"    {address}\n")
    archive = records.ARCHIVE
    write(f"Arkiv: {archive}/{docname}/ (varje skickad version som den skickades)\n")
    if not addresses and per_version:
        write("Adresserna visas med --adresser.\n")
    return buffer.getvalue()
