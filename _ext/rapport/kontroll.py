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
everywhere (code blocks and front matter are published too).
"""

from __future__ import annotations

import calendar
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

#: id -> (what the finding means, how to fix it). The writer's guide renders this
#: next to :data:`rapport.messages.SUBTYPES`.
CHECKS: dict[str, tuple[str, str]] = {
    "platshallare": (
        "En länk saknar adress: [text](#) eller [text](). Läsaren får bara texten.",
        "Skriv in länkens adress mellan parenteserna, eller ta bort hakparenteserna om texten inte ska vara en länk.",
    ),
    "personnummer": (
        "Texten innehåller något som är ett giltigt personnummer eller samordningsnummer (kontrollsiffran stämmer).",
        "Ta bort numret. Personnummer får aldrig publiceras i rapporten.",
    ),
    "telefon": (
        "Texten innehåller ett mobilnummer (07x). Privata nummer ska inte publiceras.",
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

# YYMMDD or YYYYMMDD, an optional - or + (100 years or older), then four digits. The
# negative look-arounds keep longer digit runs (order numbers, phone numbers in the
# international form) from matching in their middle.
_PNR_RE = re.compile(r"(?<![\d+-])((?:18|19|20)?\d{6})([-+]?)(\d{4})(?!\d)")


def luhn_ok(digits: str) -> bool:
    """The Luhn check of the last ten digits, as Skatteverket computes it."""
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _date_ok(year: int | None, month: int, day: int) -> bool:
    if day > 60:  # samordningsnummer: the day of birth plus 60
        day -= 60
    if not 1 <= month <= 12 or day < 1:
        return False
    if year is None:  # century unknown: accept 29 February if any century allows it
        return day <= (29 if month == 2 else calendar.monthrange(2001, month)[1])
    return day <= calendar.monthrange(year, month)[1]


def find_identity_numbers(text: str) -> Iterator[tuple[int, str, bool]]:
    """Offsets of valid personnummer/samordningsnummer: (offset, masked, coordination)."""
    for match in _PNR_RE.finditer(text):
        head, _sep, tail = match.groups()
        year = int(head[:4]) if len(head) == 8 else None
        short = head[-6:]
        month, day = int(short[2:4]), int(short[4:6])
        if not _date_ok(year, month, day) or not luhn_ok(short + tail):
            continue
        # the output names the date part only: a check must not spread the number further
        yield match.start(), f"{head}{_sep}****", day > 60


# -- phone numbers and e-mail addresses -------------------------------------------------

_MOBILE_RE = re.compile(
    r"(?<![\d+])(?:(?:\+46|0046)[\s-]?(?:\(0\)\s?)?|0)7[02369](?:[\s-]?\d){7}(?!\d)"
)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# RFC 2606 example domains can never be somebody's private address
_EXAMPLE_DOMAIN_RE = re.compile(r"@(?:[\w-]+\.)*example\.[a-z]+$", re.IGNORECASE)


def _digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if digits.startswith("46"):
        digits = "0" + digits[2:]
    elif digits.startswith("0046"):
        digits = "0" + digits[4:]
    return digits


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
            ctx.add(line_of(match.start()), "html", "HTML-kommentar i texten; skriv kommentarer med % först på raden i stället")
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


def _scan_markdown(ctx: _Context, text: str, first_line: int, dates: bool, parser) -> None:  # noqa: ANN001
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
            _scan_markdown(ctx, body, start + 1 + skip, inner_dates, parser)


def _scan_private_data(ctx: _Context, text: str, allowed: set[str]) -> None:
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        spans: list[tuple[int, int]] = []
        for offset, masked, coordination in find_identity_numbers(line):
            kind = "samordningsnummer" if coordination else "personnummer"
            ctx.add(number, "personnummer", f"Troligt {kind} ({masked}); personnummer får inte publiceras")
            spans.append((offset, offset + 13))
        for match in _MOBILE_RE.finditer(line):
            if any(a <= match.start() < b for a, b in spans):
                continue  # already reported as an identity number
            if _digits(match.group(0)) in allowed:
                continue
            ctx.add(
                number,
                "telefon",
                f"Mobilnummer ”{match.group(0).strip()}” i texten; privata telefonnummer ska inte publiceras",
            )
        for match in _EMAIL_RE.finditer(line):
            address = match.group(0).rstrip(".")
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
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig

    from myst_parser.parsers.mdit import create_md_parser

    known = {"colon_fence", "deflist", "fieldlist", "smartquotes", "dollarmath", "amsmath", "tasklist",
             "substitution", "html_image", "html_admonition", "linkify", "replacements", "strikethrough",
             "attrs_inline", "attrs_block"}
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
    project: Path, srcdir: Path, extensions: Iterable[str], allowed: Iterable[str] = ()
) -> list[Finding]:
    """Our own checks of every Markdown source under ``srcdir``."""
    parser = markdown_parser(extensions)
    allowed_set = {a.strip().lower() for a in allowed} | {_digits(a) for a in allowed if re.search(r"\d{6}", a)}
    findings: list[Finding] = []
    for path in source_files(srcdir):
        text = read_utf8(path)
        ctx = _Context(_relative(path, project), findings)
        _scan_private_data(ctx, text, allowed_set)
        skip = _front_matter_lines(text)
        body = "\n" * skip + "\n".join(text.splitlines()[skip:])
        _scan_markdown(ctx, body, 1, True, parser)
    return findings


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


def sphinx_findings(project: Path, srcdir: Path, overrides: dict[str, object] | None = None) -> list[Finding]:
    """Read and resolve every page with the ``dummy`` builder; collect the warnings."""
    from sphinx.application import Sphinx
    from sphinx.util import console
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    console.nocolor()
    # Sphinx translates its own console messages by the system locale, which a writer's
    # machine may not have in Swedish; the site is Swedish, so its check is too
    import sphinx.locale

    sphinx.locale.init([sphinx.locale._LOCALE_DIR], "sv", "sphinx", "console")
    warning = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="rapport-kontroll-") as tmp:
        with patch_docutils(str(project)), docutils_namespace():
            app = Sphinx(
                str(srcdir),
                str(project),
                str(Path(tmp, "out")),
                str(Path(tmp, "doctrees")),
                "dummy",
                confoverrides=dict(overrides or {}),
                status=None,
                warning=warning,
                freshenv=True,
            )
            app.build(force_all=True)
    return parse_warnings(warning.getvalue(), project)


def run(
    project: Path, srcdir: Path, extensions: Iterable[str], allowed: Iterable[str] = ()
) -> list[Finding]:
    """Everything ``rapport kontroll`` reports, sorted by file and line, without duplicates."""
    check_encodings(srcdir)
    built = sphinx_findings(project, srcdir)
    # where the build already warns about the same thing on the same line, its
    # warning is the one listed (raw HTML is a build warning of rapport.trust too)
    covered = {(f.file, f.line, _SAME_AS.get(f.subtype)) for f in built if f.subtype in _SAME_AS}
    own = [f for f in scan_sources(project, srcdir, extensions, allowed) if (f.file, f.line, f.subtype) not in covered]
    return sorted(set(own) | set(built), key=lambda f: (f.file, f.line or 0, f.subtype, f.message))


#: build warning subtype -> the check of ours that it makes redundant on the same line
_SAME_AS = {"raw-html": "html"}
