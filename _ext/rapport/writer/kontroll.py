"""``rapport kontroll``: check the whole site without writing HTML.

Runs outside the Sphinx build, in the ``rapport`` command. Two sources of findings:

* the Sphinx build itself, run in-process with the ``dummy`` builder (it reads and
  resolves every page but writes nothing) on throwaway output directories, so every
  warning the real build would give is listed;
* our own scans of the Markdown sources for what a build does not warn about but a
  publication must not contain: placeholder links, Swedish personal identity numbers,
  private phone numbers and e-mail addresses, raw HTML and dates outside house style.

The scans use MyST's own markdown-it parser to tell running text from code, front
matter and directive options, so a date in ``:datum: 2025-09-23`` or inside a code
example is not a finding. Identity numbers, phone numbers and addresses are searched
everywhere (code blocks and front matter are published too). Their rules are libraries'
(python-stdnum for personnummer, ``phonenumbers`` for phone numbers); the spellings
people type (spaces, dashes, with or without century) are ours.

A check that fails on one file, or a build that stops, is a ``kontrollfel`` finding
naming the file: the other files are still checked and no traceback is shown.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

import phonenumbers
import sphinx.locale
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser
from phonenumbers import PhoneNumberType
from sphinx.application import Sphinx
from sphinx.util import console
from sphinx.util.docutils import docutils_namespace, patch_docutils
from stdnum import exceptions as stdnum_exceptions
from stdnum import luhn
from stdnum.se import orgnr, personnummer

from rapport.writer import checkcache

#: id -> (what the finding means, how to fix it). The writer's guide renders this
#: next to :data:`rapport.messages.SUBTYPES`.
CHECKS: dict[str, tuple[str, str]] = {
    "platshallare": (
        "En länk saknar adress: [text](#) eller [text](). Läsaren får bara texten.",
        "Skriv in länkens adress mellan parenteserna, eller ta bort hakparenteserna om texten inte ska vara en länk.",
    ),
    "personnummer": (
        "Texten innehåller något som är ett giltigt personnummer eller samordningsnummer (kontrollsiffran stämmer), "
        "hur det än är skrivet: med eller utan sekel, med bindestreck, tankstreck, plus eller mellanslag.",
        "Ta bort numret. Personnummer får aldrig publiceras i rapporten.",
    ),
    "telefon": (
        "Texten innehåller ett telefonnummer som en person kan ha: mobilnummer eller fast nummer, "
        "med eller utan +46. Privata nummer ska inte publiceras. Gratisnummer (020) och betalnummer räknas inte.",
        "Ta bort numret eller använd ett växel- eller funktionsnummer. "
        "Ett nummer som får publiceras läggs i rapport_kontroll_tillatna i conf.py.",
    ),
    "epost": (
        "Texten innehåller en e-postadress. Privata adresser ska inte publiceras.",
        "Använd en funktionsbrevlåda. En adress som får publiceras läggs i rapport_kontroll_tillatna i conf.py.",
    ),
    "html": (
        "Texten innehåller rå HTML. Den kan bryta sidans utseende och tillgänglighet och kommer inte med i PDF:en.",
        "Skriv samma sak med Markdown eller med rapportens direktiv.",
    ),
    "datum": (
        "Ett datum i löptexten är inte skrivet enligt skrivreglerna.",
        "Skriv datum som ”25 september 2025”. Korta datum (23/9 eller 2025-09-23) "
        "hör bara hemma i listan över kommunikativa åtgärder och i front matter.",
    ),
    "klockslag": (
        "Ett klockslag är inte skrivet enligt skrivreglerna.",
        "Skriv ”kl. 8.30”: kl med punkt, timmen utan inledande nolla och punkt mellan timme och minut.",
    ),
    "kontrollfel": (
        "En kontroll av filen avbröts av ett oväntat fel, eller hoppade över block som är nästlade "
        "för djupt. Fynden för filen kan vara ofullständiga; de andra filerna är kontrollerade.",
        "Rätta det som meddelandet nämner (till exempel block som är nästlade för djupt). "
        "Kvarstår felet, kontakta den som förvaltar verktyget.",
    ),
    "sphinx": (
        "En varning från bygget som inte kommer från rapporttillägget (till exempel en trasig hänvisning).",
        "Läs meddelandet; raden som anges visar var felet sitter.",
    ),
}


@dataclass(frozen=True, order=True)
class Finding:
    file: str  # relative to the project directory
    line: int | None
    type: str  # "kontroll", "rapport" (build warnings of the extension) or "sphinx"
    subtype: str
    message: str

    def as_line(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message} [{self.subtype}]"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class EncodingProblem(Exception):
    """A source file that is not UTF-8; the command stops (exit 2) before checking."""

    def __init__(self, path: Path, line: int) -> None:
        super().__init__(str(path))
        self.path, self.line = path, line


# -- Swedish personal identity numbers ------------------------------------------------
#
# The rules (valid date, the century a "+" stands for, the Luhn check digit) are
# python-stdnum's; what is ours is finding the spellings people actually type:
# 121212-1212, 19121212-1212, 1212121212, 121212 1212, 121212 - 1212, 121212–1212,
# 121212+1212 (a hundred years or older), with a hyphen, en or em dash, minus sign,
# spaces or no-break spaces between date and serial.

_BLANK = r"[ \t\u00a0\u202f]"  # spaces a word processor or a paste may put between the groups
_DASHES = r"\-\u2010\u2011\u2012\u2013\u2014\u2212"  # hyphen, dashes and the minus sign
_PNR_RE = re.compile(
    # not the middle of a longer digit run, a "+46…" number or an id like "RS-121212…"
    # (amounts are grouped by three digits, so a six-digit group never is one of theirs)
    rf"(?<![\d+{_DASHES}])"
    rf"(?P<head>(?:18|19|20)?\d{{6}})"
    rf"(?P<sep>{_BLANK}*[{_DASHES}+]{_BLANK}*|{_BLANK}+)?"
    rf"(?P<tail>\d{{4}})(?!\d)"
)


class IdentityNumber(NamedTuple):
    offset: int  # where the number starts in the searched text
    masked: str  # the date part only, e.g. 121212-****: the output must not spread the number
    coordination: bool  # samordningsnummer (the day of birth plus 60)


@dataclass(frozen=True)
class _IdentityMatch:
    number: IdentityNumber
    end: int


def _is_identity_number(head: str, plus: bool, tail: str) -> tuple[bool, bool]:
    """(valid, coordination) for a date part, its separator and the last four digits."""
    ten = head[-6:] + tail
    if orgnr.is_valid(ten) and int(ten[2:4]) >= 20:
        # an organisation number (month position 20 or more) is public by law; it passes
        # the same Luhn check, so it is told apart by the group number, not the checksum
        return False, False
    day = int(head[-2:])
    coordination = day > 60
    if coordination:  # samordningsnummer: stdnum knows only the day of birth itself
        head = f"{head[:-2]}{day - 60:02d}"
    number = f"{head}{'+' if plus else '-'}{tail}"
    try:
        born = personnummer.get_birth_date(number)
    except stdnum_exceptions.ValidationError:
        return False, False
    # a "birth date" after today is a date-shaped id, never a person
    if born > dt.date.today() or not luhn.is_valid(ten):
        return False, False
    return True, coordination


def _identity_matches(text: str) -> Iterator[_IdentityMatch]:
    for match in _PNR_RE.finditer(text):
        head, sep, tail = match.group("head"), match.group("sep") or "", match.group("tail")
        plus = "+" in sep
        valid, coordination = _is_identity_number(head, plus, tail)
        if valid:
            # the separator normalised (a space or dash shown as "-"), none if none was written
            masked = f"{head}{('+' if plus else '-') if sep else ''}****"
            yield _IdentityMatch(IdentityNumber(match.start(), masked, coordination), match.end())


def find_identity_numbers(text: str) -> Iterator[IdentityNumber]:
    """Valid personnummer and samordningsnummer in ``text``, however they are spaced.

    A number whose check digit is wrong is not a finding: about one date-shaped run of
    ten digits in ten passes the Luhn check by chance, so flagging the other nine would
    flag case numbers and ids, and a number with a wrong check digit is not somebody's
    identity number as written (a typo that happens to be valid is found).
    """
    for match in _identity_matches(text):
        yield match.number


# -- phone numbers and e-mail addresses -------------------------------------------------
#
# Google's libphonenumber (the ``phonenumbers`` package) finds numbers in text the way
# people write them (031-123 45 67, 070 123 45 67, +46 70 123 45 67, 08-12 34 56) and
# knows which number ranges are valid, which keeps dates, times and amounts out. Only
# the kinds of number a person can have are findings: toll-free (020), premium-rate,
# shared-cost (0771) and other organisation-only numbers are public by design.

_PERSONAL_PHONE_TYPES = {
    PhoneNumberType.MOBILE: "Mobilnummer",
    PhoneNumberType.FIXED_LINE: "Telefonnummer",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "Telefonnummer",
    PhoneNumberType.VOIP: "Telefonnummer",
    PhoneNumberType.PERSONAL_NUMBER: "Telefonnummer",
    PhoneNumberType.PAGER: "Personsökarnummer",
}


def phone_key(text: str) -> str | None:
    """The number in E.164 (+46…) form, for comparing with the allowed numbers."""
    try:
        number = phonenumbers.parse(text, "SE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_phone_numbers(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, as written, kind) of each phone number a person could have."""
    for match in phonenumbers.PhoneNumberMatcher(text, "SE", leniency=phonenumbers.Leniency.VALID):
        kind = _PERSONAL_PHONE_TYPES.get(phonenumbers.number_type(match.number))
        if kind is None:
            continue
        written = match.raw_string
        yield match.start, match.end, written, kind


