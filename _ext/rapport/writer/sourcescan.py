"""The source scans of ``rapport kontroll``: what a build does not warn about but a
publication must not contain.

Runs outside the Sphinx build, in the ``rapport`` command (:mod:`rapport.writer.kontroll`
for the whole site, :func:`rapport.writer.kontroll.check_report` for one report and the
send and publish gate). MyST's own markdown-it parser tells running text from code,
front matter and directive options, so a date in ``:datum: 2025-09-23`` or inside a
code example is not a finding. Personal data (:mod:`rapport.trust.privatedata`) is
searched everywhere: code blocks and front matter are published too.

Two rules keep findings to real problems:

* an HTML comment is never raw HTML: the build removes a comment that stands alone
  (:class:`rapport.trust.safety.RefuseRawHtml`), so nothing of it is published; only
  a comment that shares its block with markup, or is never closed, is a finding;
* a dotted number glued to a word, or right after a word that does not introduce a
  date (``WCAG 1.4.10``, ``avsnitt 2.3.1``, ``version 1.4.10``), is a criterion, section
  or version number, never a date; ``den 1.4.10`` still is one, and so is a number with
  a four-digit year, or one whose day or month cannot be a date is none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from rapport.trust.privatedata import EMAIL_RE, EXAMPLE_DOMAIN_RE, find_phone_numbers, identity_matches, phone_key
from rapport.writer.carryover import MARKER

#: the subtypes the send and publish gate classifies by (see check_report)
IDENTITY, PHONE, MARKER_LEFT, PLACEHOLDER, DRAFT = (
    "personnummer",
    "telefon",
    "carryover-unconfirmed",
    "platshallare",
    "utkast",
)


@dataclass(frozen=True, order=True)
class Finding:
    file: str  # relative to the project directory
    line: int | None
    type: str  # "kontroll", "rapport" (build warnings of the extension) or "sphinx"
    subtype: str
    message: str
    # what an acknowledgement is keyed by (a placeholder's link text); never shown
    detail: str = ""
    # acknowledged in kontroll-kvitterade.toml: not repeated by rapport kontroll, but the
    # send and publish gate still sees it
    acknowledged: bool = False

    def as_line(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        mark = " (kvitterad)" if self.acknowledged else ""
        return f"{where}: {self.message} [{self.subtype}]{mark}"

    def as_dict(self) -> dict[str, object]:
        """The JSON of ``rapport kontroll --format json`` (``acknowledged`` only when set)."""
        shown: dict[str, object] = {
            "file": self.file,
            "line": self.line,
            "type": self.type,
            "subtype": self.subtype,
            "message": self.message,
        }
        if self.acknowledged:
            shown["acknowledged"] = True
        return shown

    def to_cache(self) -> dict[str, Any]:
        return {**self.as_dict(), "detail": self.detail, "acknowledged": False}


class EncodingProblem(Exception):
    """A source file that is not UTF-8; the command stops (exit 2) before checking."""

    def __init__(self, path: Path, line: int) -> None:
        super().__init__(str(path))
        self.path, self.line = path, line


def read_utf8(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EncodingProblem(path, data.count(b"\n", 0, exc.start) + 1) from None


# -- running text ----------------------------------------------------------------------

_CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_PLACEHOLDER_RE = re.compile(r"\[((?:[^\[\]\n]|\[[^\]\n]*\])*)\]\(\s*(#?)\s*\)")
_LINK_TARGET_RE = re.compile(r"\]\([^)\n]*\)|<[a-z][a-z0-9+.-]*:[^>\s]*>|https?://\S+", re.IGNORECASE)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_COMMENT_ONLY_RE = re.compile(r"^\s*(?:<!--.*?-->\s*)+$", re.DOTALL)
_HTML_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ISO_DATE_RE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")
# a sentence may end right after a date or time: "25/9/2025." and "14:00." still count
_SHORT_DATE_RE = re.compile(
    r"(?<![\w/.])(?P<d>\d{1,2})(?P<sep>[/.])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?!\d|[/.]\d)"
)
# the word right before a number: letters, digits and inner hyphens or slashes (WCAG,
# SS-EN, ISO/IEC), after an optional opening bracket or quote
_WORD_BEFORE_RE = re.compile(r"(?:^|\s)[(\[”\"']?(?P<word>[^\W\d_][\w/-]*)\s+$")
#: words after which a dotted number is a date (den 1.4.10, fredag 1.4.10, från 1.4.10)
DATE_WORDS = frozenset(
    "den dagen dag datum datumet från till tills per före efter sedan senast under om på i "
    "och eller mellan med kring omkring t.o.m fr.o.m "
    "måndag tisdag onsdag torsdag fredag lördag söndag "
    "måndagen tisdagen onsdagen torsdagen fredagen lördagen söndagen".split()
)
_CLOCK_RE = re.compile(
    r"(?P<word>\b(?:kl|klockan)\b\.?\s*)?(?<![\d:.])(?P<h>[01]?\d|2[0-3])(?P<sep>[:.])(?P<m>[0-5]\d)(?!\d|[:.]\d)",
    re.IGNORECASE,
)
_HOUSE_CLOCK_RE = re.compile(r"^(?:kl\. |klockan )(?:[1-9]|1\d|2[0-3])\.[0-5]\d$")

# directives whose content is not Markdown running text
_LITERAL_DIRECTIVES = {
    "code",
    "code-block",
    "sourcecode",
    "literalinclude",
    "math",
    "raw",
    "eval-rst",
    "csv-table",
    "mermaid",
    "graphviz",
}


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    """Replace matches by spaces of the same length, keeping offsets and newlines."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def is_short_date(text: str, match: re.Match[str]) -> bool:
    """Whether a ``_SHORT_DATE_RE`` match in ``text`` is a date (see the module docstring)."""
    day, month, year = int(match.group("d")), int(match.group("m")), match.group("y")
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False  # 3.15.20 is a number, whatever it stands for
    if match.group("sep") == "/" or len(year) == 4:
        return True
    before = _WORD_BEFORE_RE.search(text, 0, match.start())
    if before is None:
        return True  # at the start of a line or after punctuation: read as a date
    return before.group("word").lower().rstrip(".") in DATE_WORDS


