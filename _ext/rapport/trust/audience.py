"""Audiences: content marked internal is left out of the public build altogether.

``rapport_audience = "internt"`` (the default, ``make site``) builds the intranet site:
internal content is shown with a visible label "Internt". ``rapport_audience = "publik"``
(``make site-publik``) builds the public site, in which internal content appears
nowhere: not in the HTML, the search index, the JSON export, the feed, the sitemap or
the PDFs. That is only dependable if internal content never enters the build at all,
so it is dropped as early as possible:

``config-inited``
    the source tree is scanned for pages whose front matter says ``internt: true``;
    in the public build they are added to ``exclude_patterns``, so Sphinx never reads
    them: they are not in ``found_docs``, no toctree, archive, register, feed or
    sitemap can list them and no builder writes them. Changing the flag changes
    ``exclude_patterns``, which makes Sphinx re-read everything (a config change), so
    incremental builds stay consistent.
parsing
    ``:::{internt}`` returns no nodes in the public build and does not even parse its
    content, so decisions, FAQ entries and actions inside it are never registered.
    In the internal build it renders its content in a labelled box.
``doctree-read``
    a whole internal page gets the label under its title (internal build).
``build-finished``
    the public build removes output files a former public version of an internal page
    left behind, and every build removes the output of deleted sources (Sphinx does not
    delete the output of documents that disappeared), before the search index is built
    from the output folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from sphinx.project import Project
from sphinx.util.docutils import SphinxDirective

from rapport import events, frontmatter, registry
from rapport.config import PUBLIC_PDF_DIR as _PUBLIC_PDF_DIR
from rapport.config import is_report, settings
from rapport.dates import DateError, parse_datetime
from rapport.messages import warn
from rapport.trust.sourceguard import CONTROL_RE, is_internal_key

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

INTERNAL = "internt"
PUBLIC = "publik"
AUDIENCES = (INTERNAL, PUBLIC)
#: the front matter key marking a whole page as internal
PAGE_KEYS = ("internt",)
LABEL = "Internt"
CLASS = "rapport-internt"
LABEL_CLASS = "rapport-internt-etikett"
#: where the public PDFs go unless rapport_pdf_dir is set: never the internal PDFs' folder
PUBLIC_PDF_DIR = _PUBLIC_PDF_DIR
_FENCE_RE = re.compile(r"^\s*(:{3,})\s*(\{[^}]*\})?")


def is_public(config: Config) -> bool:
    return settings(config).values.audience == PUBLIC


def label_node() -> nodes.paragraph:
    para = nodes.paragraph("", "", classes=[LABEL_CLASS])
    para += nodes.strong(LABEL, LABEL)
    return para


class InternalDirective(SphinxDirective):
    """``internt``: content for the intranet only."""

    has_content = True
    required_arguments = 0
    optional_arguments = 0
    option_spec: ClassVar[dict] = {}

    def run(self) -> list[nodes.Node]:
        self._check_fences()
        if is_public(self.config):
            # not parsed at all: nothing inside reaches a registry, an index or a builder
            return []
        depth: int = self.env.temp_data.get("rapport_internt_depth") or 0
        if depth == 0:
            self.env.temp_data["rapport_internt_outer"] = self.lineno
        if depth >= MAX_NESTING:
            if not self.env.temp_data.get("rapport_nesting_warned"):
                self.env.temp_data["rapport_nesting_warned"] = True
                warn(
                    "nesting-deep",
                    f"Blocket internt är nästlat i mer än {MAX_NESTING} nivåer; det och allt inuti det visas inte",
                    (self.env.docname, self._nested_line(depth)),
                )
            return []
        self.env.temp_data["rapport_internt_depth"] = depth + 1
        try:
            children = self.parse_content_to_nodes(allow_section_headings=True)
        finally:
            self.env.temp_data["rapport_internt_depth"] = depth
        if any(isinstance(child, nodes.section) for child in children):
            # whole report sections (avsnitt) stay sections, so the report's section checks
            # and the table of contents still find them; each carries the label
            result: list[nodes.Node] = []
            loose = nodes.container(classes=[CLASS])
            for child in children:
                if isinstance(child, nodes.section):
                    if len(loose):
                        result.append(self._boxed(list(loose.children)))
                        loose = nodes.container(classes=[CLASS])
                    child["classes"].append(CLASS)
                    at = 1 if len(child) and isinstance(child[0], nodes.title) else 0
                    child.insert(at, label_node())
                    result.append(child)
                else:
                    loose += child
            if len(loose):
                result.append(self._boxed(list(loose.children)))
            return result
        return [self._boxed(children)]

    def _nested_line(self, depth: int) -> int:
        """Source line of the block ``depth`` levels inside the outermost one.

        MyST's line numbers drift inside nested colon fences, so the line is found in the
        source: the ``depth``-th ``{internt}`` opening after the outermost block's line.
        """
        outer: int = self.env.temp_data.get("rapport_internt_outer") or self.lineno
        try:
            lines = self.env.doc2path(self.env.docname).read_text(encoding="utf-8-sig", errors="replace").split("\n")
        except OSError:
            return self.lineno
        seen = 0
        for number in range(outer, len(lines) + 1):
            if "{internt}" in lines[number - 1]:
                if seen == depth:
                    return number
                seen += 1
        return self.lineno

    def _check_fences(self) -> None:
        """Warn when the block was closed by the closing fence of a directive inside it.

        Colon fences do not nest by themselves: in ``:::{internt}`` the ``:::`` that closes
        an inner ``:::{beslut}`` closes the internal block too, and everything after it
        would be public. The content then ends inside an unclosed inner directive.
        """
        open_fences: list[int] = []
        opened_at = 0
        for offset, line in enumerate(self.content):
            match = _FENCE_RE.match(line)
            if not match:
                continue
            if match.group(2):
                if not open_fences:
                    opened_at = offset
                open_fences.append(len(match.group(1)))
            elif open_fences and len(match.group(1)) >= open_fences[-1]:
                open_fences.pop()
        if open_fences:
            # the block has no options: its content starts on the line after the opening fence
            line = self.lineno + 1 + opened_at
            warn(
                "internal-fence",
                "Blocket internt avslutas för tidigt: det inre direktivet avslutas med samma antal "
                "kolon som internt, så texten efter det blir inte intern. Skriv internt med fler "
                "kolon än direktiven inuti, till exempel ::::{internt} … ::::",
                (self.env.docname, line),
            )

    def _boxed(self, children: list[nodes.Node]) -> nodes.container:
        box = nodes.container(classes=[CLASS])
        self.set_source_info(box)
        box += label_node()
        box.extend(children)
        return box


# -- whole internal pages ------------------------------------------------------------------


def _glob_escape(path: str) -> str:
    # Sphinx's exclude patterns treat *, ? and [ specially
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in path)


_TRUE = ("true", "ja", "yes", "1", "on")
_FALSE = ("false", "nej", "no", "0", "off")
#: how far into a page with unreadable front matter a mention of "intern" fails closed
_MENTION_LINES = 40
#: nesting of internt blocks (and directives inside them); deeper is a warning, not
#: docutils' "Recursion error!"
MAX_NESTING = 12


@dataclass(frozen=True)
class Mark:
    """Whether a source is internal, read the way Sphinx and MyST will read it."""

    internal: bool
    line: int = 1
    reason: str | None = None  # Swedish: why an ambiguous mark fails closed (warned)
    refused: bool = False  # front matter over a limit; the source guard warns while reading


def _value_mark(key: str, value: str | None, line: int) -> Mark:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return Mark(True, line)
    if text in _FALSE:
        return Mark(False, line)
    shown = (value or "")[:40]
    return Mark(True, line, f"värdet ”{shown}” för {key} är varken true eller false")


def _field_list_mark(lines: list[str], first: int) -> Mark | None:
    """A ``:internt: true`` field list at the top of a Markdown page (instead of YAML)."""
    index = first
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines):
        match = frontmatter._FIELD_RE.match(lines[index].rstrip("\r"))
        if not match:
            return None
        key = match.group(1).strip()
        if key.lower() == PAGE_KEYS[0] or is_internal_key(key):
            return Mark(True, index + 1, f"”:{key}:” som fältlista räknas inte; skriv internt: true i front matter")
        index += 1
    return None


def classify(text: str, source_path: str) -> Mark:
    """One definition of "internal" for pages, included files and standing snippets.

    The whole text is read (no prefix), with the front matter block found as MyST finds
    it. Anything ambiguous fails closed, with a reason to warn about: a key in another
    case or misspelt, a value that is not a boolean, a field list instead of YAML,
    front matter that cannot be read but mentions "intern", front matter over a limit.
    """
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        return Mark(False)  # the source guard refuses the file: nothing of it is built
    text = CONTROL_RE.sub(" ", text)
    lines = text.split("\n")
    if source_path.endswith(".rst"):
        fm = frontmatter.read_rst(text)
        for key, line in fm.lines.items():
            if key == PAGE_KEYS[0]:
                return _value_mark(key, fm.values.get(key), line)
            if key.lower() == PAGE_KEYS[0] or is_internal_key(key):
                return Mark(True, line, f"fältet ”{key}” tolkas som internt")
        return Mark(False)
    end = frontmatter.find_block(lines)
    if end is None and lines[0].startswith("---"):
        # never closed: MyST reads no front matter and shows the lines as text
        head = "\n".join(lines[:_MENTION_LINES])
        if re.search(r"intern", head, re.IGNORECASE):
            return Mark(True, 1, "front matter avslutas aldrig med --- och nämner internt")
    if end is not None:
        fm = frontmatter.read_markdown(text)
        if fm.refused:
            return Mark(True, fm.error_line, f"front matter används inte ({fm.error})", refused=True)
        if fm.error:
            head = "\n".join(lines[: max(end + 1, _MENTION_LINES)])
            if re.search(r"intern", head, re.IGNORECASE):
                return Mark(True, fm.error_line, "front matter kan inte läsas och nämner internt")
        else:
            for key, line in sorted(fm.lines.items(), key=lambda item: item[1]):
                if key == PAGE_KEYS[0]:
                    mark = _value_mark(key, fm.values.get(key), line)
                    if mark.internal or mark.reason:
                        return mark
                elif is_internal_key(key):
                    return Mark(True, line, f"nyckeln ”{key}” tolkas som internt")
    return _field_list_mark(lines, (end + 1) if end is not None else 0) or Mark(False)


MARKS_FILE = "rapport-internt.json"


@dataclass
class Marks:
    """One application's marks: classify() is a pure function of a file's text and kind,
    so they are kept by content digest, in memory and in MARKS_FILE beside the doctrees
    (reading every page's front matter took 1.3 s of every build at 520 reports)."""

    known: dict[str, Mark] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # looked up since loaded: what is saved

    def load(self, doctreedir: str | os.PathLike[str]) -> None:
        self.used.clear()
        try:
            kept = json.loads((Path(doctreedir) / MARKS_FILE).read_text(encoding="utf-8"))
            self.known.update({key: Mark(**fields) for key, fields in kept.items() if key not in self.known})
        except (OSError, ValueError, TypeError, AttributeError):
            pass  # nothing kept, or from another version: every page is read

    def save(self, doctreedir: str | os.PathLike[str]) -> None:
        try:
            Path(doctreedir).mkdir(parents=True, exist_ok=True)
            data = {key: asdict(self.known[key]) for key in sorted(self.used) if key in self.known}
            (Path(doctreedir) / MARKS_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        except OSError:
            pass


def marks_of(app: Sphinx) -> Marks:
    return registry.app_state(app, __name__, Marks)


def read_mark(path: str | os.PathLike[str], marks: Marks | None = None) -> Mark:
    """A file's mark; kept in an application's ``marks``, without them read afresh."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return Mark(False)
    key = hashlib.sha256(data).hexdigest() + ("-rst" if str(path).endswith(".rst") else "")
    known = marks or Marks()
    known.used.add(key)
    if key not in known.known:
        # utf-8-sig like Sphinx: a byte order mark must not hide "internt: true"; line
        # ends as a text-mode read gives them
        text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        known.known[key] = classify(text, str(path))
    return known.known[key]


def is_internal_file(path: str | os.PathLike[str], marks: Marks | None = None) -> bool:
    """Whether a file (a page, an included file, a standing snippet) is internal."""
    return read_mark(path, marks).internal


def _unpublished(config: Config, docname: str, path: Path) -> bool:
    """A draft or a report dated after today: never written to the public output."""
    if not is_report(config, docname):
        return False
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return False
    fm = frontmatter.read(CONTROL_RE.sub(" ", text), str(path))
    if frontmatter.as_bool(frontmatter.lookup(fm, "utkast")[0]):
        return True
    raw, _ = frontmatter.lookup(fm, "sammanstallt", "sammanställt")
    if raw is None:
        return False
    try:
        compiled = parse_datetime(raw)[0].date()
    except DateError:
        return False
    value = settings(config).values.today if config is not None else ""
    today = dt.date.fromisoformat(value) if value else dt.date.today()
    return compiled > today


def internal_pages(
    srcdir: str | os.PathLike[str], suffixes: list[str], config: Config | None = None, marks: Marks | None = None
) -> list[str]:
    """Source paths (relative, with ``/``) of internal pages, among the files Sphinx reads.

    Sphinx's own discovery (:class:`sphinx.project.Project`) with the project's
    ``exclude_patterns``/``include_patterns`` decides which files those are, so folders
    starting with a dot, symlinked folders and the like are treated exactly as Sphinx
    treats them.
    """

    project = Project(Path(srcdir), dict.fromkeys(suffixes, "restructuredtext"))
    exclude = list(getattr(config, "exclude_patterns", ())) if config is not None else []
    include = list(getattr(config, "include_patterns", ("**",))) if config is not None else ["**"]
    found = []
    for docname in sorted(project.discover(exclude, include)):
        path = Path(project.doc2path(docname, absolute=True))
        mark = read_mark(path, marks)
        if mark.reason is not None and config is not None:
            _note_reason(config, str(path), mark)
        if mark.internal:
            found.append(path.relative_to(srcdir).as_posix())
    return found


def _note_reason(config: Config, path: str, mark: Mark) -> None:
    reasons: dict[str, Mark] | None = getattr(config, "_rapport_internal_reasons", None)
    if reasons is None:
        reasons = config._rapport_internal_reasons = {}
    reasons[path] = mark


def _warn_reasons(config: Config) -> None:
    # config-inited: there is no environment yet to turn a docname into a file name
    for path, mark in sorted(getattr(config, "_rapport_internal_reasons", {}).items()):
        if mark.refused and not is_public(config):
            continue  # the page is read, and the source guard warns about the block
        warn(
            "internal-mark",
            f"Sidan behandlas som intern: {mark.reason}"
            + ("" if "skriv" in mark.reason else ". Skriv internt: true eller internt: false"),
            f"{path}:{mark.line}",
        )


def _on_config_inited(app: Sphinx, config: Config) -> None:

    # rapport.config checked and normalised it (a misspelt audience stops the build there)
    audience = settings(config).values.audience
    # MyST registers ".md" after config-inited, so the usual suffixes are always looked at
    suffixes = sorted({".md", ".rst", *config.source_suffix, *app.registry.source_suffix})
    config._rapport_internal_reasons = {}
    marks = marks_of(app)
    marks.load(app.doctreedir)
    pages = internal_pages(app.srcdir, suffixes, config, marks)
    marks.save(app.doctreedir)
    _warn_reasons(config)
    if audience == PUBLIC:
        # drafts and future reports are for the preview and the intranet only

        project = Project(Path(app.srcdir), dict.fromkeys(suffixes, "restructuredtext"))
        for docname in sorted(project.discover(config.exclude_patterns, config.include_patterns)):
            path = Path(project.doc2path(docname, absolute=True))
            relative = path.relative_to(app.srcdir).as_posix()
            if relative not in pages and _unpublished(config, docname, path):
                pages.append(relative)
    config._rapport_internal_pages = pages
    if audience == PUBLIC:
        # every suffix: Sphinx checks a toctree entry of a missing page against the
        # patterns with the default suffix, and must see it as excluded, not missing
        config.exclude_patterns = [
            *config.exclude_patterns,
            *(_glob_escape(_docname(p) + suffix) for p in pages for suffix in suffixes),
        ]
        # the HTML builder would copy each page's source, internal blocks included
        config.html_copy_source = False
        # a toctree that lists an internal page is expected, not a writer's mistake
        if "toc.excluded" not in config.suppress_warnings:
            config.suppress_warnings = [*config.suppress_warnings, "toc.excluded"]


def _on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Internal build: a whole internal page shows the label under its title."""
    if is_public(app.config):
        return
    internal = {_docname(p) for p in getattr(app.config, "_rapport_internal_pages", ())}
    if app.env.docname not in internal:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        doctree.insert(0, label_node())
        return
    at = 1 if len(section) and isinstance(section[0], nodes.title) else 0
    section.insert(at, label_node())
    section["classes"].append(CLASS)


def _include_line(app: Sphinx, relative_path: Path) -> int:
    """Line of the include directive naming ``relative_path`` in the page being read."""
    try:
        text = app.env.doc2path(app.env.docname).read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return 1
    name = Path(relative_path).name
    for number, line in enumerate(text.split("\n"), start=1):
        if "include" in line and name in line:
            return number
    return 1


def _on_include_read(app: Sphinx, relative_path: Path, parent_docname: str, content: list[str]) -> None:
    """An included file that is internal makes what it brings in internal."""
    path = Path(app.srcdir, relative_path)
    mark = read_mark(path, marks_of(app))
    if not mark.internal:
        return
    line = _include_line(app, relative_path)
    if is_public(app.config):
        content[0] = ""
        warn(
            "internal-include",
            f"Filen {Path(relative_path).as_posix()} är intern och tas inte med på den publika webbplatsen",
            (app.env.docname, line),
        )
        return
    if mark.reason is not None:
        warn("internal-mark", f"Filen behandlas som intern: {mark.reason}", f"{path}:{mark.line}")
    if path.suffix == ".md":
        # a fence longer than any a writer uses, so the included directives nest inside it;
        # the file's own front matter is not wanted inside the block
        lines = content[0].split("\n")
        end = frontmatter.find_block(lines)
        if end is not None:
            for index in range(end + 1):
                lines[index] = ""
        fence = ":" * 12
        content[0] = f"{fence}{{internt}}\n" + "\n".join(lines) + f"\n{fence}\n"
    else:
        body = "\n".join("   " + line if line.strip() else "" for line in content[0].split("\n"))
        content[0] = ".. internt::\n\n" + body + "\n"


def _on_doctree_read_public(app: Sphinx, doctree: nodes.document) -> None:
    """Public build: a literalinclude of an internal file shows a placeholder, not its text."""
    if not is_public(app.config):
        return
    own = str(app.env.doc2path(app.env.docname))
    for block in list(doctree.findall(nodes.literal_block)):
        source = block.get("source")
        if not source or source == own or not Path(source).is_file() or not is_internal_file(source, marks_of(app)):
            continue
        shown = Path(source).resolve()
        try:
            shown = shown.relative_to(Path(app.srcdir).resolve())
        except ValueError:
            pass
        warn(
            "internal-include",
            f"Filen {shown.as_posix()} är intern och tas inte med på den publika webbplatsen",
            (app.env.docname, block.line or 1),
        )
        block.replace_self(nodes.paragraph("", "(internt innehåll visas inte här)"))


def _docname(path: str) -> str:
    return path.rsplit(".", 1)[0]


def _remove_stale_outputs(app: Sphinx, exception: Exception | None) -> None:
    """Public build: delete what an earlier build wrote for a page that is now internal."""
    if exception is not None or not is_public(app.config):
        return
    out = Path(app.outdir)
    for path in getattr(app.config, "_rapport_internal_pages", []):
        docname = _docname(path)
        candidates = [out / f"{docname}.pdf", out / "pdf" / f"{docname}.pdf"]
        try:
            candidates.append(out / app.builder.get_target_uri(docname))
        except Exception:  # noqa: BLE001 - builders without target URIs
            pass
        candidates.append(out / ".cache" / (docname.replace("/", "__") + ".json"))
        for candidate in candidates:
            if candidate.is_file():
                candidate.unlink()


PAGES_FILE = ".rapport-sidor"


def _remove_vanished_pages(app: Sphinx, exception: Exception | None) -> None:
    """Every build: delete the output of documents that were deleted since the last build.

    Sphinx leaves ``rapporter/2025/x.html`` behind when ``x.md`` is deleted; the page
    would stay reachable and Pagefind would index it. The folder remembers which
    documents it holds (``.rapport-sidor``), so the deletion works whichever builder
    (PDF or HTML) noticed that the source was removed.
    """
    if exception is not None or app.builder.name not in ("html", "dirhtml", "rapportpdf"):
        return
    out = Path(app.outdir)
    record = out / PAGES_FILE
    current = sorted(app.env.found_docs)
    try:
        previous = record.read_text(encoding="utf-8").split()
    except OSError:
        previous = []
    for docname in sorted(set(previous) - set(current)):
        candidates = [out / f"{docname}.pdf", out / "pdf" / f"{docname}.pdf"]
        if app.builder.name != "rapportpdf":
            candidates.append(out / app.builder.get_target_uri(docname))
        for candidate in candidates:
            if candidate.is_file():
                candidate.unlink()
    record.write_text("\n".join(current) + "\n", encoding="utf-8")


def _remove_stale_pdf_copies(app: Sphinx, exception: Exception | None) -> None:
    """After the PDF copy into the site (pdf.py, priority 500): the copy of a stale PDF."""
    _remove_stale_outputs(app, exception)


def _leave_out_internal_standing(app: Sphinx, path: Path, content: list[str]) -> None:
    """``rapport-standing-read``: an internal snippet is never inserted in the public build."""
    if is_public(app.config) and is_internal_file(path, marks_of(app)):
        content[0] = ""


def setup(app: Sphinx) -> None:
    app.add_directive("internt", InternalDirective)
    app.connect("config-inited", _on_config_inited, priority=events.CONFIG_AUDIENCE)
    app.connect("doctree-read", _on_doctree_read, priority=events.AUDIENCE_LABEL)
    app.connect("doctree-read", _on_doctree_read_public, priority=events.AUDIENCE_PUBLIC)
    app.connect("include-read", _on_include_read, priority=events.INCLUDE_AUDIENCE)
    app.connect(events.STANDING_READ, _leave_out_internal_standing, priority=events.STANDING_AUDIENCE)
    app.connect("build-finished", _remove_stale_outputs, priority=events.REMOVE_STALE_OUTPUTS)
    app.connect("build-finished", _remove_vanished_pages, priority=events.REMOVE_STALE_OUTPUTS)
    app.connect("build-finished", _remove_stale_pdf_copies, priority=events.REMOVE_STALE_PDF_COPIES)