_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# RFC 2606 example domains can never be somebody's private address
_EXAMPLE_DOMAIN_RE = re.compile(r"@(?:[\w-]+\.)*example\.[a-z]+$", re.IGNORECASE)


# -- running text ----------------------------------------------------------------------

_CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_PLACEHOLDER_RE = re.compile(r"\[((?:[^\[\]\n]|\[[^\]\n]*\])*)\]\(\s*(#?)\s*\)")
_LINK_TARGET_RE = re.compile(r"\]\([^)\n]*\)|<[a-z][a-z0-9+.-]*:[^>\s]*>|https?://\S+", re.IGNORECASE)
_HTML_RE = re.compile(r"<!--|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ISO_DATE_RE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")
# a sentence may end right after a date or time: "25/9/2025." and "14:00." still count
_SLASH_DATE_RE = re.compile(r"(?<![\d/.])\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})(?!\d|[/.]\d)")
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


@dataclass
class _Context:
    file: str
    findings: list[Finding]

    def add(self, line: int, subtype: str, message: str) -> None:
        self.findings.append(Finding(self.file, line, "kontroll", subtype, message))

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
        ctx.add(line_of(match.start()), "platshallare", msg)

    for match in _HTML_RE.finditer(text):
        tag = match.group(0)
        if tag == "<!--":
            ctx.add(
                line_of(match.start()),
                "html",
                "HTML-kommentar i texten; skriv kommentarer med % först på raden i stället",
            )
            continue
        shown = tag if len(tag) <= 40 else tag[:37] + "…"
        ctx.add(line_of(match.start()), "html", f"Rå HTML ”{shown}” i texten; skriv det med Markdown i stället")

    if not dates:
        return
    prose = _blank(text, _LINK_TARGET_RE)
    for pattern in (_ISO_DATE_RE, _SLASH_DATE_RE):
        for match in pattern.finditer(prose):
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


