"""``rapport kontroll``: check the whole site, or one report, without writing HTML.

Runs outside the Sphinx build, in the ``rapport`` command. Two sources of findings:

* the Sphinx build itself, run in-process with the ``rapportkontroll`` builder (it
  reads and resolves what changed but writes nothing), so every warning the real build
  would give is listed;
* our own scans of the Markdown sources (:mod:`rapport.writer.sourcescan`, personal
  data by :mod:`rapport.trust.privatedata`): placeholder links, Swedish personal
  identity numbers, private phone numbers and e-mail addresses, raw HTML and dates
  outside house style.

Placeholders acknowledged in ``kontroll-kvitterade.toml`` (:mod:`rapport.writer.kvittering`)
come back flagged ``acknowledged=True``: the command does not repeat them, the send and
publish gate still sees them. :func:`check_report` checks one report and everything it
shows (:mod:`rapport.writer.reportscope`) from the sources alone; it is the gate's check.

What is counted: one finding per build warning (file, line, message) and per finding of
our own that the build does not already give on the same line (raw HTML, a
``[BEKRÄFTA]`` left), acknowledged ones not counted. ``rapport bygg`` reports the same
number by calling :func:`run` after its build (:func:`counted`).

A check that fails on one file, or a build that stops, is a ``kontrollfel`` finding
naming the file: the other files are still checked and no traceback is shown.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import sphinx.locale
from sphinx.application import Sphinx
from sphinx.util import console
from sphinx.util.docutils import docutils_namespace, patch_docutils

from rapport import frontmatter
from rapport.reports import DRAFT_KEYS
from rapport.trust.privatedata import IdentityNumber, find_identity_numbers, find_phone_numbers, phone_key
from rapport.writer import checkcache, kvittering, reportscope
from rapport.writer.reportscope import ReportNotFound, find_report
from rapport.writer.sourcescan import (
    DRAFT,
    IDENTITY,
    MARKER_LEFT,
    MAX_DEPTH,
    PHONE,
    PLACEHOLDER,
    EncodingProblem,
    Finding,
    file_error,
    markdown_parser,
    read_utf8,
    scan_text,
)

__all__ = [
    "CHECKS",
    "DRAFT",
    "IDENTITY",
    "MARKER_LEFT",
    "MAX_DEPTH",
    "PHONE",
    "PLACEHOLDER",
    "EncodingProblem",
    "Finding",
    "IdentityNumber",
    "ReportNotFound",
    "check_encodings",
    "check_report",
    "find_identity_numbers",
    "find_phone_numbers",
    "find_report",
    "phone_key",
    "read_utf8",
    "run",
    "run_report",
    "scan_sources",
]

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
    "utkast": (
        "Rapporten är ett utkast (utkast: true i front matter). Bara rapport kontroll RAPPORT och "
        "kontrollen före utskick och publicering räknar det som fynd: ett utkast skickas aldrig.",
        "Ta bort raden utkast: true när rapporten är klar och godkänd för utskick.",
    ),
    "kvittens": (
        "En kvittens i kontroll-kvitterade.toml går inte att läsa, eller gäller ingen platshållarlänk längre.",
        "Rätta blocket som meddelandet nämner; när länkens adress är ifylld i texten tar du bort blocket.",
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
        # the version tag: findings kept by an older check lack what acknowledgements need
        settings = json.dumps([2, sorted(extensions), sorted(allowed_set), _relative(srcdir, project)])
        return checkcache.cached_scan(
            cache_dir,
            files,
            settings,
            lambda path: scan_sources_of(project, [path], extensions, allowed_set, parsers),
            Finding.to_cache,
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
        file = _relative(path, project)
        try:
            scan_text(file, read_utf8(path), parser, allowed_set, findings)
        except EncodingProblem:
            raise  # the command's own answer: one line, exit 2
        except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the others
            file_error(
                file,
                findings,
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


def _doctreedir(project: Path) -> Path | None:
    """The doctree folder of rapport bygg (rapport.writer.build): what the last build or
    check read and found is reused; a folder that cannot be written means a full check."""
    doctreedir = project / "_build" / "doctrees"
    try:
        doctreedir.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return doctreedir


def _merge(built: list[Finding], own: Iterable[Finding]) -> list[Finding]:
    """Build warnings and our findings, sorted, once each: where the build already warns
    about the same thing on the same line, its warning is the one listed."""
    covered = {(f.file, f.line, _SAME_AS[f.subtype]) for f in built if f.subtype in _SAME_AS}
    kept = [f for f in own if (f.file, f.line, f.subtype) not in covered]
    return sorted(set(kept) | set(built), key=lambda f: (f.file, f.line or 0, f.subtype, f.message))


def run(project: Path, srcdir: Path, extensions: Iterable[str], allowed: Iterable[str] = ()) -> list[Finding]:
    """Everything ``rapport kontroll`` reports, sorted by file and line, without duplicates.

    Acknowledged placeholders (:mod:`rapport.writer.kvittering`) are in the list with
    ``acknowledged=True``; the command leaves them out unless asked. A wrong or stale
    acknowledgement is a finding of its own."""
    check_encodings(srcdir)
    doctreedir = _doctreedir(project)
    built = sphinx_findings(project, srcdir, doctreedir=doctreedir)
    scanned = scan_sources(project, srcdir, extensions, allowed, cache_dir=doctreedir)
    acknowledgements, problems = kvittering.load(project)
    stale = kvittering.unused(scanned, acknowledgements)
    return kvittering.apply(_merge(built, [*scanned, *problems, *stale]), acknowledgements)


def check_report(
    project_root: Path, srcdir: Path, report: Path, extensions: Iterable[str], allowed: Iterable[str] = ()
) -> list[Finding]:
    """The source checks of one report and everything it shows (:mod:`rapport.writer.reportscope`):
    the report's file, the standing sections it shows, the blocks of the decisions and FAQ
    entries it cites. Besides every check of :func:`scan_sources`, a ``[BEKRÄFTA]`` left
    (:data:`MARKER_LEFT`) and a draft (:data:`DRAFT`) are findings here.

    No Sphinx build runs: this is what the send and publish gate calls, and its answer
    depends on the sources only. Acknowledged placeholders come back with
    ``acknowledged=True``. Raises :class:`EncodingProblem` for a file that is not UTF-8."""
    report = report if report.is_absolute() else (project_root / report)
    text = read_utf8(report)
    allowed = list(allowed)
    allowed_set = {a.strip().lower() for a in allowed} | {key for a in allowed if (key := phone_key(a))}
    parser = markdown_parser(list(extensions))
    findings: list[Finding] = []
    fm = frontmatter.read(text, str(report))
    draft, line = frontmatter.lookup(fm, *DRAFT_KEYS)
    if frontmatter.as_bool(draft):
        findings.append(
            Finding(
                _relative(report, project_root),
                line,
                "kontroll",
                DRAFT,
                "Rapporten är ett utkast (utkast: true); ta bort raden när rapporten är klar",
            )
        )
    for part in reportscope.parts(project_root, srcdir, report, text, source_files(srcdir)):
        file = _relative(part.path, project_root)
        found: list[Finding] = []
        try:
            scan_text(file, read_utf8(part.path), parser, allowed_set, found, markers=True)
        except EncodingProblem:
            raise
        except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the others
            file_error(file, found, f"Filen kunde inte kontrolleras färdigt: {_describe_error(exc)}")
        if part.lines is not None:
            first, last = part.lines
            found = [f for f in found if f.line is not None and first <= f.line <= last]
        findings.extend(f for f in found if f not in findings)
    acknowledgements, _ = kvittering.load(project_root)
    return kvittering.apply(sorted(findings, key=lambda f: (f.file, f.line or 0, f.subtype)), acknowledgements)


def run_report(
    project: Path, srcdir: Path, report: Path, extensions: Iterable[str], allowed: Iterable[str] = ()
) -> list[Finding]:
    """``rapport kontroll RAPPORT``: :func:`check_report`, and the build's warnings about
    the same files and lines."""
    check_encodings(srcdir)
    own = check_report(project, srcdir, report, extensions, allowed)
    text = read_utf8(report)
    scope = reportscope.parts(project, srcdir, report, text, source_files(srcdir))
    built = [
        f
        for f in sphinx_findings(project, srcdir, doctreedir=_doctreedir(project))
        if any(_in_part(f, part, project) for part in scope)
    ]
    return _merge(built, own)


def _in_part(finding: Finding, part: reportscope.Part, project: Path) -> bool:
    if finding.file != _relative(part.path, project):
        return False
    if part.lines is None:
        return True
    return finding.line is not None and part.lines[0] <= finding.line <= part.lines[1]


#: build warning subtype -> the check of ours that it makes redundant on the same line
_SAME_AS = {"raw-html": "html", MARKER_LEFT: MARKER_LEFT}


def counted(findings: Iterable[Finding]) -> list[Finding]:
    """The findings ``rapport kontroll`` and ``rapport bygg`` count: all but the acknowledged."""
    return [f for f in findings if not f.acknowledged]


def after_build(
    project: Path, srcdir: Path, extensions: Iterable[str], allowed: Iterable[str], build_output: Iterable[str]
) -> tuple[int, int]:
    """``rapport bygg``'s count: (findings, warnings about the build itself).

    The findings are :func:`run`'s, counted as ``rapport kontroll`` counts them; it runs on
    the doctrees the build has just written, so nothing is read again, and every page's
    warnings count, not only those of the pages an incremental build read. The second
    number is the warnings the build printed that ``rapport kontroll`` does not list (they
    are about the build, not the sources: the base address, a PDF image), each once."""
    found = counted(run(project, srcdir, extensions, allowed))
    listed = {(f.file, f.line, f.message) for f in found}
    printed = {(f.file, f.line, f.message) for f in parse_warnings("\n".join(build_output), project)}
    return len(found), len(printed - listed)
