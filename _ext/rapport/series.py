"""The series as a whole: year pages, the archive lists and the landing page's latest report.

Parsing phase: the ``rapportar`` directive (on ``rapporter/ÅÅÅÅ/index``) builds the
year's toctree, newest first, from the file names. It is not flagged as a glob toctree
(Sphinx would then re-read every year page whenever any page is added); instead
``env-get-outdated`` re-reads the year page of a folder where a report was added or
removed, or whose publication date has come. The lists that need every report's
metadata are :mod:`rapport.registry` aggregates, rendered at ``doctree-resolved``.
Navigation cost per page stays flat because each year is its own toctree branch and the
sidebar is collapsed (see ``conf.py``).

Every report shows its neighbours and "Nytt sedan förra rapporten", which other modules
fill through the ``rapport-new-since`` event; an archive line ends with what the
``rapport-archive-entry`` handlers add (the PDF link of :mod:`rapport.site.pdflinks`).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from rapport import cache, events, frontmatter
from rapport.config import get_series, is_report, settings
from rapport.dates import DateError, format_date, parse_datetime
from rapport.messages import warn
from rapport.registry import (
    AggregateDirective,
    add_aggregate_renderer,
    aggregate,
    digest_of,
    get_domain,
    make_aggregate,
    stable,
    stale_pages,
    writes_pages,
)
from rapport.reports import DATE_KEYS, DRAFT_KEYS, STORE, Report, is_published, published_reports, today
from rapport.topics import Topic, dated_entry, normalise

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

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


def _link(app: Sphinx, fromdoc: str, todoc: str, text: str, anchor: str = "") -> nodes.reference:
    uri = app.builder.get_relative_uri(fromdoc, todoc) + (f"#{anchor}" if anchor else "")
    return nodes.reference(text, text, internal=True, refuri=uri)


def report_link(app: Sphinx, fromdoc: str, report: Report) -> nodes.reference:
    """A link to a report, its text the Swedish compile date ("25 september 2025")."""
    text = format_date(report.compiled.date()) if report.compiled else (report.title or report.docname)
    return _link(app, fromdoc, report.docname, text)


def _source_is_published(app_config: Config, path: str) -> bool:
    """Read a report's front matter from disk (parse time, before the report is read)."""
    if settings(app_config).values.preview:
        return True
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            # the whole file, as Sphinx reads it: utkast: true after 4 kB of front matter
            # must still keep the draft out of the lists
            head = handle.read()
    except OSError:
        return True
    fm = frontmatter.read(head, path)
    if frontmatter.as_bool(frontmatter.lookup(fm, *DRAFT_KEYS)[0]):
        return False
    raw, _ = frontmatter.lookup(fm, *DATE_KEYS)
    if raw is None:
        return True  # shown, and the missing date is reported when the report is read
    try:
        return parse_datetime(raw)[0].date() <= today(app_config)
    except DateError:
        return True


class YearPageDirective(SphinxDirective):
    """``rapportar``: the toctree and the archive list of one year's reports."""

    has_content = False
    option_spec: ClassVar[dict] = {}

    def run(self) -> list[nodes.Node]:
        docname = self.env.docname
        folder = posixpath.dirname(docname)
        prefix = f"{folder}/" if folder else ""
        members = sorted(
            (d for d in self.env.found_docs if d.startswith(prefix) and "/" not in d[len(prefix) :]),
            reverse=True,  # file names start with the date: newest first
        )
        members = [d for d in members if is_report(self.config, d)]
        # the toctree depends on each report's draft flag and date; a change of either
        # re-reads this page (_on_env_get_outdated), an edit of anything else does not
        members = [m for m in members if _source_is_published(self.config, str(self.env.doc2path(m)))]
        toctree = addnodes.toctree()
        toctree["parent"] = docname
        toctree["entries"] = [(nav_title(d), d) for d in members]
        toctree["includefiles"] = members
        toctree["maxdepth"] = 1
        toctree["caption"] = None
        # not flagged as glob: Sphinx would then re-read every year page whenever any
        # page is added; _on_env_get_outdated re-reads just this year's page instead
        toctree["glob"] = False
        toctree["hidden"] = True
        toctree["includehidden"] = False
        toctree["numbered"] = 0
        toctree["titlesonly"] = True
        self.set_source_info(toctree)
        wrapper = nodes.compound(classes=["toctree-wrapper"])
        wrapper += toctree
        listing = make_aggregate(self.env, "year-archive", folder=folder)
        return [wrapper, listing]


