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

The builder is three modules, one per concept: this one (which documents, print HTML,
links, the jobs), :mod:`rapport.pdf.layout` (WeasyPrint, fonts, the cache, layout
checks) and :mod:`rapport.pdf.volume` (the bundle's cover, contents and spec); its
records are in :mod:`rapport.pdf.records`.

Every problem a writer can fix is a Swedish ``rapport.pdf-*`` warning with file and
line; a WeasyPrint failure on one report names it and the others are still written.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import posixpath
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from docutils import nodes
from sphinx.util import logging
from sphinx.util.display import status_iterator

from rapport.config import get_series, is_report, published_base_url, settings
from rapport.messages import warn
from rapport.pdf.bundle import BundleSpec
from rapport.pdf.layout import DEFAULT_TEMPLATES
from rapport.pdf.records import CACHE_DIR, Rendered, css_string, format_size, pdf_dir
from rapport.pdf.tagging import RELATIVE_PREFIX, links_script
from rapport.pdf.translator import PrintTranslator, location
from rapport.pdf.volume import BundleWriter, assemble_command, assemble_env
from rapport.registry import get_domain
from rapport.reports import STORE as REPORT_STORE
from rapport.reports import Report, insert_under_date, is_published

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

#: what other rooms and the tests import from here (the module that was all of it)
__all__ = [
    "CACHE_DIR",
    "DEFAULT_TEMPLATES",
    "BundleSpec",
    "RapportPdfBuilder",
    "assemble_command",
    "assemble_env",
    "format_size",
    "pdf_dir",
]


#: archival variants are tagged ("a" conformance) so they stay accessible; the file also
#: claims PDF/UA-1 in its XMP metadata (see :func:`~rapport.pdf.tagging.postprocess`)
VARIANTS = ("pdf/ua-1", "pdf/a-2a", "pdf/a-3a")

LONG_WORD = 40  # characters; a longer "word" outside a link is almost always a paste error


class RapportPdfBuilder(BundleWriter):
    """``rapportpdf``: one PDF per report, cached by content, and the bundle."""

    name = "rapportpdf"
    epilog = "PDF-filerna finns i %(outdir)s."
    default_translator_class = PrintTranslator

    def init(self) -> None:

        super().init()
        #: docname -> the pages of the site without a PDF of their own that it links to
        #: (kept in its cache entry, so a PDF taken from the cache still names them)
        self.links_to: dict[str, set[str]] = {}
        self.jobs = 1  # -j N, set at builder-inited (_note_parallel)
        self.results: dict[str, Rendered] = {}
        self._notes: list[tuple[str, str, str]] = []
        self.variant = settings(self.config).values.pdf_variant
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
        queue, linked = list(targets), set()
        try:
            for docname in status_iterator(
                queue, "förbereder PDF ... ", "darkgreen", len(targets), self.config.verbosity
            ):
                # a linked page is always prepared: no outdated check knows it
                hit = None if docname in to_write or docname in linked else self.cached(docname)
                prepared = hit or self.prepare(docname)
                # the pages it links that have no PDF yet go at the end of the queue
                for page in sorted(self.links_to.get(docname, ())):
                    if page not in linked and page not in self.pdf_target_set:
                        linked.add(page)
                        queue.append(page)
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
        workers = settings(self.config).values.pdf_workers
        wanted = workers or min(os.cpu_count() or 1, 4)
        if self.jobs > 1 and not workers:
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
        return [d for d in settings(self.config).values.pdf_appendices if d in self.env.found_docs]

    def pdf_targets(self) -> list[str]:
        return [r.docname for r in self.reports()] + self.appendices()

    # links ----------------------------------------------------------------------------

    def print_uri(self, refuri: str) -> str | None:
        """Where a link in the HTML points to, as seen from a PDF anywhere.

        External links stay. A link to another page of the site becomes its address on
        the published site (``html_baseurl``); without one, it goes to that page's PDF
        (works in ``_build/pdf`` and in the site's ``pdf/`` copy): a report's or an
        appendix's, or, for any other page of the site (the "Samlingssida" a standing
        section links), a PDF of its own that this build makes because it is linked
        (:meth:`linked_pages`). Only a report that is not published (a draft) stays
        plain text: its page is not on the site either.
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
        address = self.web_address(docname)
        if address:
            return address + fragment
        linkable = docname in self.env.found_docs and not is_report(self.config, docname)
        if docname in self.pdf_target_set or linkable:
            if docname not in self.pdf_target_set:
                self.links_to.setdefault(self.current_docname, set()).add(docname)
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
    # rendering ------------------------------------------------------------------------

    def print_html(self, docname: str) -> tuple[str, str, str]:
        """The print HTML of one document, its title and its compile date text."""
        doctree = self.env.get_and_resolve_doctree(docname, self, tags=self.tags)
        self.current_docname = docname
        heading = next(iter(doctree.findall(nodes.title)), None)  # for the page-count warning
        self.title_line = heading.line if heading is not None and heading.line else 1
        self._check_words(doctree, docname)
        self._add_web_address(doctree, docname)
        doctree.settings = self.docsettings
        visitor = self.create_translator(doctree, self)
        doctree.walkabout(visitor)
        # the links' real targets and descriptions, for rapport.pdf.tagging after writing
        body = "".join(visitor.fragment) + links_script(getattr(visitor, "pdf_links", []))

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
            header=css_string(series_title),
            footer=css_string(f"Sammanställt {compiled}" if compiled else series_title),
            author=self.config.author,
            keywords=", ".join(report.topics) if isinstance(report, Report) else "",
            created=report.compiled.isoformat(timespec="minutes")
            if isinstance(report, Report) and report.compiled
            else "",
            is_report=isinstance(report, Report),
        )
        return html, title, compiled

    def web_address(self, docname: str) -> str:
        """The page's address on the published site, or "" when none is known."""
        base = published_base_url(self.config)
        if not base:
            return ""
        return base.rstrip("/") + "/" + quote(docname) + (self.config.html_file_suffix or ".html")

    def _add_web_address(self, doctree: nodes.document, docname: str) -> None:
        """ "Webbversion: <address>" under the title (after the report's date line), so a
        downloaded PDF says where it is kept up to date; nothing without a published
        address (the local preview's would lead nowhere)."""
        address = self.web_address(docname)
        if not address:
            return
        para = nodes.paragraph(classes=["rapport-webbversion"])
        para += nodes.Text("Webbversion: ")
        title = self.env.titles.get(docname)
        # its description in the PDF names what it is (rapport.pdf.tagging.describe)
        reftitle = f"webbversionen av {title.astext()}" if title is not None else "webbversionen"
        para += nodes.reference(address, address, refuri=address, internal=False, reftitle=reftitle)
        insert_under_date(doctree, para)

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

    def prepare(self, docname: str) -> Rendered | tuple | None:
        """Print HTML of one document and its cache lookup, in the main process.

        Returns the cached :class:`Rendered` when nothing changed, a render job (a
        picklable tuple for :func:`_render_job`) otherwise, ``None`` on failure.
        """
        self._notes = []
        self.links_to[docname] = set()  # print_html notes them again
        target = Path(self.outdir, docname + ".pdf")
        try:
            html, title, _ = self.print_html(docname)
        except Exception as exc:
            warn("pdf-failed", f"PDF:en kunde inte skapas: {type(exc).__name__}: {exc}", (docname, None))
            return None
        self._emit(self._notes)
        key = hashlib.sha256((self.pipeline_key + "\0" + html).encode()).hexdigest()
        return self.cached(docname, key) or (docname, html, title, str(target), key, self.title_line)


#: the builder a forked worker renders with (set just before the pool forks)
_WORKER_BUILDER: RapportPdfBuilder | None = None


def _render_job(job: tuple) -> tuple:
    assert _WORKER_BUILDER is not None
    return _WORKER_BUILDER.run_job(job)


def _note_parallel(app: Sphinx) -> None:
    """``builder-inited``: how many processes ``-j`` asked for (the builder itself writes
    serially; it uses them to lay PDFs out)."""
    if isinstance(app.builder, RapportPdfBuilder):
        app.builder.jobs = app.parallel


def setup(app: Sphinx) -> None:
    # the settings (rapport_pdf_*) are declared with the others in rapport.config
    app.add_builder(RapportPdfBuilder)
    app.connect("builder-inited", _note_parallel)
