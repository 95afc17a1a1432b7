"""The ``rapportpdf`` builder: one tagged PDF/UA-1 file per report and a bundle of them.

Writing phase (``sphinx-build -b rapportpdf``). For each report (and each configured
appendix page) it resolves the doctree, translates it with
:class:`rapport.pdf.translator.PrintTranslator`, fills the lean print template in
``rapport/pdf/templates/`` and lets WeasyPrint write ``<outdir>/<docname>.pdf``. The
theme's CSS is never loaded: WeasyPrint did not finish in 15 minutes on a page carrying
it. Reports are rendered one at a time (measured: 0.33 s each, against 115 s and 536 MB
for a single flow of 100 reports) and cached by the hash of their print HTML, CSS, fonts
and WeasyPrint version, so an unchanged report is not laid out again. At ``finish`` the
bundle is assembled with pikepdf (:mod:`rapport.pdf.bundle`) from a separately rendered
cover and table of contents plus the per-report PDFs: nothing that did not change is
laid out again. The web site's links to the PDFs are :mod:`rapport.site.pdflinks`.

Every problem a writer can fix is a Swedish ``rapport.pdf-*`` warning with file and
line; a WeasyPrint failure on one report names it and the others are still written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging as std_logging
import multiprocessing
import os
import posixpath
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from docutils import nodes
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sphinx.util import logging
from sphinx.util.display import status_iterator

from rapport import compat
from rapport.config import get_series, is_report, published_base_url, settings
from rapport.dates import format_date
from rapport.messages import warn
from rapport.pdf.bundle import (
    ASSEMBLE,
    DEFER_ENV,
    RELATIVE_PREFIX,
    BundlePart,
    BundleSpec,
    bundle_pages,
    postprocess,
)
from rapport.pdf.translator import PrintTranslator, location
from rapport.registry import get_domain
from rapport.reports import STORE as REPORT_STORE
from rapport.reports import Report, is_published
from rapport.trust.text import strip_controls

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
#: the package's own print templates; a project may override them in templates_path (print/)
DEFAULT_TEMPLATES = HERE / "templates"
#: the code that turns a doctree into print HTML: part of every cached PDF's key
RENDERING_SOURCES = (HERE / "builder.py", HERE / "translator.py")

#: archival variants are tagged ("a" conformance) so they stay accessible; the file also
#: claims PDF/UA-1 in its XMP metadata (see :func:`~rapport.pdf.bundle.postprocess`)
VARIANTS = ("pdf/ua-1", "pdf/a-2a", "pdf/a-3a")

CACHE_DIR = ".cache"
#: where the ``rapport`` package is imported from, for the bundle's own process
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])
CACHE_VERSION = "1"  # bump when the cached record or the rendering pipeline changes
LONG_WORD = 40  # characters; a longer "word" outside a link is almost always a paste error


# -- records -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bookmark:
    title: str
    level: int  # 1 = the page title, 2 = a section, ...
    page: int  # 0-based page index in the document's own PDF
    top: float  # PDF user-space y of the heading


@dataclass
class Rendered:
    """What the bundle needs to know about one rendered PDF (kept small: no documents)."""

    docname: str
    title: str
    path: str  # absolute path of the PDF
    pages: int
    bookmarks: list[Bookmark]
    key: str  # content hash of the inputs
    warnings: list[tuple[str, str, str]] = field(default_factory=list)  # subtype, message, location
    rendered: bool = False  # laid out in this build (False: taken from the cache)
    seconds: float = 0.0  # wall-clock layout and writing time
    cpu_seconds: float = 0.0  # the same in CPU time (robust on a busy machine)


# -- small helpers ---------------------------------------------------------------------


def format_size(size: int) -> str:
    """``120 kB``, ``1,4 MB``: SI prefixes, decimal comma (Swedish style)."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{max(1, round(size / 1000))} kB"
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