class LatestReportDirective(AggregateDirective):
    """``senaste-rapport``: the newest published report, found from the reports' dates."""

    kind = "latest"


def report_entry(app: Sphinx, fromdoc: str, report: Report) -> nodes.list_item:
    """One archive line: date (linked), title, and the first point of the summary."""
    item = nodes.list_item(classes=["rapport-arkivpost"])
    head = nodes.paragraph()
    date_text = format_date(report.compiled.date()) if report.compiled else report.docname
    head += nodes.strong("", "", _link(app, fromdoc, report.docname, date_text))
    # the title usually repeats the date and the series' name, which the line and the
    # page already say: show only what is left ("25 september 2025" once, not twice)
    title = report.title
    if report.compiled and title.endswith(date_text):
        title = title[: -len(date_text)].rstrip(" –-,")
        series = get_series(app.config, report.series)
        if series is not None and title == series.title:
            title = ""
    if title:
        head += nodes.Text(" – " + title)
    # what other modules add to the line (the PDF link on the web site)
    app.events.emit(events.ARCHIVE_ENTRY, fromdoc, report, head)
    item += head
    if report.summary:
        item += nodes.paragraph(report.summary, report.summary, classes=["rapport-sammanfattning"])
    return item


def render_year_archive(app: Sphinx, docname: str, node: aggregate) -> list[nodes.Node]:
    reports = _year_reports(app, node)
    if not reports:
        return [nodes.paragraph("Inga publicerade rapporter detta år.", "Inga publicerade rapporter detta år.")]
    listing = nodes.bullet_list(classes=["rapport-arkiv"])
    listing.extend(report_entry(app, docname, r) for r in reports)
    return [listing]


def _year_reports(app: Sphinx, node: aggregate) -> list[Report]:
    folder = node["folder"]
    prefix = f"{folder}/" if folder else ""
    return [r for r in published_reports(app) if r.docname.startswith(prefix) and "/" not in r.docname[len(prefix) :]]


def year_archive_inputs(app: Sphinx, docname: str, node: aggregate) -> object:
    """What a year page's list shows: its reports (line numbers left out) and what the
    ``rapport-archive-entry`` handlers add to their lines (the PDF links' sizes). With
    it, an edit renders the edited report's year only; every year was rendered at
    every build before (the links' sizes were not an input)."""
    reports = _year_reports(app, node)
    return stable(reports), app.events.emit(events.ARCHIVE_INPUTS, docname, reports)


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


# -- per-report navigation and "Nytt sedan förra rapporten" ---------------------------------
#
# Every report shows its previous and next report and what is new since the previous
# one. Those depend on other reports, but making every report an aggregate page would
# rewrite all 500 of them on every build. Instead env-updated computes a signature of
# what each report shows and returns only the reports whose signature changed (adding
# a report changes its predecessor's "next" link, nothing else).


@dataclass(frozen=True)
class NewItem:
    kind: str  # "Beslut", "Fråga", "Åtgärd"
    text: str
    docname: str = ""  # where it links to ("" for an external url or none)
    anchor: str = ""
    url: str = ""
    state: str = "ny"  # "ny", "ändrad", "ny eller uppdaterad"


def neighbours(app: Sphinx) -> dict[str, tuple[Report | None, Report | None]]:
    """Previous and next published report of the same series, per report docname."""
    return cache.computed(app.env, "neighbours", lambda: _neighbours(app))


