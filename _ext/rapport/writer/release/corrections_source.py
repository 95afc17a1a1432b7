"""Corrections as written in a report's source: read them, and write a new one.

Runs outside Sphinx (``rapport rättelse``, the desk, the correction e-mail). The block
is the ``rattelse`` directive of :mod:`rapport.corrections`; it is written right under
the report's heading, newest first after older ones, so the notice is the first thing
a reader sees on the page, in the PDF and in the e-mail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from rapport.dates import DateError, format_datetime, parse_datetime

_OPEN_RE = re.compile(r"^(?P<fence>:{3,}|`{3,})\{rattelse\}[ \t]*(?P<arg>.*)$")
_OPTION_RE = re.compile(r"^:(?P<name>fel|ratt|rätt):[ \t]*(?P<value>.*)$")
_HEADING_RE = re.compile(r"^# \S")
_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]")


@dataclass(frozen=True)
class CorrectionSource:
    when: dt.datetime
    has_time: bool
    wrong: str
    right: str
    line: int

    @property
    def key(self) -> str:
        """Identifies the correction in the send log (its date and texts, not its line)."""
        raw = f"{self.when.isoformat()}|{self.wrong}|{self.right}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12]

    @property
    def date_text(self) -> str:
        return format_datetime(self.when, self.has_time)

    def summary(self) -> str:
        parts = []
        if self.wrong:
            parts.append(f"tidigare stod det ”{self.wrong.rstrip('.')}”")
        if self.right:
            parts.append(f"rätt är ”{self.right.rstrip('.')}”")
        return f"{self.date_text}: " + ", ".join(parts)

    def as_dict(self) -> dict[str, str]:
        return {"datum": self.date_text, "fel": self.wrong, "ratt": self.right, "nyckel": self.key}


def read_corrections(text: str) -> list[CorrectionSource]:
    """Every ``rattelse`` block of a source, oldest first; unreadable dates are skipped
    (the build warns about them at their line)."""
    found: list[CorrectionSource] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        opened = _OPEN_RE.match(lines[index].rstrip("\r"))
        if not opened:
            index += 1
            continue
        start, fence = index + 1, opened["fence"]
        options: dict[str, str] = {}
        index += 1
        while index < len(lines) and lines[index].rstrip("\r").strip() != fence:
            option = _OPTION_RE.match(lines[index].strip())
            if option:
                options["ratt" if option["name"] in ("ratt", "rätt") else "fel"] = option["value"].strip()
            index += 1
        index += 1
        try:
            when, has_time = parse_datetime(opened["arg"].strip())
        except DateError:
            continue
        found.append(CorrectionSource(when, has_time, options.get("fel", ""), options.get("ratt", ""), start))
    return sorted(found, key=lambda c: c.when)


def _one_line(value: str, what: str) -> str:
    cleaned = " ".join(_BREAKS.sub(" ", value).split())
    if not cleaned:
        raise ValueError(f"{what} är tom; skriv vad som {'stod' if what == '--fel' else 'gäller'}")
    if ":::" in cleaned:
        raise ValueError(f"{what} får inte innehålla :::")
    return cleaned


def insert_correction(path: Path, when: dt.datetime, has_time: bool, wrong: str, right: str) -> CorrectionSource:
    """Write the block under the heading (after earlier corrections); atomic replace."""
    wrong = _one_line(wrong, "--fel")
    right = _one_line(right, "--rätt")
    raw = path.read_bytes().decode("utf-8")
    newline = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.split(newline)
    heading = next((i for i, line in enumerate(lines) if _HEADING_RE.match(line)), None)
    if heading is None:
        raise ValueError("rapporten har ingen rubrik (# …) att sätta rättelsen under")
    # after the heading and any corrections already there
    position = heading + 1
    existing = read_corrections(raw)
    for line_index, line in enumerate(lines[heading + 1 :], start=heading + 1):
        if _OPEN_RE.match(line) and existing:
            fence = _OPEN_RE.match(line)["fence"]  # type: ignore[index]
            end = next((j for j in range(line_index + 1, len(lines)) if lines[j].strip() == fence), line_index)
            position = end + 1
        elif line.strip() and not _OPEN_RE.match(line) and position > heading + 1:
            break
    stamp = when.strftime("%Y-%m-%d %H:%M") if has_time else when.strftime("%Y-%m-%d")
    block = ["", f":::{{rattelse}} {stamp}", f":fel: {wrong}", f":ratt: {right}", ":::"]
    lines[position:position] = block
    text = newline.join(lines)
    tmp = path.with_name(f".{path.name}.rattelse.tmp")
    tmp.write_bytes(text.encode("utf-8"))
    os.replace(tmp, path)
    return CorrectionSource(when, has_time, wrong, right, position + 2)
