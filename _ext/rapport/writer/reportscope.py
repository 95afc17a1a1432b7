"""What one report shows its readers, as source files and line ranges.

Runs in the ``rapport`` command, never in a build: ``rapport kontroll RAPPORT`` and the
send and publish gate (:func:`rapport.writer.kontroll.check_report`) check a report and
everything it shows, read from the sources so the answer does not depend on a build:

* the report's own file;
* the standing sections of its series (``standing`` in ``rapport_series``) that it
  does not override with a body of its own;
* the decisions and FAQ entries it cites (``{beslut}`ID```, ``{faq}`text <ID>```,
  ``[](ID)``): the entry's block in the file that declares it, not the rest of that file.
"""

from __future__ import annotations

import contextlib
import re
import runpy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapport import frontmatter
from rapport.config import settings_from
from rapport.writer.sourcescan import markdown_parser

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ENTRY_KINDS = ("beslut", "faq")
_ROLE_RE = re.compile(r"\{(beslut|faq)\}`([^`]*)`")
_LINK_RE = re.compile(r"\]\(\s*#?([^)\s]+)\s*\)")
_FENCE_INFO_RE = re.compile(r"^\{([\w:-]+)\}\s*(.*)$")


_LINE_BREAKING_RE = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


class ReportNotFound(Exception):
    """The report asked for does not exist or is not a report; the message is Swedish and
    one line (a control character or line break in what was asked for is shown escaped)."""

    def __init__(self, message: str) -> None:
        super().__init__(_LINE_BREAKING_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", message))


@dataclass(frozen=True)
class Part:
    path: Path
    lines: tuple[int, int] | None = None  # first and last line shown; None: the whole file


def find_report(project_root: Path, srcdir: Path, wanted: str) -> Path:
    """The report file for a path (under ``docs/``) or a date such as ``2025-09-25``."""
    if _DATE_RE.match(wanted.strip()):
        found = sorted(p for p in srcdir.rglob(f"{wanted.strip()}*.md") if p.is_file())
        if not found:
            raise ReportNotFound(f"Hittar ingen rapport med datumet {wanted.strip()} i {srcdir.name}/")
        if len(found) > 1:
            names = ", ".join(_shown(p, project_root) for p in found)
            raise ReportNotFound(f"Flera rapporter har datumet {wanted.strip()}: {names}; ange filen")
        return found[0]
    # relative to the current folder, the project or docs/: the first that is in docs/
    existing = [c.resolve() for c in (Path(wanted), project_root / wanted, srcdir / wanted) if c.is_file()]
    inside = [c for c in existing if c.is_relative_to(srcdir.resolve())]
    if not existing:
        raise ReportNotFound(
            f"Rapporten {wanted} finns inte; ange en fil i {srcdir.name}/ eller ett datum (ÅÅÅÅ-MM-DD)"
        )
    if not inside:
        raise ReportNotFound(
            f"{wanted} ligger utanför {srcdir.name}/; bara rapporter i {srcdir.name}/ kan kontrolleras"
        )
    path = inside[0]
    if path.suffix != ".md":
        raise ReportNotFound(f"{wanted} är ingen rapport (inte en .md-fil)")
    return path


def _shown(path: Path, project_root: Path) -> str:
    try:
        return path.resolve().relative_to(project_root.resolve()).as_posix()
    except ValueError:
        return str(path)


def project_config(project_root: Path) -> dict[str, Any]:
    """conf.py's values (executed in its own folder, as Sphinx does); empty if it fails."""
    try:
        with contextlib.chdir(project_root):
            return runpy.run_path(str(project_root / "conf.py"), run_name="conf")
    except BaseException:  # noqa: BLE001 - the check then includes every standing file
        return {}


def standing_files(project_root: Path, srcdir: Path, report_text: str, report_path: Path) -> list[Path]:
    """The standing snippets the report shows: its series' sections it leaves empty."""
    checked = settings_from(project_config(project_root), project_root)
    series = checked.series
    if not series:
        # without a readable series, every snippet a series could use is checked
        return sorted(p for p in srcdir.glob("_*/*.md") if p.is_file())
    fm = frontmatter.read(report_text, str(report_path))
    key = frontmatter.lookup(fm, "serie")[0] or checked.values.default_series or next(iter(series))
    spec = series.get(str(key)) or next(iter(series.values()))
    overridden = set()
    for block in directive_blocks(report_text):
        if block.name == "avsnitt" and block.body.strip():
            overridden.add(block.argument)
    return [srcdir / s.standing for s in spec.sections if s.standing and s.key not in overridden]


@dataclass(frozen=True)
class Block:
    name: str
    argument: str
    first: int  # line of the opening fence (1-based)
    last: int  # line of the closing fence
    body: str


def directive_blocks(text: str, parser: Any = None, first: int = 1, depth: int = 0) -> Iterator[Block]:
    """Every MyST directive block in ``text``, nested ones included, with its lines."""
    if parser is None:
        parser = markdown_parser(["colon_fence"])
    for token in parser.parse(text):
        if token.type not in ("fence", "colon_fence") or token.map is None:
            continue
        match = _FENCE_INFO_RE.match(token.info.strip())
        if not match:
            continue
        start = first + token.map[0]
        block = Block(match.group(1), match.group(2).strip(), start, first + token.map[1] - 1, token.content)
        yield block
        if depth < 30:
            yield from directive_blocks(token.content, parser, start + 1, depth + 1)


def cited_entries(text: str) -> set[str]:
    """Ids the report refers to with a role or a ``[](ID)`` link (not all are entries)."""
    ids = set()
    for match in _ROLE_RE.finditer(text):
        inner = match.group(2).strip()
        target = re.search(r"<([^<>]+)>\s*$", inner)
        ids.add((target.group(1) if target else inner).strip())
    ids.update(m.group(1) for m in _LINK_RE.finditer(text))
    return ids


def parts(project_root: Path, srcdir: Path, report: Path, text: str, sources: list[Path]) -> list[Part]:
    """The report, its standing snippets, and the blocks of the entries it cites."""
    found = [Part(report)]
    found += [Part(p) for p in standing_files(project_root, srcdir, text, report) if p.is_file()]
    wanted = cited_entries(text)
    for part in found[1:]:  # a standing snippet may cite entries too
        try:
            wanted |= cited_entries(part.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            pass
    declared_here = {b.argument for b in directive_blocks(text) if b.name in _ENTRY_KINDS}
    wanted -= declared_here
    if not wanted:
        return found
    for path in sources:
        if path.resolve() == report.resolve():
            continue
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if not any(f"{{{kind}}}" in source for kind in _ENTRY_KINDS):
            continue
        for block in directive_blocks(source):
            if block.name in _ENTRY_KINDS and block.argument in wanted:
                found.append(Part(path, (block.first, block.last)))
    return found
