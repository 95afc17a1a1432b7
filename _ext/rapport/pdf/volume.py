"""The bundle's front matter and spec: which reports, the cover and contents, its own process.

Writing phase, at the end of the ``rapportpdf`` build (:meth:`BundleWriter.write_bundle`,
called from :meth:`rapport.pdf.builder.RapportPdfBuilder.finish`). The cover and contents
are laid out here with WeasyPrint; the parts are the per-report PDFs, put together by
:mod:`rapport.pdf.bundle` in a process of its own (:func:`assemble_command`), or by
``rapport bygg`` while the site is built.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

from rapport.config import get_series, published_base_url, settings
from rapport.dates import format_date
from rapport.messages import warn
from rapport.pdf.bundle import ASSEMBLE, DEFER_ENV, BundlePart, BundleSpec, bundle_pages
from rapport.pdf.layout import PdfLayout
from rapport.pdf.records import Rendered, css_string, parse_iso
from rapport.trust.text import strip_controls

if TYPE_CHECKING:
    from rapport.reports import Report

logger = logging.getLogger(__name__)

#: where the ``rapport`` package is imported from, for the bundle's own process
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])


class BundleWriter(PdfLayout):
    """The bundle side of :class:`rapport.pdf.builder.RapportPdfBuilder`."""

    results: dict[str, Rendered]

    if TYPE_CHECKING:

        def reports(self) -> list[Report]: ...

        def appendices(self) -> list[str]: ...

    def bundle_reports(self) -> list[Report]:
        values = settings(self.config).values
        start = parse_iso(values.pdf_from, "rapport_pdf_from")
        end = parse_iso(values.pdf_to, "rapport_pdf_to")
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
        values = settings(self.config).values
        name = values.pdf_bundle
        if values.pdf_from or values.pdf_to:
            name += f"-{values.pdf_from or 'start'}--{values.pdf_to or 'slut'}"
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
                    header=css_string(series_title),
                    footer=css_string(f"Samlingsvolym {period}"),
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
