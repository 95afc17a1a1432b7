"""The series as a whole: year pages, the archive lists and the landing page's latest report.

Parsing phase: the ``rapportar`` directive (on ``rapporter/ÅÅÅÅ/index``) builds the
year's toctree, newest first, from the file names; it is flagged as a glob toctree so
Sphinx re-reads the year page whenever a report is added or removed. The lists that
need every report's metadata are :mod:`rapport.registry` aggregates, rendered at
``doctree-resolved``. Navigation cost per page stays flat because each year is its own
toctree branch and the sidebar is collapsed (see ``conf.py``).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from .config import is_report
from .dates import format_date
from .registry import add_aggregate_renderer, aggregate, get_domain, make_aggregate
from .reports import STORE, Report

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

_FILE_DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def nav_title(docname: str) -> str | None:
    """``2025-09-25`` (or ``2025-09-25-1400``) -> ``25 september 2025`` for the sidebar."""
    match = _FILE_DATE_RE.match(docname.rsplit("/", 1)[-1])
    if not match:
        return None
    try:
        return format_date(dt.date.fromisoformat(match.group(1)))
    except ValueError:
        return None


def today(config: Config) -> dt.date:
    """The publication date used to hide future reports; fixed by ``rapport_today`` in tests."""
    value = config.rapport_today
    return dt.date.fromisoformat(value) if value else dt.date.today()


def is_published(report: Report, config: Config) -> bool:
    """Drafts and future reports show only in a preview build (``rapport_preview``)."""
    if config.rapport_preview:
        return True
    if report.draft or report.compiled is None:
        return False
    return report.compiled.date() <= today(config)


def published_reports(app: Sphinx) -> list[Report]:
    """All published reports, newest first."""
    reports = [r for r in get_domain(app.env).records(STORE) if is_published(r, app.config)]
    return sorted(reports, key=lambda r: r.sort_key, reverse=True)


def _link(app: Sphinx, fromdoc: str, todoc: str, text: str, anchor: str = "") -> nodes.reference:
    uri = app.builder.get_relative_uri(fromdoc, todoc) + (f"#{anchor}" if anchor else "")
    return nodes.reference(text, text, internal=True, refuri=uri)


class YearPageDirective(SphinxDirective):
    """``rapportar``: the toctree and the archive list of one year's reports."""

    has_content = False
    option_spec: ClassVar[dict] = {}

    def run(self) -> list[nodes.Node]:
        docname = self.env.docname
        folder = posixpath.dirname(docname)
        prefix = f"{folder}/" if folder else ""
        members = sorted(
            (d for d in self.env.found_docs if d.startswith(prefix) and "/" not in d[len(prefix):]),
            reverse=True,  # file names start with the date: newest first
        )
        members = [d for d in members if is_report(self.config, d)]
        toctree = addnodes.toctree()
        toctree["parent"] = docname
        toctree["entries"] = [(nav_title(d), d) for d in members]
        toctree["includefiles"] = members
        toctree["maxdepth"] = 1
        toctree["caption"] = None
        # flagged as glob so Sphinx re-reads this page when a report is added or removed
        toctree["glob"] = True
        toctree["hidden"] = True
        toctree["includehidden"] = False
        toctree["numbered"] = 0
        toctree["titlesonly"] = True
        self.set_source_info(toctree)
        wrapper = nodes.compound(classes=["toctree-wrapper"])
        wrapper += toctree
        listing = make_aggregate(self.env, "year-archive", folder=folder)
        return [wrapper, listing]


class LatestReportDirective(SphinxDirective):
    """``senaste-rapport``: the newest published report, found from the reports' dates."""

    has_content = False
    option_spec: ClassVar[dict] = {}

    def run(self) -> list[nodes.Node]:
        return [make_aggregate(self.env, "latest")]


def report_entry(app: Sphinx, fromdoc: str, report: Report) -> nodes.list_item:
    """One archive line: date (linked), title, and the first point of the summary."""
    item = nodes.list_item(classes=["rapport-arkivpost"])
    head = nodes.paragraph()
    date_text = format_date(report.compiled.date()) if report.compiled else report.docname
    head += nodes.strong("", "", _link(app, fromdoc, report.docname, date_text))
    if report.title:
        head += nodes.Text(" – " + report.title)
    item += head
    if report.summary:
        item += nodes.paragraph(report.summary, report.summary, classes=["rapport-sammanfattning"])
    return item


def render_year_archive(app: Sphinx, docname: str, node: aggregate) -> list[nodes.Node]:
    folder = node["folder"]
    prefix = f"{folder}/" if folder else ""
    reports = [
        r for r in published_reports(app) if r.docname.startswith(prefix) and "/" not in r.docname[len(prefix):]
    ]
    if not reports:
        return [nodes.paragraph("Inga publicerade rapporter detta år.", "Inga publicerade rapporter detta år.")]
    listing = nodes.bullet_list(classes=["rapport-arkiv"])
    listing.extend(report_entry(app, docname, r) for r in reports)
    return [listing]


def render_latest(app: Sphinx, docname: str, node: aggregate) -> list[nodes.Node]:
    reports = published_reports(app)
    if not reports:
        text = "Ingen rapport är publicerad ännu."
        return [nodes.paragraph(text, text)]
    latest = reports[0]
    box = nodes.container(classes=["rapport-senaste"])
    heading = nodes.paragraph(classes=["rapport-senaste-rubrik"])
    heading += nodes.strong("", "", _link(app, docname, latest.docname, latest.title or latest.docname))
    box += heading
    if latest.compiled:
        meta = f"Sammanställt {latest.date_text}"
        box += nodes.paragraph(meta, meta, classes=["rapport-meta"])
    if latest.summary:
        box += nodes.paragraph(latest.summary, latest.summary, classes=["rapport-sammanfattning"])
    more = nodes.paragraph()
    more += _link(app, docname, latest.docname, "Läs hela rapporten")
    box += more
    return [box]


def setup(app: Sphinx) -> None:
    app.add_config_value("rapport_today", "", "env", types=[str])
    app.add_config_value("rapport_preview", False, "env", types=[bool])
    app.add_directive("rapportar", YearPageDirective)
    app.add_directive("senaste-rapport", LatestReportDirective)
    add_aggregate_renderer("year-archive", render_year_archive)
    add_aggregate_renderer("latest", render_latest)
