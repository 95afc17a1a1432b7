"""The PDFs on the web site: "Ladda ner rapporten (PDF, 120 kB)" on report pages and archive lists.

HTML builders only, writing phase: :func:`_add_pdf_link` (``doctree-resolved``) puts the
download link on a report's page when its PDF exists in ``rapport_pdf_dir``;
archive entries get "(PDF, 26 kB)" through the ``rapport-archive-entry`` event;
``build-finished`` copies the PDFs into ``<html>/pdf/`` so the served site can hand
them out; ``env-get-outdated`` re-reads a report whose page shows another size than the
PDF has now, so incremental builds keep the link right.
"""

from __future__ import annotations

import posixpath
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes

from rapport import events
from rapport.config import is_report
from rapport.pdf.builder import RapportPdfBuilder
from rapport.pdf.records import CACHE_DIR, format_size, pdf_dir
from rapport.reports import Report, insert_under_date

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


# -- the HTML side: a download link on each report page ----------------------------------


def _is_site_builder(app: Sphinx) -> bool:
    return app.builder.format == "html" and app.builder.name != RapportPdfBuilder.name


def _pdf_for(app: Sphinx, docname: str) -> Path | None:
    path = pdf_dir(app.config) / f"{docname}.pdf"
    return path if path.is_file() else None


def _pdf_href(app: Sphinx, docname: str) -> str:
    page = app.builder.get_target_uri(docname)
    here = posixpath.dirname(page)
    return posixpath.relpath(f"pdf/{docname}.pdf", here or ".")


def pdf_link(app: Sphinx, fromdoc: str, docname: str) -> nodes.reference | None:
    """A link "PDF, 26 kB" from ``fromdoc`` to the PDF of report ``docname``, if it exists
    (archive lists; the web builders only)."""
    if not _is_site_builder(app):
        return None
    path = _pdf_for(app, docname)
    if path is None:
        return None
    here = posixpath.dirname(app.builder.get_target_uri(fromdoc))
    text = _link_text(path.stat().st_size)
    link = nodes.reference(text, text, internal=False, refuri=posixpath.relpath(f"pdf/{docname}.pdf", here or "."))
    link["classes"].append("rapport-pdf-lank")
    return link


def _link_text(size: int) -> str:
    return f"PDF, {format_size(size)}"


def _add_pdf_link(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if not _is_site_builder(app) or not is_report(app.config, docname):
        return
    path = _pdf_for(app, docname)
    if path is None:
        return
    para = nodes.paragraph(classes=["rapport-pdf"])
    link = nodes.reference("", "", internal=False, refuri=_pdf_href(app, docname))
    link["classes"].append("rapport-pdf-lank")
    link += nodes.Text("Ladda ner rapporten")
    para += link
    para += nodes.Text(f" ({_link_text(path.stat().st_size)})")
    insert_under_date(doctree, para)


def _outdated_links(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Report pages whose written HTML shows another PDF state than the PDF dir has now.

    The HTML is written after the PDFs (``make site``), but a page whose source did not
    change is not rewritten; so compare the page on disk with the PDF and re-read the
    pages that differ. Reading the written page keeps this stateless and exact.
    """
    if not _is_site_builder(app):
        return []
    stale = []
    for docname in env.found_docs:
        if docname in added or docname in changed or not is_report(app.config, docname):
            continue
        try:
            written = Path(app.builder.get_outfilename(docname)).read_text(encoding="utf-8")  # type: ignore[attr-defined]
        except (OSError, AttributeError):
            continue
        path = _pdf_for(app, docname)
        expected = f"({_link_text(path.stat().st_size)})" if path else None
        shows = "rapport-pdf" in written
        if (expected is None and shows) or (expected is not None and expected not in written):
            stale.append(docname)
    return stale


def _copy_pdfs(app: Sphinx, exception: Exception | None) -> None:
    """Serve the PDFs: copy ``rapport_pdf_dir`` (without its cache) to ``<html>/pdf``."""
    if exception is not None or not _is_site_builder(app):
        return
    source = pdf_dir(app.config)
    if not source.is_dir():
        return
    target_root = Path(app.outdir, "pdf")
    for path in source.rglob("*.pdf"):
        relative = path.relative_to(source)
        if relative.parts[0] == CACHE_DIR:
            continue
        target = target_root / relative
        stat = path.stat()
        if target.is_file() and target.stat().st_size == stat.st_size and target.stat().st_mtime >= stat.st_mtime:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def _archive_pdf_link(app: Sphinx, fromdoc: str, report: Report, head: nodes.paragraph) -> None:
    """``rapport-archive-entry``: "(PDF, 26 kB)" after a report's line in an archive list."""
    pdf = pdf_link(app, fromdoc, report.docname)
    if pdf is not None:
        head += nodes.Text(" (")
        head += pdf
        head += nodes.Text(")")


def _archive_inputs(app: Sphinx, fromdoc: str, reports: list[Report]) -> list[tuple[str, str]]:
    """``rapport-archive-inputs``: what :func:`_archive_pdf_link` shows for each report."""
    if not _is_site_builder(app):
        return []
    shown = []
    for report in reports:
        path = _pdf_for(app, report.docname)
        shown.append((report.docname, _link_text(path.stat().st_size) if path else ""))
    return shown


def setup(app: Sphinx) -> None:
    app.connect(events.ARCHIVE_ENTRY, _archive_pdf_link)
    app.connect(events.ARCHIVE_INPUTS, _archive_inputs)
    app.connect("doctree-resolved", _add_pdf_link)
    app.connect("env-get-outdated", _outdated_links)
    app.connect("build-finished", _copy_pdfs)
