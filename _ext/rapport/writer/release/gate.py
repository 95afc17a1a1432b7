"""The gate: what stops a report from being sent or published, in the writer's words.

Runs outside Sphinx (``rapport skicka``, ``rapport publicera``, the desk). The gate is
not a separate command a writer could forget: the send and publish operations in
:mod:`rapport.writer.release.ops` evaluate it every time. It stops, whatever the flags:

* what must never go out: a personal identity or coordination number, a private phone
  number, a ``[BEKRÄFTA]`` marker left, a draft: the findings of ``rapport kontroll
  RAPPORT`` (the report and everything it shows), and, as a second net, the same
  detectors run on the text readers get (the version text, which also holds the
  settings the page shows, such as the contact);
* placeholder links ``(#)``, unless the writer chose to send them
  (``--med-platshallare``): they are listed, acknowledged ones included;
* when the series requires sign-off: a version nobody approved;
* a report whose text changed after it was sent, without a recorded correction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapport.trust.privatedata import find_identity_numbers, find_phone_numbers, phone_key
from rapport.writer import sourcescan

from . import records

BLOCKING = {sourcescan.IDENTITY, "samordningsnummer", sourcescan.PHONE, sourcescan.MARKER_LEFT, sourcescan.DRAFT}
PLACEHOLDERS = {sourcescan.PLACEHOLDER}
_CORRECTION_TITLE_RE = re.compile(r"^# Rättelse \d", re.MULTILINE)


@dataclass(frozen=True)
class Problem:
    """One reason to stop, with the file and line it is at (``line`` 0: the file as a whole)."""

    file: str
    line: int
    message: str

    def as_line(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass
class Verdict:
    blocking: list[Problem] = field(default_factory=list)
    placeholders: list[Problem] = field(default_factory=list)
    approval_missing: str = ""  # why sign-off is missing ("" when approved or not required)
    changed_after_send: str = ""  # why a changed sent report stops ("" when fine)

    def stops(self, *, accept_placeholders: bool, need_approval: bool) -> list[str]:
        lines = [p.as_line() for p in self.blocking]
        if self.placeholders and not accept_placeholders:
            lines += [p.as_line() for p in self.placeholders]
        if need_approval and self.approval_missing:
            lines.append(self.approval_missing)
        if self.changed_after_send:
            lines.append(self.changed_after_send)
        return lines


def classify(findings: list[Any], verdict: Verdict) -> None:
    for finding in findings:
        problem = Problem(finding.file, finding.line or 0, finding.message)
        if finding.subtype in BLOCKING:
            verdict.blocking.append(problem)
        elif finding.subtype in PLACEHOLDERS:
            verdict.placeholders.append(problem)


def _locate(root: Path, sources: list[Path], needle: str) -> tuple[str, int]:
    """The first source file and line where ``needle`` is written (digits compared only)."""
    digits = re.sub(r"\D", "", needle)
    for path in sources:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, start=1):
            if digits and digits in re.sub(r"\D", "", line):
                try:
                    return path.relative_to(root).as_posix(), number
                except ValueError:
                    return str(path), number
    return "", 0


def _hits(text: str, allowed: set[str]) -> Iterator[tuple[str, str]]:
    """(what to look for in the sources, the finding's message) for each personal number."""
    for number in find_identity_numbers(text):
        kind = "samordningsnummer" if number.coordination else "personnummer"
        message = f"Det rapporten visar innehåller ett {kind} ({number.masked}); personuppgifter skickas aldrig. Ta bort numret"
        yield number.masked, message
    for _start, _end, written, _kind in find_phone_numbers(text):
        if phone_key(written) in allowed or written in allowed:
            continue
        yield (
            written,
            (
                f"Det rapporten visar innehåller telefonnumret {written}, som en person kan ha; privata nummer skickas "
                "aldrig. Ta bort det eller lägg ett funktionsnummer i rapport_kontroll_tillatna"
            ),
        )


def scan_text(
    root: Path, report_file: str, text: str, sources: list[Path], allowed: set[str], known: list[Problem]
) -> list[Problem]:
    """Personal data in what readers get that the source check did not already name, at
    the source line that writes it (the report's file when no source does)."""
    found: list[Problem] = []
    seen_lines = {(p.file, p.line) for p in known}
    for needle, message in _hits(text, allowed):
        where, line = _locate(root, sources, needle)
        problem = Problem(where or report_file, line, message)
        if (problem.file, problem.line) not in seen_lines:
            found.append(problem)
            seen_lines.add((problem.file, problem.line))
    return found


def corrections_in(text: str) -> int:
    """How many correction notices a version text shows."""
    return len(_CORRECTION_TITLE_RE.findall(text))


def approval_state(root: Path, docname: str, code: str, shown: str) -> tuple[records.Approval | None, str]:
    """The approval of version ``code``, or why there is none."""
    found = records.approvals(root, docname)
    match = next((a for a in reversed(found) if a.version == code), None)
    if match is not None:
        return match, ""
    if found:
        last = found[-1]
        return None, (
            f"{shown}: version {code} är inte godkänd. {last.by} godkände version {last.version}, och rapporten har "
            f"ändrats sedan dess (se ändringarna med rapport status {shown}). Skicka en ny korrektur med "
            f"rapport skicka {shown} --korrektur och registrera godkännandet med rapport godkänn"
        )
    return None, (
        f"{shown}: version {code} är inte godkänd, och serien kräver godkännande. Skicka korrektur med "
        f"rapport skicka {shown} --korrektur och registrera godkännandet med "
        f"rapport godkänn {shown} --av NAMN --version {code}"
    )


def changed_after_send(root: Path, log: Path, docname: str, code: str, text: str, shown: str) -> str:
    """Why a sent report whose text changed without a recorded correction stops ("" if fine)."""
    sent = records.deliveries(log, docname)
    versions = {v for d in sent.values() for _, v, _ in d.versions if v}
    if not versions or code in versions:
        return ""
    best = 0
    for version in versions:
        earlier = records.archived_text(root, docname, version)
        if earlier is not None:
            best = max(best, corrections_in(earlier))
    if corrections_in(text) > best:
        return ""
    return (
        f"{shown} har redan skickats, och texten har ändrats utan att en rättelse har registrerats. En skickad "
        "rapport är en allmän handling: registrera vad som var fel och vad som gäller med "
        f'rapport rättelse {shown} --fel "…" --rätt "…" (eller ångra ändringen)'
    )
