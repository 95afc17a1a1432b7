"""``rapport ny``: start the next report from the latest one.

Runs outside the Sphinx build, in the ``rapport`` command; it reads and writes Markdown
files only. The latest report is found by its compile date in the front matter (not
by file name, which a writer may have chosen differently). The new file gets:

* the front matter of the series, a new compile date and ``utkast: true``;
* every standard section of the series that has no standing content, in the series'
  order; standing sections are left out because they come from ``docs/_standard``;
* the previous report's points of those sections, each marked ``[BEKRÄFTA]`` so the
  writer confirms (removes the marker) or deletes it. The build warns about every
  marker left (:mod:`rapport.writer.carryover`), so old text cannot be published by mistake.
  A decision or FAQ entry declared in the previous report (``:::{beslut} ID`` …) is not
  copied as a declaration (a second one with the same id is a duplicate): the point
  becomes a reference to it, ``- [BEKRÄFTA] {beslut}`ID```, which shows its title and
  links to where it was declared, for the writer to keep or delete like any other point.

Nothing is ever overwritten: files are created with exclusive mode. A report for the
same date already there is found first (:func:`existing_for_date`: by compile date or
file name, with its title and whether the send log says it was sent), and the command
asks for an explicit choice before making another (``rapport ny --ytterligare``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from rapport import frontmatter
from rapport.config import SeriesSpec
from rapport.dates import DateError, format_date, parse_datetime
from rapport.writer.carryover import MARKER


class NewReportError(Exception):
    """A Swedish, writer-facing reason why no report was created (exit code 2)."""


@dataclass(frozen=True)
class ExistingReport:
    path: Path
    compiled: dt.datetime
    series: str | None
    text: str
    title: str = ""  # the page's heading
    sent: bool = False  # the send log has it as sent to a list (not a test, not a proof)


_FENCE_OPEN_RE = re.compile(r"^(?P<indent>\s*)(?P<fence>:{3,})\{avsnitt\}\s+(?P<key>\S+)\s*$")


def find_reports(reports_dir: Path, read, undated: bool = False) -> list[ExistingReport]:  # noqa: ANN001
    """Every report below ``reports_dir/<year>/`` with a readable compile date (and, with
    ``undated``, those without one, dated by their file name if it starts with a date)."""
    found = []
    for path in sorted(reports_dir.glob("*/*.md")):
        if path.name == "index.md":
            continue
        text = read(path)
        fm = frontmatter.read_markdown(text)
        raw, _ = frontmatter.lookup(fm, "sammanstallt", "sammanställt")
        try:
            compiled, _has_time = parse_datetime(raw or "")
        except DateError:
            if not undated:
                continue
            try:
                compiled, _has_time = parse_datetime(path.name[:10])
            except DateError:
                continue
        series, _ = frontmatter.lookup(fm, "serie")
        found.append(ExistingReport(path, compiled, series, text))
    return found


# -- a report for the same date ------------------------------------------------------------

SEND_LOG = "utskick/skicklogg.jsonl"
_HEADING_RE = re.compile(r"^#\s+(.+?)\s*#*\s*$")


def title_of(text: str) -> str:
    skip = frontmatter.read_markdown(text).end_line if text.startswith("---") else 0
    for line in text.split("\n")[skip:]:
        match = _HEADING_RE.match(line)
        if match:
            return match.group(1)
    return ""


def sent_reports(log: Path) -> set[str]:
    """Docnames the send log has as sent to a list. Read defensively: a line that is not
    complete JSON (a crash mid-write) or not an object is skipped, never an error."""
    try:
        raw = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    sent = set()
    for line in raw.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("rapport"), str):
            continue
        if entry.get("test") or entry.get("typ", "rapport") != "rapport":
            continue  # a test message or a proof is not the report sent
        if entry.get("status", "skickat") == "skickat":  # old lines have no status: sent
            sent.add(entry["rapport"].removesuffix(".md"))
    return sent


def existing_for_date(
    root: Path, srcdir: Path, date: dt.date, reports_dir: Path | None = None, log: Path | None = None
) -> list[ExistingReport]:
    """The reports compiled on ``date`` (by front matter, or named after the date), with
    their titles and whether each was sent; ``rapport ny`` and the writer's desk ask the
    writer what to do when there is one."""
    folder = reports_dir or srcdir / "rapporter"
    sent = sent_reports(log or root / SEND_LOG)
    found = []
    for report in find_reports(folder, _read_or_empty, undated=True):
        named = report.path.name.startswith(f"{date:%Y-%m-%d}")
        if report.compiled.date() != date and not named:
            continue
        docname = report.path.relative_to(srcdir).with_suffix("").as_posix()
        found.append(
            ExistingReport(
                report.path, report.compiled, report.series, report.text, title_of(report.text), docname in sent
            )
        )
    return found


def _read_or_empty(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def describe_existing(found: list[ExistingReport], shown) -> str:  # noqa: ANN001 - shown(path) -> str
    """One Swedish sentence naming the reports already there for a date."""
    parts = []
    for report in found:
        state = "skickad" if report.sent else "inte skickad"
        title = f"”{report.title}”, " if report.title else ""
        parts.append(f"{shown(report.path)} ({title}{state})")
    noun = "en rapport" if len(found) == 1 else f"{len(found)} rapporter"
    return f"Det finns redan {noun} för {format_date(found[0].compiled.date())}: {'; '.join(parts)}"


# -- the new text ---------------------------------------------------------------------------

_ENTRY_OPEN_RE = re.compile(r"^(?P<indent>\s*)(?P<fence>:{3,}|`{3,})\{(?P<kind>beslut|faq)\}\s+(?P<id>\S+)\s*$")


def references_for_declarations(body: list[str]) -> list[str]:
    """Each ``:::{beslut} ID`` / ``:::{faq} ID`` block becomes a point referring to it."""
    out: list[str] = []
    index = 0
    while index < len(body):
        match = _ENTRY_OPEN_RE.match(body[index])
        if not match:
            out.append(body[index])
            index += 1
            continue
        fence = match.group("fence")
        index += 1
        # to its closing fence (as long or longer, nothing after it); an unclosed block ends the body
        while index < len(body):
            closing = body[index].strip()
            index += 1
            if closing and set(closing) == {fence[0]} and len(closing) >= len(fence):
                break
        if out and out[-1].strip() and not re.match(r"^\s*([-*+]|\d+[.)])\s", out[-1]):
            out.append("")  # a list item must not continue the paragraph before it
        out.append(f"{match.group('indent')}- {{{match.group('kind')}}}`{match.group('id')}`")
    return out


def section_bodies(text: str) -> dict[str, list[str]]:
    """The body lines of each ``avsnitt`` in a report, dedented, by section key."""
    lines = text.splitlines()
    bodies: dict[str, list[str]] = {}
    index = 0
    while index < len(lines):
        match = _FENCE_OPEN_RE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, indent = match.group("fence"), len(match.group("indent"))
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != fence:
            body.append(lines[index][indent:] if lines[index][:indent].isspace() else lines[index])
            index += 1
        # options (:class: x) belong to the old directive, not to the text
        while body and re.match(r"^:[\w-]+:", body[0]):
            body.pop(0)
        bodies.setdefault(match.group("key"), references_for_declarations(body))
        index += 1
    return bodies


def mark_carry_over(body: list[str], at_end: bool = False) -> list[str]:
    """Mark every top-level point (or paragraph) with the confirmation marker.

    The marker goes first, where the eye starts; in a list of communication actions it
    goes last, because an action must start with its date (:mod:`rapport.entries.actions`).
    """
    out: list[str] = []
    paragraph_start = True
    for line in body:
        stripped = line.strip()
        if not stripped:
            out.append("")
            paragraph_start = True
            continue
        item = re.match(r"^([-*+]|\d+[.)])(\s+)(.*)$", line)
        if item and at_end:
            out.append(f"{line.rstrip()} {MARKER}")
        elif item:  # a top-level list item (nested items are indented)
            out.append(f"{item.group(1)}{item.group(2)}{MARKER} {item.group(3)}")
        elif paragraph_start and not line[0].isspace() and not stripped.startswith((":::", "```", "#", "%")):
            out.append(f"{MARKER} {line}")
        else:
            out.append(line)
        paragraph_start = False
    while out and not out[-1]:
        out.pop()
    return out


def render(series: SeriesSpec, compiled: dt.datetime, previous: ExistingReport | None, has_time: bool = True) -> str:
    """The text of the new report."""
    bodies = section_bodies(previous.text) if previous else {}
    topics: tuple[str, ...] = ()
    if previous:
        value, _ = frontmatter.lookup(frontmatter.read_markdown(previous.text), "amnen", "ämnen")
        topics = frontmatter.as_list(value)
    lines = [
        "---",
        f"serie: {series.key}",
        f"sammanstallt: {compiled:%Y-%m-%d %H:%M}" if has_time else f"sammanstallt: {compiled:%Y-%m-%d}",
        "utkast: true",
    ]
    if topics:
        lines.append("amnen: [" + ", ".join(topics) + "]")
    lines += ["---", "", f"# {series.title} {format_date(compiled.date())}", ""]
    for spec in series.sections:
        if spec.standing:
            continue  # comes from its single source in docs/_standard
        is_actions = bool(getattr(spec, "actions", False))
        body = mark_carry_over(bodies.get(spec.key, []), at_end=is_actions)
        if not body and is_actions:
            day = f"{compiled.day}/{compiled.month}"
            body = [f"- {day}: [Skriv åtgärdens rubrik och adress](#) {MARKER}"]
        elif not body:
            body = [f"- {MARKER} Skriv avsnittets första punkt här."]
        lines += [f":::{{avsnitt}} {spec.key}", *body, ":::", ""]
    return "\n".join(lines)


YEAR_PAGE = """# Rapporter {year}