@dataclass
class _Context:
    file: str
    findings: list[Finding]
    markers: bool = False  # look for [BEKRÄFTA] left (the build warns about it too)

    def add(self, line: int, subtype: str, message: str, detail: str = "") -> None:
        self.findings.append(Finding(self.file, line, "kontroll", subtype, message, detail))

    def add_file(self, subtype: str, message: str) -> None:
        """A finding about the whole file (no line)."""
        self.findings.append(Finding(self.file, None, "kontroll", subtype, message))


def _check_inline(ctx: _Context, content: str, first_line: int, dates: bool) -> None:
    text = _blank(content, _CODE_SPAN_RE)

    def line_of(offset: int) -> int:
        return first_line + text.count("\n", 0, offset)

    for match in _PLACEHOLDER_RE.finditer(text):
        label = " ".join(match.group(1).split()) or "(utan text)"
        if match.group(2):
            msg = f"Platshållarlänk: ”{label}” pekar inte någonstans (#); fyll i adressen"
        else:
            msg = f"Tom länk: ”{label}” saknar adress; fyll i adressen"
        ctx.add(line_of(match.start()), PLACEHOLDER, msg, label)

    if ctx.markers:
        # as rapport.writer.carryover finds it: first in the point, or last in an action
        stripped = text.strip()
        if stripped.startswith(MARKER) or stripped.endswith(MARKER):
            ctx.add(
                line_of(len(text) - len(text.lstrip())),
                MARKER_LEFT,
                f"Punkten är kopierad från förra rapporten och inte bekräftad: ta bort {MARKER} "
                "om den stämmer, annars hela punkten",
            )

    # a whole comment is removed by the build; what is left of markup is raw HTML
    for match in _HTML_RE.finditer(_blank(text, _COMMENT_RE)):
        tag = match.group(0)
        shown = tag if len(tag) <= 40 else tag[:37] + "…"
        ctx.add(line_of(match.start()), "html", f"Rå HTML ”{shown}” i texten; skriv det med Markdown i stället")

    if not dates:
        return
    prose = _blank(text, _LINK_TARGET_RE)
    found = [m for m in _ISO_DATE_RE.finditer(prose)]
    found += [m for m in _SHORT_DATE_RE.finditer(prose) if is_short_date(prose, m)]
    for match in sorted(found, key=lambda m: m.start()):
        ctx.add(
            line_of(match.start()),
            "datum",
            f"Datumet ”{match.group(0)}” följer inte skrivreglerna; skriv till exempel ”25 september 2025”",
        )
    for match in _CLOCK_RE.finditer(prose):
        written = match.group(0)
        if _HOUSE_CLOCK_RE.match(written):
            continue
        if not match.group("word") and match.group("sep") == ".":
            continue  # "8.30" alone is house style after "kl." on the previous line, or a number
        hour, minute = int(match.group("h")), match.group("m")
        ctx.add(
            line_of(match.start()),
            "klockslag",
            f"Klockslaget ”{written.strip()}” följer inte skrivreglerna; skriv ”kl. {hour}.{minute}”",
        )


def _split_options(lines: list[str]) -> int:
    """Number of leading directive option lines (``:key: value`` or a ``---`` YAML block)."""
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() == "---":
                return index + 1
        return 0
    count = 0
    for line in lines:
        if re.match(r"^\s*:[\w-]+:", line):
            count += 1
        else:
            break
    return count


#: how deep nested directives are scanned: each level parses its body again, so a file
#: of a thousand nested blocks would take minutes (the build shows only 12 levels anyway)
MAX_DEPTH = 30