def _neighbours(app: Sphinx) -> dict[str, tuple[Report | None, Report | None]]:
    by_series: dict[str, list[Report]] = {}
    for report in sorted(published_reports(app), key=lambda r: r.sort_key):
        by_series.setdefault(report.series, []).append(report)
    result: dict[str, tuple[Report | None, Report | None]] = {}
    for reports in by_series.values():
        for i, report in enumerate(reports):
            prev = reports[i - 1] if i > 0 else None
            nxt = reports[i + 1] if i + 1 < len(reports) else None
            result[report.docname] = (prev, nxt)
    return result


def new_since(app: Sphinx, report: Report) -> list[NewItem]:
    prev, _ = neighbours(app).get(report.docname, (None, None))
    items: list[NewItem] = []
    for found in app.events.emit(events.NEW_SINCE, prev, report):
        items.extend(found)
    return items


def _signature(app: Sphinx, report: Report) -> tuple:
    """Everything a report page shows that comes from other pages. (The sidebar lists
    year pages, not reports: ``max_navbar_depth`` in ``conf.py``.)"""
    prev, nxt = neighbours(app).get(report.docname, (None, None))

    def brief(r: Report | None) -> tuple:
        return (r.docname, r.compiled, r.title) if r else ()

    return (brief(prev), brief(nxt), tuple(new_since(app, report)))


def check_duplicate_dates(app: Sphinx) -> None:
    """Two reports of a series compiled at the same moment: which one is "the latest"?"""
    seen: dict[tuple[str, dt.datetime], Report] = {}
    for report in sorted(get_domain(app.env).records(STORE), key=lambda r: r.docname):
        if report.compiled is None:
            continue
        key = (report.series, report.compiled)
        if key in seen:
            first = seen[key]
            warn(
                "report-duplicate",
                f"Rapporten har samma tidpunkt för sammanställning ({report.date_text}) "
                f"som {app.env.doc2path(first.docname, base=False)}:{first.line}",
                (report.docname, report.line),
            )
        else:
            seen[key] = report


def _on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    check_duplicate_dates(app)
    if not writes_pages(app):
        return []
    digests = {report.docname: digest_of(_signature(app, report)) for report in get_domain(env).records(STORE)}
    return stale_pages(env, app.builder.name, "report-signature", digests)


