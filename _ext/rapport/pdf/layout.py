"""Laying a report out with WeasyPrint: fonts, stylesheets, the cache, layout checks.

Writing phase of the ``rapportpdf`` builder (:mod:`rapport.pdf.builder`), which is a
:class:`PdfLayout`. The print HTML of a document becomes a job; :meth:`PdfLayout.run_job`
lays it out (in a worker process, or in-process with one worker) and writes the PDF,
:meth:`PdfLayout.finish_job` keeps its cache entry in the main process. A PDF is cached by
the hash of its print HTML, CSS, fonts and WeasyPrint version (:attr:`pipeline_key`), so
an unchanged report is not laid out again.
"""

from __future__ import annotations

import hashlib
import json
import logging as std_logging
import os
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sphinx.util import logging

from rapport import compat
from rapport.config import is_report, settings
from rapport.messages import warn
from rapport.pdf.records import CACHE_DIR, Bookmark, Rendered
from rapport.pdf.tagging import links_table, postprocess
from rapport.trust.text import strip_controls

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
#: the package's own print templates; a project may override them in templates_path (print/)
DEFAULT_TEMPLATES = HERE / "templates"
#: the code that turns a doctree into print HTML and lays it out: part of every cached PDF's key
RENDERING_SOURCES = tuple(
    HERE / name for name in ("builder.py", "layout.py", "volume.py", "records.py", "tagging.py", "translator.py")
)
CACHE_VERSION = "1"  # bump when the cached record or the rendering pipeline changes


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


class PdfLayout(compat.HtmlDocumentBuilder):
    """The WeasyPrint side of :class:`rapport.pdf.builder.RapportPdfBuilder`."""

    variant: str
    _notes: list[tuple[str, str, str]]
    links_to: dict[str, set[str]]

    def note(self, subtype: str, message: str, where: str) -> None:
        """A writer-facing warning found while building one PDF; kept with its cache entry."""
        self._notes.append((subtype, message, where))

    @staticmethod
    def _emit(notes: list[tuple[str, str, str]]) -> None:
        for subtype, message, where in notes:
            warn(subtype, message, where or None)

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
        for family in settings(self.config).values.pdf_fonts:
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

    def cache_entry(self, docname: str) -> Path:
        return self.cache_dir / (docname.replace("/", "__") + ".json")

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
            self.links_to[docname] = set(cached.get("linked", []))
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
                    "linked": sorted(self.links_to.get(docname, ())),
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
        # every PDF: its links carry placeholder addresses until here (rapport.pdf.tagging)
        postprocess(partial, claim_ua=self.variant != "pdf/ua-1", links=links_table(html))
        os.replace(partial, target)
        return Rendered(docname, title, str(target), pages, bookmarks, key, rendered=True)

    def _check_layout(self, document: Any, docname: str, title_line: int = 1) -> None:
        """Warnings that only layout can tell: too many pages, content wider than the page,
        a table spread over several pages."""
        source = str(self.env.doc2path(docname))
        limit = settings(self.config).values.pdf_max_pages
        # reports only: an appendix or a page a report links to may be as long as it is
        if limit and len(document.pages) > limit and is_report(self.config, docname):
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