Rapporterna från {year}, den senaste först.

:::{{rapportar}}
:::
"""


def target_path(reports_dir: Path, compiled: dt.datetime, has_time: bool = True) -> Path:
    folder = reports_dir / f"{compiled.year:04d}"
    path = folder / f"{compiled:%Y-%m-%d}.md"
    if path.exists() and has_time:
        path = folder / f"{compiled:%Y-%m-%d-%H%M}.md"
    if path.exists():
        raise NewReportError(
            f"Det finns redan en rapport {path.name} i {folder}; den skrivs inte över. "
            "Ange en annan tidpunkt med --datum."
        )
    return path


def write_new(path: Path, text: str) -> None:
    """Create ``path`` exclusively; a half-written file is removed again."""
    try:
        handle = open(path, "x", encoding="utf-8", newline="\n")
    except FileExistsError:
        raise NewReportError(f"{path} finns redan och skrivs inte över") from None
    try:
        with handle:
            handle.write(text)
    except BaseException:
        os.unlink(path)
        raise


def create(
    reports_dir: Path,
    series: SeriesSpec,
    compiled: dt.datetime,
    read,  # noqa: ANN001 - read(path) -> str, raising the command's own errors
    has_time: bool = True,
) -> tuple[Path, ExistingReport | None, list[Path]]:
    """Create the next report; return its path, the report it started from and new files."""
    if not reports_dir.is_dir():
        raise NewReportError(f"Rapportmappen {reports_dir} finns inte")
    candidates = [r for r in find_reports(reports_dir, read) if r.series in (None, series.key)]
    previous = max(candidates, key=lambda r: (r.compiled, r.path.name), default=None)
    path = target_path(reports_dir, compiled, has_time)
    created: list[Path] = []
    folder = path.parent
    if not folder.exists():
        folder.mkdir()
        created.append(folder)
    year_page = folder / "index.md"
    if not year_page.exists():
        # the archive's glob toctree (*/index) picks the new year up by itself
        write_new(year_page, YEAR_PAGE.format(year=compiled.year))
        created.append(year_page)
    write_new(path, render(series, compiled, previous, has_time))
    created.append(path)
    return path, previous, created
