"""The report model: front matter -> a typed :class:`Report` record in the domain.

Runs at ``doctree-read`` for every page matching ``rapport_report_patterns`` (priority
400, before Sphinx's own collectors at 500 so the sections inserted here reach the
table of contents). It reads the front matter (compile time, series, draft flag,
topics), shows "Sammanställt 25 september 2025 kl. 8.30" under the heading, completes
and checks the standard sections, stores the record for the aggregate pages and emits
``rapport-report-read`` so other modules derive their records from the report's page
(:mod:`rapport.series`, :mod:`rapport.entries.actions`).

The publication rules live here too (:func:`is_published`, :func:`published_reports`):
every output asks them, and they need nothing but the report record and the config.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docutils import nodes

from rapport import cache, events, frontmatter
from rapport.config import get_series, is_report, settings
from rapport.dates import DateError, format_datetime, parse_datetime
from rapport.messages import warn
from rapport.registry import get_domain, register_store
from rapport.sections import SECTION_ATTR, complete_sections

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

STORE = "reports"

DATE_KEYS = ("sammanstallt", "sammanställt")
SERIES_KEYS = ("serie",)
DRAFT_KEYS = ("utkast",)
TOPIC_KEYS = ("amnen", "ämnen")


@dataclass(frozen=True)
class Report:
    docname: str
    series: str
    title: str
    compiled: dt.datetime | None  # None when the front matter lacks a readable date
    has_time: bool
    draft: bool
    topics: tuple[str, ...]
    summary: str  # first point of the first section, for archive lists
    sections: tuple[str, ...]  # section keys in page order
    line: int  # line of the compile date, for warnings about the report as a whole
    topics_line: int = 1  # line of the topics in the front matter

    @property
    def sort_key(self) -> tuple[dt.datetime, str]:
        return (self.compiled or dt.datetime.min, self.docname)

    @property
    def date_text(self) -> str:
        return format_datetime(self.compiled, self.has_time) if self.compiled else ""


def _title(doctree: nodes.document) -> tuple[nodes.section | None, str, int]:
    for child in doctree.findall(nodes.section):
        title = child.next_node(nodes.title)
        if title is not None:
            return child, title.astext(), title.line or child.line or 1
    return None, "", 1


def insert_under_date(doctree: nodes.document, para: nodes.Element) -> None:
    """Put ``para`` right under the report's "Sammanställt …" line (or, without one, right
    under the page title); writing phase, for what builders add there (PDF link, web address)."""
    meta = next(
        iter(doctree.findall(lambda n: isinstance(n, nodes.paragraph) and "rapport-meta" in n["classes"])), None
    )
    if meta is not None:
        meta.parent.insert(meta.parent.index(meta) + 1, para)
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None:
        section.insert(1, para)


def first_point(section: nodes.section | None) -> str:
    """The first list item (or paragraph) of a section, as one line of plain text."""
    if section is None:
        return ""
    for node in section.findall(lambda n: isinstance(n, (nodes.list_item, nodes.paragraph))):
        if isinstance(node, nodes.list_item):
            para = node.next_node(nodes.paragraph)
            text = (para or node).astext()
        else:
            text = node.astext()
        text = " ".join(text.split())
        if text:
            return text
    return ""


def read_report(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    docname = env.docname
    if not is_report(app.config, docname):
        return
    source = str(env.doc2path(docname))
    try:
        with open(source, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        text = ""
    fm = frontmatter.read(text, source)
    if fm.error:
        warn("frontmatter", f"Front matter går inte att läsa: {fm.error}", (docname, fm.error_line))

    series_key, series_line = frontmatter.lookup(fm, *SERIES_KEYS)
    series = get_series(app.config, series_key)
    if series is None:
        known = ", ".join(sorted(settings(app.config).series))
        warn("series-unknown", f"Okänd serie ”{series_key}”; kända serier: {known}", (docname, series_line))
        series = get_series(app.config)
        assert series is not None

    raw_date, date_line = frontmatter.lookup(fm, *DATE_KEYS)
    compiled: dt.datetime | None = None
    has_time = False
    if raw_date is None:
        if not fm.error:
            warn(
                "date-missing",
                "Uppgift om när rapporten sammanställdes saknas "
                "(lägg till sammanstallt: ÅÅÅÅ-MM-DD TT:MM i front matter)",
                (docname, 1),
            )
    else:
        try:
            compiled, has_time = parse_datetime(raw_date)
        except DateError as exc:
            warn("date-invalid", f"Sammanställt: {exc}", (docname, date_line))

    top, title, title_line = _title(doctree)
    if compiled is not None and top is not None:
        meta = nodes.paragraph("", "", classes=["rapport-meta"])
        meta += nodes.Text("Sammanställt ")
        meta += nodes.inline("", format_datetime(compiled, has_time), classes=["rapport-datum"])
        meta.source, meta.line = source, date_line
        top.insert(1, meta)

    sections = complete_sections(env, docname, doctree, series, title_line)
    first = next((s for s in sections if s[SECTION_ATTR] == series.sections[0].key), None)
    draft_value, _ = frontmatter.lookup(fm, *DRAFT_KEYS)
    topics_value, topics_line = frontmatter.lookup(fm, *TOPIC_KEYS)
    report = Report(
        docname=docname,
        series=series.key,
        title=title,
        compiled=compiled,
        has_time=has_time,
        draft=frontmatter.as_bool(draft_value),
        topics=frontmatter.as_list(topics_value),
        summary=first_point(first),
        sections=tuple(s[SECTION_ATTR] for s in sections),
        line=date_line,
        topics_line=topics_line,
    )
    get_domain(env).store(STORE)[docname] = report
    app.events.emit(events.REPORT_READ, report, sections)


# -- publication -------------------------------------------------------------------------


def today(config: Config) -> dt.date:
    """The publication date used to hide future reports; fixed by ``rapport_today`` in tests."""
    value = settings(config).values.today
    return dt.date.fromisoformat(value) if value else dt.date.today()


def is_published(report: Report, config: Config) -> bool:
    """Drafts and future reports show only in a preview build (``rapport_preview``)."""
    if settings(config).values.preview:
        return True
    if report.draft or report.compiled is None:
        return False
    return report.compiled.date() <= today(config)


def published_reports(app: Sphinx) -> list[Report]:
    """All published reports, newest first (once per build: every archive, topic and
    timeline renderer asks for it). Do not modify the returned list."""

    def compute() -> list[Report]:
        reports = [r for r in get_domain(app.env).records(STORE) if is_published(r, app.config)]
        return sorted(reports, key=lambda r: r.sort_key, reverse=True)

    return cache.computed(app.env, "published-reports", compute)


def setup(app: Sphinx) -> None:
    register_store(app, STORE)
    app.connect("doctree-read", read_report, priority=events.REPORT)