def _html_block(ctx: _Context, start: int, content: str) -> None:
    if _COMMENT_ONLY_RE.match(content):
        return  # a note to the next writer: the build removes it, nothing is published
    if content.lstrip().startswith("<!--") and "-->" not in content:
        ctx.add(
            start,
            "html",
            "HTML-kommentaren avslutas aldrig med -->: resten av filen visas som kod; "
            "avsluta kommentaren eller skriv den med % först på varje rad",
        )
        return
    ctx.add(start, "html", "Rå HTML i texten; skriv det med Markdown eller ett direktiv i stället")


def scan_markdown(ctx: _Context, text: str, first_line: int, dates: bool, parser, depth: int = 0) -> None:  # noqa: ANN001
    for token in parser.parse(text):
        if token.map is None:
            continue
        start = first_line + token.map[0]
        if token.type == "front_matter":
            continue
        if token.type == "inline":
            _check_inline(ctx, token.content, start, dates)
        elif token.type == "html_block":
            _html_block(ctx, start, token.content)
        elif token.type in ("fence", "colon_fence"):
            info = token.info.strip()
            match = re.match(r"^\{([\w:-]+)\}\s*(.*)$", info)
            if not match:
                continue  # a code block: shown as written, never running text
            name, argument = match.group(1), match.group(2).strip()
            if name in _LITERAL_DIRECTIVES:
                body = "\n".join(token.content.splitlines()[_split_options(token.content.splitlines()) :])
                if name == "raw" and argument.lower().startswith("html") and not _COMMENT_ONLY_RE.match(body):
                    ctx.add(start, "html", "Rå HTML (raw-direktivet); skriv det med Markdown i stället")
                continue
            lines = token.content.splitlines()
            skip = _split_options(lines)
            body = "\n".join(lines[skip:])
            # the action list's short dates (23/9, 2025-09-23) are its agreed markup
            inner_dates = dates and not (name == "avsnitt" and argument == "atgarder")
            if depth >= MAX_DEPTH:
                ctx.add(
                    start,
                    "kontrollfel",
                    f"Blocken är nästlade i mer än {MAX_DEPTH} nivåer; texten i dem kontrolleras inte "
                    "(personnummer, telefonnummer och e-postadresser kontrolleras ändå)",
                )
                continue
            scan_markdown(ctx, body, start + 1 + skip, inner_dates, parser, depth + 1)


def scan_private_data(ctx: _Context, text: str, allowed: set[str]) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        spans: list[tuple[int, int]] = []
        for match in identity_matches(line):
            kind = "samordningsnummer" if match.number.coordination else "personnummer"
            ctx.add(number, IDENTITY, f"Troligt {kind} ({match.number.masked}); personnummer får inte publiceras")
            spans.append((match.number.offset, match.end))
        for start, end, written, kind in find_phone_numbers(line):
            if any(start < b and a < end for a, b in spans):
                continue  # already reported as an identity number, and must not be echoed
            if written.strip().lower() in allowed or phone_key(written) in allowed:
                continue
            ctx.add(number, PHONE, f"{kind} ”{written}” i texten; privata telefonnummer ska inte publiceras")
        for found in EMAIL_RE.finditer(line):
            address = found.group(0).rstrip(".")
            if address.lower() in allowed or EXAMPLE_DOMAIN_RE.search(address):
                continue
            ctx.add(number, "epost", f"E-postadress ”{address}” i texten; privata adresser ska inte publiceras")


def front_matter_lines(text: str) -> int:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return index + 1
    return 0


def scan_text(  # noqa: ANN001
    file: str, text: str, parser, allowed: set[str], into: list[Finding], markers: bool = False
) -> None:
    """Every source-scan finding of one file's text (``file`` as it is to be shown),
    appended to ``into`` as found (a scan that fails half-way keeps what it found)."""
    ctx = _Context(file, into, markers)
    scan_private_data(ctx, text, allowed)
    skip = front_matter_lines(text)
    body = "\n" * skip + "\n".join(text.splitlines()[skip:])
    scan_markdown(ctx, body, 1, True, parser)


def file_error(file: str, into: list[Finding], message: str) -> None:
    """A finding about the whole file (a check that could not finish)."""
    _Context(file, into).add_file("kontrollfel", message)


def markdown_parser(extensions: Iterable[str]):  # noqa: ANN201
    known = {
        "colon_fence",
        "deflist",
        "fieldlist",
        "smartquotes",
        "dollarmath",
        "amsmath",
        "tasklist",
        "substitution",
        "html_image",
        "html_admonition",
        "linkify",
        "replacements",
        "strikethrough",
        "attrs_inline",
        "attrs_block",
    }
    enabled = {name for name in extensions if name in known} - {"linkify"}
    return create_md_parser(MdParserConfig(enable_extensions=enabled), RendererHTML)