def _on_env_get_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Re-read the year page of a folder where a report was added or removed, or where
    a changed report went in or out of the published ones (its draft flag or date), and
    year pages where a report's publication date has come since the last build.

    The year page's list of reports is an aggregate (rendered when its inputs change);
    only its toctree is read from the sources, so an edit that keeps a report published
    leaves the year page alone. (Each report was a dependency of its year page before:
    every edit re-read and rewrote the year page.)"""
    domain = get_domain(app.env)
    years = {
        posixpath.join(posixpath.dirname(docname), "index")
        for docname in (*added, *removed)
        if is_report(app.config, docname)
    }
    for docname in changed:
        if not is_report(app.config, docname):
            continue
        year = posixpath.join(posixpath.dirname(docname), "index")
        listed = docname in env.toctree_includes.get(year, ())
        if listed != _source_is_published(app.config, str(env.doc2path(docname))):
            years.add(year)
    now = today(app.config)
    last = domain.last_today
    domain.last_today = now
    if last is None or last == now:
        return sorted(y for y in years if y in app.env.found_docs)
    for report in domain.records(STORE):
        if report.compiled and last < report.compiled.date() <= now:
            years.add(posixpath.join(posixpath.dirname(report.docname), "index"))
    return sorted(y for y in years if y in app.env.found_docs)


def add_report_placeholders(app: Sphinx, report: Report, sections: list[nodes.section]) -> None:
    """``rapport-report-read``: mark where a report shows its navigation and news box."""
    if not sections:
        return
    container = sections[0].parent
    index = container.index(sections[0])
    container.insert(index, aggregate("", kind="new-since"))
    container.append(aggregate("", kind="report-nav"))
    if not is_published(report, app.config):
        # reachable by its address in a preview, but listed in no toctree
        app.env.metadata[report.docname]["orphan"] = True


def render_new_since(app: Sphinx, docname: str, node: aggregate) -> list[nodes.Node]:
    report = get_domain(app.env).store(STORE).get(docname)
    if report is None or not is_published(report, app.config):
        return []
    prev, _ = neighbours(app).get(docname, (None, None))
    if prev is None:
        return []
    items = new_since(app, report)
    box = nodes.container(classes=["rapport-nytt"])
    heading = nodes.paragraph(classes=["rapport-nytt-rubrik"])
    heading += nodes.strong("Nytt sedan förra rapporten", "Nytt sedan förra rapporten")
    heading += nodes.Text(" (")
    heading += report_link(app, docname, prev)
    heading += nodes.Text(")")
    box += heading
    if not items:
        text = "Inga nya beslut, frågor eller åtgärder."
        box += nodes.paragraph(text, text)
        return [box]
    listing = nodes.bullet_list()
    for item in items:
        entry = nodes.paragraph()
        label = f"{item.kind} ({item.state}): "
        entry += nodes.emphasis(label, label)
        if item.docname:
            entry += _link(app, docname, item.docname, item.text, item.anchor)
        elif item.url:
            entry += nodes.reference(item.text, item.text, refuri=item.url)
        else:
            entry += nodes.Text(item.text)
        listing += nodes.list_item("", entry)
    box += listing
    return [box]


def render_report_nav(app: Sphinx, docname: str, node: aggregate) -> list[nodes.Node]:
    prev, nxt = neighbours(app).get(docname, (None, None))
    if prev is None and nxt is None:
        return []
    nav = nodes.container(classes=["rapport-bladdring"])
    if prev is not None:
        para = nodes.paragraph(classes=["rapport-foregaende"])
        para += nodes.Text("Föregående rapport: ")
        para += report_link(app, docname, prev)
        nav += para
    if nxt is not None:
        para = nodes.paragraph(classes=["rapport-nasta"])
        para += nodes.Text("Nästa rapport: ")
        para += report_link(app, docname, nxt)
        nav += para
    return [nav]


def _topic_report_records(app: Sphinx, topic: Topic) -> list[Report]:
    return [r for r in published_reports(app) if topic.slug in {normalise(t) for t in r.topics}]


def _topic_reports(app: Sphinx, topic: Topic, fromdoc: str) -> tuple[str, list[tuple[dt.date, nodes.Node]]]:
    entries = []
    for report in _topic_report_records(app, topic):
        link = _link(app, fromdoc, report.docname, report.title or report.docname)
        extra = [nodes.Text(f" – {report.summary}")] if report.summary else []
        entries.append(dated_entry(report.compiled.date() if report.compiled else None, link, *extra))
    return "Rapporter", entries


def _topics_used(app: Sphinx) -> list[tuple[str, tuple[str, int]]]:
    return [
        (name, (report.docname, report.topics_line))
        for report in get_domain(app.env).records(STORE)
        for name in report.topics
    ]


def setup(app: Sphinx) -> None:
    app.connect(events.TOPIC_ENTRIES, _topic_reports, priority=events.TOPIC_REPORTS)
    app.connect(events.TOPIC_RECORDS, _topic_report_records, priority=events.TOPIC_REPORTS)
    app.connect(events.TOPICS_USED, _topics_used, priority=events.TOPIC_REPORTS)
    app.connect(events.REPORT_READ, add_report_placeholders)
    app.connect("env-updated", _on_env_updated)
    app.connect("env-get-outdated", _on_env_get_outdated)
    add_aggregate_renderer(app, "new-since", render_new_since)
    add_aggregate_renderer(app, "report-nav", render_report_nav)
    app.add_directive("rapportar", YearPageDirective)
    app.add_directive("senaste-rapport", LatestReportDirective)
    add_aggregate_renderer(app, "year-archive", render_year_archive, year_archive_inputs)
    add_aggregate_renderer(app, "latest", render_latest)
