"""Acknowledged placeholders: ``kontroll-kvitterade.toml`` at the project's root.

Runs in the ``rapport`` command (``rapport kontroll`` and the send and publish gate),
never in a build. The source material has links without an address (``[text](#)``);
the writer cannot fill them in, and a check that repeats them every time teaches
writers to skip its list. An entry here acknowledges one such link once:

.. code-block:: toml

    [[platshallare]]
    fil = "docs/_standard/samlad-information.md"
    text = "Samlad information om Millennium på Insidan"
    anledning = "Adressen saknas i källmaterialet"

keyed by the file and the link text, not the line, so editing the file around it does
not break it. An acknowledged finding is not listed by ``rapport kontroll`` (it gets
``acknowledged=True``), but it is still a finding: the gate sees it and stops a send
of the report it is in. Only placeholder links can be acknowledged; personal data,
dates and markers are fixed in the text. The file stays outside ``docs/``: it is about
the sources, not published content.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rapport.writer.sourcescan import PLACEHOLDER, EncodingProblem, Finding, read_utf8

FILENAME = "kontroll-kvitterade.toml"
SUBTYPE = "kvittens"
_TABLE = "platshallare"
_KEYS = {"fil", "text", "anledning"}


@dataclass(frozen=True)
class Acknowledgement:
    file: str  # relative to the project, as findings name it
    text: str  # the link text, spaces normalised
    reason: str
    line: int  # of its [[platshallare]] header in the file


def _problem(line: int | None, message: str) -> Finding:
    return Finding(FILENAME, line, "kontroll", SUBTYPE, message)


def load(project_root: Path) -> tuple[list[Acknowledgement], list[Finding]]:
    """The acknowledgements, and a finding for each entry (or the file) that is wrong."""
    path = project_root / FILENAME
    if not path.is_file():
        return [], []
    try:
        text = read_utf8(path)
    except EncodingProblem as exc:
        return [], [_problem(exc.line, "Filen är inte sparad som UTF-8; spara den som UTF-8")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+)", str(exc))
        return [], [
            _problem(
                int(where.group(1)) if where else None,
                "Filen går inte att läsa (inte giltig TOML); varje kvittens är ett block [[platshallare]] "
                'med raderna fil = "…" och text = "…"',
            )
        ]
    headers = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip().startswith(f"[[{_TABLE}]]")]
    problems = [
        _problem(None, f"Okänd tabell ”{key}”; filen har bara block [[{_TABLE}]]") for key in data if key != _TABLE
    ]
    entries = data.get(_TABLE, [])
    if not isinstance(entries, list):
        return [], [*problems, _problem(None, f"Skriv kvittenserna som block [[{_TABLE}]]")]
    found: list[Acknowledgement] = []
    for index, entry in enumerate(entries):
        line = headers[index] if index < len(headers) else None
        unknown = sorted(set(entry) - _KEYS)
        fil, label, reason = entry.get("fil"), entry.get("text"), entry.get("anledning", "")
        if unknown:
            problems.append(_problem(line, f"Okänd nyckel ”{unknown[0]}”; en kvittens har fil, text och anledning"))
        elif not isinstance(fil, str) or not fil.strip() or not isinstance(label, str) or not label.strip():
            problems.append(
                _problem(line, 'Kvittensen saknar fil = "…" eller text = "…" (länkens text, som den står i filen)')
            )
        elif not isinstance(reason, str):
            problems.append(_problem(line, 'anledning ska vara en text inom citattecken: anledning = "…"'))
        else:
            file = fil.strip().replace("\\", "/").removeprefix("./")
            found.append(Acknowledgement(file, " ".join(label.split()), reason.strip(), line or 0))
    return found, problems


def apply(findings: Iterable[Finding], acknowledgements: Iterable[Acknowledgement]) -> list[Finding]:
    """The findings, those an acknowledgement covers marked ``acknowledged=True``."""
    keys = {(a.file, a.text) for a in acknowledgements}
    return [
        dataclasses.replace(f, acknowledged=True) if f.subtype == PLACEHOLDER and (f.file, f.detail) in keys else f
        for f in findings
    ]


def unused(findings: Iterable[Finding], acknowledgements: Iterable[Acknowledgement]) -> list[Finding]:
    """A finding for each acknowledgement that covers no placeholder any more."""
    present = {(f.file, f.detail) for f in findings if f.subtype == PLACEHOLDER}
    return [
        _problem(
            a.line or None,
            f"Kvittensen gäller ingen platshållare längre (”{a.text}” i {a.file}); ta bort blocket",
        )
        for a in acknowledgements
        if (a.file, a.text) not in present
    ]