def pdf_dir(config: Any) -> Path:
    return Path(settings(config).confdir, config.rapport_pdf_dir)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _parse_iso(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        warn("pdf-config", f"{name} = ”{value}” är inte ett datum på formen ÅÅÅÅ-MM-DD; gränsen används inte", None)
        return None


# -- WeasyPrint plumbing ------------------------------------------------------------------


class _LogCollector(std_logging.Handler):
    """Collects WeasyPrint's own log records while one document is rendered.

    WeasyPrint logs to the ``weasyprint`` logger; without a handler Python would print
    them as bare English lines. We keep them for ``-v`` and turn none into warnings:
    the problems a writer can fix are detected before and after layout instead.
    """

    def __init__(self) -> None:
        super().__init__(std_logging.INFO)
        self.records: list[str] = []

    def emit(self, record: std_logging.LogRecord) -> None:
        if record.levelno >= std_logging.WARNING:
            self.records.append(record.getMessage())


class RapportPdfBuilder(compat.HtmlDocumentBuilder):
    """``rapportpdf``: one PDF per report, cached by content, and the bundle."""

    name = "rapportpdf"
    epilog = "PDF-filerna finns i %(outdir)s."
    default_translator_class = PrintTranslator

    def init(self) -> None:

        super().init()
        self.jobs = 1  # -j N, set at builder-inited (_note_parallel)
        self.results: dict[str, Rendered] = {}
        self._notes: list[tuple[str, str, str]] = []
        self.variant = self.config.rapport_pdf_variant
        if self.variant not in VARIANTS:
            warn(
                "pdf-config",
                f"rapport_pdf_variant = ”{self.variant}” stöds inte (välj {', '.join(VARIANTS)}); pdf/ua-1 används",
                None,
            )
            self.variant = "pdf/ua-1"
        self._weasy: Any = None

    # Sphinx builder protocol ------------------------------------------------------------

    def get_outdated_docs(self) -> Iterator[str]:
        """Reports and appendices whose source is newer than their PDF, or without one.

        Runs before reading, on the last build's stores (a new report is added by the
        read itself). What another page's change makes stale (a register, a report's
        neighbours, a decision's title in a link) comes from the ``env-updated``
        handlers, per builder (:func:`rapport.registry.stale_pages`), as for HTML; the
        rest is taken from the PDF cache without making print HTML: at 520 reports
        that was 7.5 s of every build.
        """
        for docname in self.pdf_targets():
            try:
                target = Path(self.outdir, docname + ".pdf").stat().st_mtime_ns
                source = Path(self.env.doc2path(docname)).stat().st_mtime_ns
            except OSError:
                yield docname
                continue
            if docname not in self.env.all_docs or source > target:
                yield docname

    def write_documents(self, docnames: Any) -> None:
        targets = self.pdf_targets()
        if not targets:
            logger.info("rapportpdf: inga rapporter att skriva")
            return
        self._setup_weasyprint()
        to_write = set(docnames)
        workers = self.worker_count(len(targets))
        pool = None
        if workers > 1:
            global _WORKER_BUILDER
            _WORKER_BUILDER = self  # forked workers inherit the fonts, stylesheets and env
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
        # the main process prepares print HTML (doctrees are loaded one at a time and
        # dropped) while the workers lay out; results are taken in document order so
        # warnings come out in the same order whatever the number of workers
        pending: list[tuple[str, Any]] = []
        try:
            for docname in status_iterator(
                targets, "förbereder PDF ... ", "darkgreen", len(targets), self.config.verbosity
            ):
                hit = None if docname in to_write else self.cached(docname)
                prepared = hit or self.prepare(docname)
                if prepared is None:
                    continue
                if isinstance(prepared, Rendered):
                    pending.append((docname, prepared))
                elif pool is not None:
                    pending.append((docname, pool.submit(_render_job, prepared)))
                else:
                    pending.append((docname, prepared))
            for docname, item in status_iterator(
                pending,
                "skriver PDF ... ",
                "darkgreen",
                len(pending),
                self.config.verbosity,
                stringify_func=lambda pair: pair[0],
            ):
                if isinstance(item, Rendered):
                    self._emit(item.warnings)
                    self.results[docname] = item
                    continue
                if isinstance(item, tuple):
                    outcome = self.run_job(item)
                else:
                    try:
                        outcome = item.result()
                    except Exception as exc:  # a worker died (e.g. out of memory)
                        outcome = (None, f"{type(exc).__name__}: {exc}", [], [])
                result = self.finish_job(docname, outcome)
                if result is not None:
                    self.results[docname] = result
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        rendered = [r for r in self.results.values() if r.rendered]
        if rendered:
            total = sum(r.seconds for r in rendered)
            logger.info(
                f"rapportpdf: {len(rendered)} PDF:er skapade på {total:.1f} s "
                f"({total / len(rendered):.2f} s per PDF), {len(self.results) - len(rendered)} oförändrade"
            )

    def worker_count(self, jobs: int) -> int:
        wanted = self.config.rapport_pdf_workers or min(os.cpu_count() or 1, 4)
        if self.jobs > 1 and not self.config.rapport_pdf_workers:
            wanted = self.jobs
        return max(1, min(wanted, jobs))

    def write_doc(self, docname: str, doctree: nodes.document) -> None:  # pragma: no cover
        pass  # write_documents does the work

    def finish(self) -> None:
        if not self.results:
            return
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            self.write_bundle()
        except Exception as exc:  # never a traceback; the per-report PDFs are written
            warn("pdf-failed", f"Samlingsvolymen kunde inte skapas: {type(exc).__name__}: {exc}", None)
        bundle_seconds = time.perf_counter() - started
        logger.info(f"rapportpdf: samlingsvolymen klar på {bundle_seconds:.1f} s")
        # for bench/run.py: render seconds of the reports laid out in this build
        timings = {
            "reports": {d: round(r.seconds, 4) for d, r in self.results.items() if r.rendered},
            "reports_cpu": {d: round(r.cpu_seconds, 4) for d, r in self.results.items() if r.rendered},
            "cached": sum(1 for r in self.results.values() if not r.rendered),
            "bundle": round(bundle_seconds, 4),
            "bundle_cpu": round(time.process_time() - cpu_started, 4),
        }
        Path(self.outdir, ".timings.json").write_text(json.dumps(timings, indent=1), encoding="utf-8")

    # which documents -------------------------------------------------------------------

    def reports(self) -> list[Report]:
        """Published reports, oldest first (the order of the bundle)."""

        store = get_domain(self.env).store(REPORT_STORE)
        found = [r for d, r in store.items() if d in self.env.found_docs and isinstance(r, Report)]
        found = [r for r in found if is_report(self.config, r.docname) and is_published(r, self.config)]
        return sorted(found, key=lambda r: r.sort_key)

    def appendices(self) -> list[str]:
        return [d for d in self.config.rapport_pdf_appendices if d in self.env.found_docs]

    def pdf_targets(self) -> list[str]:
        return [r.docname for r in self.reports()] + self.appendices()

    # links ----------------------------------------------------------------------------

    def print_uri(self, refuri: str) -> str | None:
        """Where a link in the HTML points to, as seen from a PDF anywhere.

        External links stay. A link to another page of the site becomes its address on
        the published site (``html_baseurl``); without one, a link to another report goes
        to that report's PDF (works in ``_build/pdf`` and in the site's ``pdf/`` copy),
        and anything else becomes plain text rather than a link that cannot work.
        """
        parts = urlsplit(refuri)
        if parts.scheme or refuri.startswith(("#", "mailto:", "//")):
            return refuri
        base = posixpath.dirname(self.get_target_uri(self.current_docname))
        target = posixpath.normpath(posixpath.join(base, parts.path))
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if not target.endswith(".html"):
            return None
        docname = target[: -len(".html")]
        # the local preview address (conf.py's default) is no address for a PDF that
        # travels: then links go to the sibling PDFs instead (rapport.site.readers warns)
        baseurl = published_base_url(self.config)
        if baseurl:
            suffix = self.config.html_file_suffix or ".html"
            return baseurl.rstrip("/") + "/" + quote(docname) + suffix + fragment
        if docname in self.pdf_target_set:
            here = posixpath.dirname(self.current_docname)
            # WeasyPrint would make a relative href absolute (file:// of the source dir);
            # this placeholder becomes a relative GoToR link after writing
            return RELATIVE_PREFIX + posixpath.relpath(docname + ".pdf", here or ".") + fragment
        return None

    @property
    def pdf_target_set(self) -> set[str]:
        if not hasattr(self, "_target_set"):
            self._target_set = set(self.pdf_targets())
        return self._target_set

    # warnings ------------------------------------------------------------------------

    def note(self, subtype: str, message: str, where: str) -> None:
        """A writer-facing warning found while building one PDF; kept with its cache entry."""
        self._notes.append((subtype, message, where))

    @staticmethod
    def _emit(notes: list[tuple[str, str, str]]) -> None:
        for subtype, message, where in notes:
            warn(subtype, message, where or None)

    # rendering ------------------------------------------------------------------------

    def _setup_weasyprint(self) -> None:
        # imported here, the one import not at the top: WeasyPrint takes half a second to
        # import, and every HTML build loads this module to register the builder
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        templates = self.template_dir()
        css_text = (templates / "print.css").read_text(encoding="utf-8")
        font_css, font_digest = self.font_face_css()
        self.font_config = FontConfiguration()
        self.fetcher = weasyprint.URLFetcher(allowed_protocols={"file", "data"}, timeout=5)
        self.stylesheets = [
            weasyprint.CSS(string=font_css + css_text, font_config=self.font_config, url_fetcher=self.fetcher)
        ]

        self.jinja = Environment(
            loader=FileSystemLoader(str(templates)), autoescape=select_autoescape(["html"]), keep_trailing_newline=True
        )
        template_text = "".join(
            (templates / name).read_text(encoding="utf-8") for name in ("report.html", "bundle.html")
        )
        self.pipeline_key = hashlib.sha256(
            "\0".join(
                [
                    CACHE_VERSION,
                    *(p.read_text(encoding="utf-8") for p in RENDERING_SOURCES),
                    weasyprint.__version__,
                    self.variant,
                    css_text,
                    font_css,
                    font_digest,
                    template_text,
                ]
            ).encode()
        ).hexdigest()
        self._weasy = weasyprint
        self.cache_dir = Path(self.outdir, CACHE_DIR)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        wlog = std_logging.getLogger("weasyprint")
        wlog.propagate = False
        self._collector = _LogCollector()
        wlog.handlers[:] = [self._collector]
        std_logging.getLogger("weasyprint.progress").propagate = False

    def template_dir(self) -> Path:
        for entry in self.config.templates_path:
            candidate = Path(self.confdir, entry, "print")
            if (candidate / "report.html").is_file():
                return candidate
        return DEFAULT_TEMPLATES

    def font_face_css(self) -> tuple[str, str]:
        """``@font-face`` rules for the first complete family, from local files only."""
        for family in self.config.rapport_pdf_fonts:
            files = {k: Path(v) for k, v in family.items() if k != "family"}
            if not all(p.is_file() for p in files.values()) or "regular" not in files:
                continue
            rules, digest = [], hashlib.sha256()
            styles = {
                "regular": ("normal", "normal"),
                "bold": ("bold", "normal"),
                "italic": ("normal", "italic"),
                "bolditalic": ("bold", "italic"),
            }
            for key, path in files.items():
                weight, style = styles.get(key, ("normal", "normal"))
                digest.update(path.read_bytes())
                rules.append(
                    f'@font-face {{ font-family: "Rapport"; src: url("{path.as_uri()}"); '
                    f"font-weight: {weight}; font-style: {style}; }}\n"
                )
            return "".join(rules), digest.hexdigest()
        warn(
            "pdf-font",
            "Inget av typsnitten i rapport_pdf_fonts finns på datorn (installera fonts-liberation eller "
            "fonts-dejavu-core); PDF:en använder systemets typsnitt",
            None,
        )
        return '@font-face { font-family: "Rapport"; src: local("DejaVu Sans"), local("Liberation Sans"); }\n', ""

    def print_html(self, docname: str) -> tuple[str, str, str]:
        """The print HTML of one document, its title and its compile date text."""
        doctree = self.env.get_and_resolve_doctree(docname, self, tags=self.tags)
        self.current_docname = docname
        heading = next(iter(doctree.findall(nodes.title)), None)  # for the page-count warning
        self.title_line = heading.line if heading is not None and heading.line else 1
        self._check_words(doctree, docname)
        doctree.settings = self.docsettings
        visitor = self.create_translator(doctree, self)
        doctree.walkabout(visitor)
        body = "".join(visitor.fragment)

        report = get_domain(self.env).store(REPORT_STORE).get(docname)
        title_node = self.env.titles.get(docname)
        title = title_node.astext() if title_node else docname
        series = get_series(self.config, report.series if isinstance(report, Report) else None)
        series_title = series.title if series else self.config.project
        compiled = report.date_text if isinstance(report, Report) else ""
        html = self.jinja.get_template("report.html").render(
            title=title,
            body=body,
            series_title=series_title,
            header=_css_string(series_title),
            footer=_css_string(f"Sammanställt {compiled}" if compiled else series_title),
            author=self.config.author,
            keywords=", ".join(report.topics) if isinstance(report, Report) else "",
            created=report.compiled.isoformat(timespec="minutes")
            if isinstance(report, Report) and report.compiled
            else "",
            is_report=isinstance(report, Report),
        )
        return html, title, compiled

    def _check_words(self, doctree: nodes.document, docname: str) -> None:
        for text in doctree.findall(nodes.Text):
            parent = text.parent
            if isinstance(parent, (nodes.reference, nodes.literal, nodes.FixedTextElement)) or (
                parent is not None and isinstance(parent.parent, nodes.reference)
            ):
                continue
            for word in str(text).split():
                if len(word) > LONG_WORD and "://" not in word and "@" not in word:
                    shown = word[:30] + "…"
                    self.note(
                        "pdf-long-word",
                        f"Ordet ”{shown}” är {len(word)} tecken långt och bryts mitt i ordet i PDF:en "
                        "(saknas ett mellanslag?)",
                        location(parent, str(self.env.doc2path(docname))),
                    )

    def cache_entry(self, docname: str) -> Path:
        return self.cache_dir / (docname.replace("/", "__") + ".json")

    def prepare(self, docname: str) -> Rendered | tuple | None:
        """Print HTML of one document and its cache lookup, in the main process.

        Returns the cached :class:`Rendered` when nothing changed, a render job (a
        picklable tuple for :func:`_render_job`) otherwise, ``None`` on failure.
        """
        self._notes = []
        target = Path(self.outdir, docname + ".pdf")
        try:
            html, title, _ = self.print_html(docname)
        except Exception as exc:
            warn("pdf-failed", f"PDF:en kunde inte skapas: {type(exc).__name__}: {exc}", (docname, None))
            return None
        self._emit(self._notes)
        key = hashlib.sha256((self.pipeline_key + "\0" + html).encode()).hexdigest()
        return self.cached(docname, key) or (docname, html, title, str(target), key, self.title_line)

    def cached(self, docname: str, key: str | None = None) -> Rendered | None:
        """The PDF written for ``docname`` by an earlier build, if it is still valid: made
        from print HTML with digest ``key`` or, without one (the document is not
        outdated), by the same pipeline (stylesheets, fonts, PDF variant)."""
        target = Path(self.outdir, docname + ".pdf")
        entry = self.cache_entry(docname)
        if not (target.is_file() and entry.is_file()):
            return None
        try:
            cached = json.loads(entry.read_text(encoding="utf-8"))
            if (key is not None and cached.get("key") != key) or cached.get("pipeline") != self.pipeline_key:
                return None
            return Rendered(
                docname=docname,
                title=cached["title"],
                path=str(target),
                pages=cached["pages"],
                bookmarks=[Bookmark(**b) for b in cached["bookmarks"]],
                key=cached["key"],
                warnings=[tuple(w) for w in cached["warnings"]],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None  # an unreadable cache entry means: render again

    def run_job(self, job: tuple) -> tuple[Rendered | None, str, list[tuple[str, str, str]], list[str]]:
        """Lay out and write one PDF; runs in a worker process (or in-process with one worker).

        Never raises: a failure comes back as its description, so one report's failure
        cannot take the others down with it.
        """
        docname, html, title, target, key, title_line = job
        self._notes = []
        self._collector.records.clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            result = self._render(docname, html, title, Path(target), key, title_line)
        except Exception as exc:
            return None, f"{type(exc).__name__}: {exc}", self._notes, list(self._collector.records)
        result.seconds = time.perf_counter() - started
        result.cpu_seconds = time.process_time() - cpu_started
        result.warnings = self._notes
        return result, "", self._notes, list(self._collector.records)

    def finish_job(self, docname: str, outcome: tuple) -> Rendered | None:
        """Main process: warnings, cache entry and the result of one finished job."""
        result, error, notes, records = outcome
        for record in records:
            logger.verbose(f"WeasyPrint ({docname}): {record}")
        entry = self.cache_entry(docname)
        if result is None:
            for stale in (Path(self.outdir, docname + ".pdf"), entry):
                stale.unlink(missing_ok=True)
            warn(
                "pdf-failed",
                f"PDF:en för {docname} kunde inte skapas: {error} (övriga PDF:er skrivs ändå)",
                (docname, None),
            )
            return None
        self._emit(notes)
        entry.write_text(
            json.dumps(
                {
                    "key": result.key,
                    "pipeline": self.pipeline_key,
                    "title": result.title,
                    "pages": result.pages,
                    "bookmarks": [asdict(b) for b in result.bookmarks],
                    "warnings": result.warnings,
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        return result

    def _render(self, docname: str, html: str, title: str, target: Path, key: str, title_line: int) -> Rendered:
        weasyprint = self._weasy
        # the document's title, author and bookmarks come from this HTML into PDF metadata
        html = strip_controls(html)
        base_url = Path(self.env.doc2path(docname)).parent.as_uri() + "/"
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=self.fetcher).render(
            stylesheets=self.stylesheets, font_config=self.font_config, pdf_variant=self.variant, pdf_tags=True
        )
        self._check_layout(document, docname, title_line)
        bookmarks = list(_flatten_bookmarks(document.make_bookmark_tree(scale=0.75, transform_pages=True)))
        pages = len(document.pages)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".pdf.part")
        document.write_pdf(partial, pdf_variant=self.variant, pdf_tags=True, uncompressed_pdf=False)
        del document
        if self.variant != "pdf/ua-1" or RELATIVE_PREFIX in html:
            postprocess(partial, claim_ua=self.variant != "pdf/ua-1")
        os.replace(partial, target)
        return Rendered(docname, title, str(target), pages, bookmarks, key, rendered=True)

    def _check_layout(self, document: Any, docname: str, title_line: int = 1) -> None:
        """Warnings that only layout can tell: too many pages, content wider than the page,
        a table spread over several pages."""
        source = str(self.env.doc2path(docname))
        limit = self.config.rapport_pdf_max_pages
        if limit and len(document.pages) > limit and docname not in self.config.rapport_pdf_appendices:
            self.note(
                "pdf-pages",
                f"Rapporten blir {len(document.pages)} sidor i PDF:en; den bör rymmas på {limit} "
                f"(rapport_pdf_max_pages)",
                f"{source}:{title_line}",
            )
        overflow: dict[str, str] = {}
        table_pages: dict[str, set[int]] = {}
        for index, page in enumerate(document.pages):
            page_box = compat.page_box(page)
            right = page_box.content_box_x() + page_box.width + 1
            for box in _walk(page_box):
                element = getattr(box, "element", None)
                if element is None or box.element_tag in ("html", "body"):
                    continue
                loc = element.get("data-loc") if hasattr(element, "get") else None
                if box.element_tag == "table" and loc:
                    table_pages.setdefault(loc, set()).add(index)
                if box.position_x + box.margin_width() > right and loc and loc not in overflow:
                    overflow[loc] = box.element_tag
        for loc, tag in overflow.items():
            what = {"table": "Tabellen", "img": "Bilden", "pre": "Kodblocket"}.get(tag, "Innehållet")
            self.note("pdf-overflow", f"{what} är bredare än sidan och skärs av i PDF:en", loc)
        for loc, spread in table_pages.items():
            if len(spread) > 1:
                self.note(
                    "pdf-long-table",
                    f"Tabellen delas över {len(spread)} sidor i PDF:en (rubrikraden upprepas på varje sida)",
                    loc,
                )

    # the bundle ------------------------------------------------------------------------

    def bundle_reports(self) -> list[Report]:
        start = _parse_iso(self.config.rapport_pdf_from, "rapport_pdf_from")
        end = _parse_iso(self.config.rapport_pdf_to, "rapport_pdf_to")
        chosen = []
        for report in self.reports():
            if report.docname not in self.results or report.compiled is None:
                continue
            day = report.compiled.date()
            if (start and day < start) or (end and day > end):
                continue
            chosen.append(report)
        return chosen

    def bundle_name(self) -> str:
        name = self.config.rapport_pdf_bundle
        if self.config.rapport_pdf_from or self.config.rapport_pdf_to:
            name += f"-{self.config.rapport_pdf_from or 'start'}--{self.config.rapport_pdf_to or 'slut'}"
        return name + ".pdf"

    def write_bundle(self) -> None:

        reports = self.bundle_reports()
        appendices = [d for d in self.appendices() if d in self.results]
        if not reports:
            logger.info("rapportpdf: inga rapporter i datumintervallet; ingen samlingsvolym")
            return
        parts = [self.results[r.docname] for r in reports] + [self.results[d] for d in appendices]
        target = Path(self.outdir, self.bundle_name())
        series = get_series(self.config)
        series_title = series.title if series else self.config.project
        first, last = reports[0].compiled, reports[-1].compiled
        assert first is not None and last is not None
        period = (
            format_date(first.date())
            if first.date() == last.date()
            else (f"{format_date(first.date())} – {format_date(last.date())}")
        )
        key = hashlib.sha256(
            "\0".join([self.pipeline_key, target.name, series_title] + [p.key for p in parts]).encode()
        ).hexdigest()
        entry = self.cache_dir / (target.stem + ".bundle.json")
        if target.is_file() and entry.is_file():
            try:
                if json.loads(entry.read_text(encoding="utf-8")).get("key") == key:
                    logger.info(f"rapportpdf: {target.name} oförändrad")
                    return
            except ValueError:
                pass

        # front matter: cover + contents; its own length shifts every page number, so
        # render until the number of front pages is stable (normally the second pass)
        # a good first guess (cover + about 38 entries per contents page) saves a pass
        front_pages, front_path = 1 + -(-(len(parts) + 4) // 38), Path(self.cache_dir, "framsida.pdf")
        for _ in range(4):
            entries: list[dict[str, Any]] = []
            page = front_pages + 1
            for index, part in enumerate(parts):
                appendix = index >= len(reports)
                label = strip_controls(part.title)  # the bundle's outline and contents
                if not appendix and label.startswith(series_title) and label != series_title:
                    # the cover names the series; the contents list the dates
                    label = label[len(series_title) :].strip(" –-:")
                if appendix:
                    label = f"Bilaga {index - len(reports) + 1}. {strip_controls(part.title)}"
                entries.append({"label": label, "page": page, "appendix": appendix, "n": index})
                page += part.pages
            html = strip_controls(
                self.jinja.get_template("bundle.html").render(
                    title=f"{series_title} – samlingsvolym",
                    series_title=series_title,
                    period=period,
                    count=len(reports),
                    entries=entries,
                    author=self.config.author,
                    header=_css_string(series_title),
                    footer=_css_string(f"Samlingsvolym {period}"),
                )
            )
            # the same contents as last time (no part changed its length): reuse them
            front_key = hashlib.sha256((self.pipeline_key + "\0" + html).encode()).hexdigest()
            front_entry = self.cache_dir / "framsida.json"
            try:
                cached_front = json.loads(front_entry.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                cached_front = {}
            if front_path.is_file() and cached_front.get("key") == front_key:
                front = None
                break
            front = self._weasy.HTML(string=html, base_url=str(self.confdir), url_fetcher=self.fetcher).render(
                stylesheets=self.stylesheets, font_config=self.font_config, pdf_variant=self.variant, pdf_tags=True
            )
            actual = len(front.pages)
            if actual == front_pages:
                break
            front_pages = actual
        if front is not None:
            front.write_pdf(front_path, pdf_variant=self.variant, pdf_tags=True)
            front_entry.write_text(json.dumps({"key": front_key}), encoding="utf-8")
            del front

        partial = target.with_suffix(".pdf.part")
        base = published_base_url(self.config)
        spec = BundleSpec(
            front=str(front_path),
            front_pages=front_pages,
            parts=[
                BundlePart(
                    docname=part.docname,
                    path=part.path,
                    title=part.title,
                    label=entries[index]["label"],
                    pages=part.pages,
                    bookmarks=[(strip_controls(b.title), b.level, b.page, b.top) for b in part.bookmarks],
                )
                for index, part in enumerate(parts)
            ],
            target=str(partial),
            title=strip_controls(f"{series_title} – samlingsvolym {period}"),
            base=(base.rstrip("/") + "/") if base else "",
            appendices=appendices,
            contents=[e["page"] - 1 for e in entries],
            final=str(target),
            claim_ua=self.variant != "pdf/ua-1",
            entry=str(entry),
            key=key,
        )
        spec_path = self.cache_dir / "samlingsvolym.json"
        spec.dump(spec_path)
        deferred = os.environ.get(DEFER_ENV)
        if deferred and target.is_file():
            # rapport bygg assembles it while the site is built (the site links to the
            # bundle that is there; a first bundle is made here, so the link is never missing)
            Path(deferred).write_text(json.dumps({"spec": str(spec_path), "target": str(target)}), encoding="utf-8")
            logger.info("rapportpdf: samlingsvolymen sätts ihop medan webbplatsen byggs")
            return
        logger.info(f"rapportpdf: sätter ihop samlingsvolymen av {len(parts)} delar …")
        # a process of its own: its memory (every part's objects) is returned when it ends
        done = subprocess.run(assemble_command(spec_path), capture_output=True, text=True, env=assemble_env())
        if done.returncode != 0:
            detail = " ".join(done.stderr.split())[-400:] or f"slutstatus {done.returncode}"
            warn("pdf-failed", f"Samlingsvolymen kunde inte skapas: {detail}", None)
            return
        logger.info(f"rapportpdf: {target.name}: {len(reports)} rapporter, {len(bundle_pages(target))} sidor")


def assemble_command(spec_path: Path) -> list[str]:
    """The bundle's own process (:func:`rapport.pdf.bundle.main`) for a written spec."""
    return [sys.executable, "-c", ASSEMBLE, str(spec_path)]


def assemble_env() -> dict[str, str]:
    """The environment of the bundle's process: this ``rapport`` package importable."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [_PACKAGE_PARENT, os.environ.get("PYTHONPATH")])),
    }


#: the builder a forked worker renders with (set just before the pool forks)
_WORKER_BUILDER: RapportPdfBuilder | None = None


def _render_job(job: tuple) -> tuple:
    assert _WORKER_BUILDER is not None
    return _WORKER_BUILDER.run_job(job)


def _walk(box: Any) -> Iterator[Any]:
    stack = [box]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(getattr(current, "children", ()) or ())


def _flatten_bookmarks(tree: list[Any], level: int = 1) -> Iterator[Bookmark]:
    # WeasyPrint 70: (label, (page, x, y), children, state)
    for label, target, children, _state in tree:
        page, _x, y = target
        yield Bookmark(label, level, page, float(y))
        yield from _flatten_bookmarks(children, level + 1)


def _note_parallel(app: Sphinx) -> None:
    """``builder-inited``: how many processes ``-j`` asked for (the builder itself writes
    serially; it uses them to lay PDFs out)."""
    if isinstance(app.builder, RapportPdfBuilder):
        app.builder.jobs = app.parallel


def setup(app: Sphinx) -> None:
    # the settings (rapport_pdf_*) are declared with the others in rapport.config
    app.add_builder(RapportPdfBuilder)
    app.connect("builder-inited", _note_parallel)