def _scan_markdown(ctx: _Context, text: str, first_line: int, dates: bool, parser, depth: int = 0) -> None:  # noqa: ANN001
    for token in parser.parse(text):
        if token.map is None:
            continue
        start = first_line + token.map[0]
        if token.type == "front_matter":
            continue
        if token.type == "inline":
            _check_inline(ctx, token.content, start, dates)
        elif token.type == "html_block" and token.content.lstrip().startswith("<!--"):
            # an HTML comment is invisible on the page but published in its source
            ctx.add(
                start,
                "html",
                "HTML-kommentar: den syns inte på sidan men följer med i den publicerade "
                "sidans källkod; skriv kommentarer med % först på raden i stället",
            )
        elif token.type == "html_block":
            ctx.add(start, "html", "Rå HTML i texten; skriv det med Markdown eller ett direktiv i stället")
        elif token.type in ("fence", "colon_fence"):
            info = token.info.strip()
            match = re.match(r"^\{([\w:-]+)\}\s*(.*)$", info)
            if not match:
                continue  # a code block: shown as written, never running text
            name, argument = match.group(1), match.group(2).strip()
            if name in _LITERAL_DIRECTIVES:
                if name == "raw" and argument.lower().startswith("html"):
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
            _scan_markdown(ctx, body, start + 1 + skip, inner_dates, parser, depth + 1)


def _scan_private_data(ctx: _Context, text: str, allowed: set[str]) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        spans: list[tuple[int, int]] = []
        for match in _identity_matches(line):
            kind = "samordningsnummer" if match.number.coordination else "personnummer"
            ctx.add(number, "personnummer", f"Troligt {kind} ({match.number.masked}); personnummer får inte publiceras")
            spans.append((match.number.offset, match.end))
        for start, end, written, kind in find_phone_numbers(line):
            if any(start < b and a < end for a, b in spans):
                continue  # already reported as an identity number, and must not be echoed
            if written.strip().lower() in allowed or phone_key(written) in allowed:
                continue
            ctx.add(
                number,
                "telefon",
                f"{kind} ”{written}” i texten; privata telefonnummer ska inte publiceras",
            )
        for found in _EMAIL_RE.finditer(line):
            address = found.group(0).rstrip(".")
            if address.lower() in allowed or _EXAMPLE_DOMAIN_RE.search(address):
                continue
            ctx.add(
                number,
                "epost",
                f"E-postadress ”{address}” i texten; privata adresser ska inte publiceras",
            )


def _front_matter_lines(text: str) -> int:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return index + 1
    return 0


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


def read_utf8(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EncodingProblem(path, data.count(b"\n", 0, exc.start) + 1) from None


def source_files(srcdir: Path) -> list[Path]:
    """Every Markdown file a writer edits, the standing snippets included."""
    files = []
    for path in sorted(srcdir.rglob("*.md")):
        if not path.is_file():  # a folder named "….md" is no source (Sphinx skips it too)
            continue
        parts = path.relative_to(srcdir).parts
        if any(part.startswith(".") or part in ("_build", "node_modules") for part in parts):
            continue
        files.append(path)
    return files


def check_encodings(srcdir: Path) -> None:
    """Raise :class:`EncodingProblem` for the first source file that is not UTF-8."""
    for path in source_files(srcdir):
        read_utf8(path)


def scan_sources(
    project: Path,
    srcdir: Path,
    extensions: Iterable[str],
    allowed: Iterable[str] = (),
    cache_dir: Path | None = None,
) -> list[Finding]:
    """Our own checks of every Markdown source under ``srcdir``.

    A check that fails on one file (a bug of ours, or input nobody foresaw) becomes a
    finding naming that file; the other files are still checked and the writer never
    sees a traceback. With ``cache_dir``, a file unchanged since the last check (same
    content, same settings) gets the findings kept from then (:mod:`rapport.writer.checkcache`).
    """
    extensions = list(extensions)
    allowed = list(allowed)
    parsers: list = []
    allowed_set = {a.strip().lower() for a in allowed} | {key for a in allowed if (key := phone_key(a))}
    files = source_files(srcdir)
    if cache_dir is not None:
        for path in files:
            read_utf8(path)  # a file that is not UTF-8 stops the check, kept or not
        settings = json.dumps([sorted(extensions), sorted(allowed_set), _relative(srcdir, project)])
        return checkcache.cached_scan(
            cache_dir,
            files,
            settings,
            lambda path: scan_sources_of(project, [path], extensions, allowed_set, parsers),
            Finding.as_dict,
            lambda item: Finding(**item),
        )
    return scan_sources_of(project, files, extensions, allowed_set, parsers)


def scan_sources_of(
    project: Path, files: Iterable[Path], extensions: list[str], allowed_set: set[str], parsers: list
) -> list[Finding]:
    """The checks of :func:`scan_sources` for the given files (``parsers`` keeps the
    Markdown parser once made)."""
    if not parsers:
        parsers.append(markdown_parser(extensions))
    parser = parsers[0]
    findings: list[Finding] = []
    for path in files:
        ctx = _Context(_relative(path, project), findings)
        try:
            text = read_utf8(path)
            _scan_private_data(ctx, text, allowed_set)
            skip = _front_matter_lines(text)
            body = "\n" * skip + "\n".join(text.splitlines()[skip:])
            _scan_markdown(ctx, body, 1, True, parser)
        except EncodingProblem:
            raise  # the command's own answer: one line, exit 2
        except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the others
            ctx.add_file(
                "kontrollfel",
                f"Filen kunde inte kontrolleras färdigt: {_describe_error(exc)}; "
                "fynden ovan för filen kan vara ofullständiga, övriga filer är kontrollerade",
            )
    return findings


def _describe_error(exc: BaseException) -> str:
    """A Swedish reason for an unexpected error, without echoing the file's content."""
    if isinstance(exc, RecursionError):
        return "blocken är nästlade för djupt"
    if isinstance(exc, MemoryError):
        return "filen är för stor"
    if isinstance(exc, OSError):
        return f"filen kunde inte läsas ({exc.strerror or type(exc).__name__})"
    return f"oväntat fel ({type(exc).__name__})"


def _relative(path: Path, project: Path) -> str:
    try:
        return path.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return str(path)


# -- the Sphinx build's own warnings ----------------------------------------------------

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")
_WARNING_RE = re.compile(r"^(?:(?P<loc>.+?): )?(?P<level>WARNING|ERROR|CRITICAL): (?P<msg>.*)$")
_TYPE_SUFFIX_RE = re.compile(r" \[(?P<type>[\w-]+)(?:\.(?P<subtype>[\w.-]+))?\]$")


def parse_warnings(text: str, project: Path) -> list[Finding]:
    """Turn Sphinx's warning stream into findings (multi-line messages kept together)."""
    findings: list[Finding] = []
    current: dict[str, object] | None = None

    def flush() -> None:
        if current is None:
            return
        message = str(current["msg"]).rstrip()
        kind, subtype = "sphinx", "sphinx"
        suffix = _TYPE_SUFFIX_RE.search(message.splitlines()[0] if message else "")
        if suffix:
            first, *rest = message.splitlines()
            first = first[: suffix.start()]
            message = "\n".join([first, *rest])
            if suffix.group("type") == "rapport" and suffix.group("subtype"):
                kind, subtype = "rapport", suffix.group("subtype")
        loc = str(current["loc"] or "")
        file, line = loc, None
        match = re.match(r"^(.*?):(\d*)$", loc)
        if match:
            file, line = match.group(1), int(match.group(2)) if match.group(2) else None
        # "path/file.md:docstring of x" and similar: keep the path part only
        file = file.split(":", 1)[0] if ":" in file and not Path(file).exists() else file
        findings.append(Finding(_relative(Path(file), project) if file else "conf.py", line, kind, subtype, message))

    for raw in _ANSI_RE.sub("", text).splitlines():
        match = _WARNING_RE.match(raw)
        if match:
            flush()
            current = {"loc": match.group("loc"), "msg": match.group("msg")}
        elif current is not None and raw.strip():
            current["msg"] = f"{current['msg']}\n{raw}"
    flush()
    return findings


def sphinx_findings(
    project: Path, srcdir: Path, overrides: dict[str, object] | None = None, doctreedir: Path | None = None
) -> list[Finding]:
    """Every warning the build gives, with file and line.

    With ``doctreedir`` (the build's doctree folder), Sphinx runs the ``rapportkontroll``
    builder there: only what changed since the last build or check is read and
    resolved, and every other page's warnings are replayed from what that build or
    check kept (:mod:`rapport.writer.checkcache`). Without, every page is read and
    resolved from scratch with the ``dummy`` builder on throwaway folders."""

    console.nocolor()
    # Sphinx translates its own console messages by the system locale, which a writer's
    # machine may not have in Swedish; the site is Swedish, so its check is too

    # (the catalogues are in the sphinx.locale package's own folder)
    sphinx.locale.init([str(Path(sphinx.locale.__file__).parent)], "sv", "sphinx", "console")
    warning = io.StringIO()
    app = None
    failure: Finding | None = None
    with tempfile.TemporaryDirectory(prefix="rapport-kontroll-") as tmp:
        try:
            with patch_docutils(str(project)), docutils_namespace():
                app = Sphinx(
                    str(srcdir),
                    str(project),
                    str(Path(tmp, "out")),
                    str(doctreedir or Path(tmp, "doctrees")),
                    checkcache.BUILDER if doctreedir else "dummy",
                    confoverrides=dict(overrides or {}),
                    status=None,
                    warning=warning,
                    freshenv=doctreedir is None,
                )
                app.build(force_all=doctreedir is None)
        except Exception as exc:  # noqa: BLE001 - a finding, never a traceback
            failure = Finding(
                _failed_file(app, project),
                None,
                "kontroll",
                "kontrollfel",
                f"Bygget avbröts i den här filen: {_describe_error(exc)}; byggets varningar kan vara "
                "ofullständiga, de egna kontrollerna av alla filer är gjorda",
            )
    kept = checkcache.warnings_text(app) if app is not None and doctreedir and failure is None else ""
    findings = parse_warnings(kept or warning.getvalue(), project)
    return [*findings, failure] if failure else findings


def _failed_file(app: object, project: Path) -> str:
    """The page Sphinx was reading when it failed, or conf.py if it never got that far."""
    env = getattr(app, "env", None)
    try:
        docname = env.docname if env is not None else ""
        return _relative(Path(env.doc2path(docname)), project) if env is not None and docname else "conf.py"
    except Exception:  # noqa: BLE001 - naming the file is best effort
        return "conf.py"


def run(project: Path, srcdir: Path, extensions: Iterable[str], allowed: Iterable[str] = ()) -> list[Finding]:
    """Everything ``rapport kontroll`` reports, sorted by file and line, without duplicates."""
    check_encodings(srcdir)
    # the doctree folder of rapport bygg (rapport.writer.build): what the last build or
    # check read and found is reused; a folder that cannot be written means a full check
    doctreedir: Path | None = project / "_build" / "doctrees"
    try:
        (project / "_build" / "doctrees").mkdir(parents=True, exist_ok=True)
    except OSError:
        doctreedir = None
    built = sphinx_findings(project, srcdir, doctreedir=doctreedir)
    # where the build already warns about the same thing on the same line, its
    # warning is the one listed (raw HTML is a build warning of rapport.trust.safety too)
    covered = {(f.file, f.line, _SAME_AS.get(f.subtype)) for f in built if f.subtype in _SAME_AS}
    scanned = scan_sources(project, srcdir, extensions, allowed, cache_dir=doctreedir)
    own = [f for f in scanned if (f.file, f.line, f.subtype) not in covered]
    return sorted(set(own) | set(built), key=lambda f: (f.file, f.line or 0, f.subtype, f.message))


#: build warning subtype -> the check of ours that it makes redundant on the same line
_SAME_AS = {"raw-html": "html"}
