"""Communication actions ("Kommunikativa åtgärder, urval") and the timeline page.

Reading phase: after a report is read (the ``rapport-report-read`` event), every list
item of a section configured with ``"actions": True`` becomes an :class:`Action`::

    - 23/9 Regionstyrelsen: [Regionstyrelsen 23 september](https://...) – om bl.a. ...
    - 2025-09-16: [Expertgruppen lämnar utlåtande ...](https://...)

The date is D/M (the year is the report's; a date after the report's own date belongs
to the year before) or ISO; the channel before the colon is optional. Nothing new to
learn for the writer: the list keeps reading like the original report.

Writing phase: the ``tidslinje`` aggregate lists every action of every published
report, newest first, the same action carried by several reports shown once with all
of them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docutils import nodes

from rapport import cache, events
from rapport.config import get_series
from rapport.dates import MONTHS, format_date
from rapport.events import SearchRecord
from rapport.links import classify_link, find_link
from rapport.messages import warn
from rapport.registry import (
    AggregateDirective,
    add_aggregate_renderer,
    aggregate,
    get_domain,
    register_store,
    stable,
)
from rapport.reports import Report, published_reports
from rapport.series import NewItem, report_link
from rapport.topics import Topic

if TYPE_CHECKING:
    from sphinx.application import Sphinx

STORE = "actions"

_ITEM_RE = re.compile(
    r"^\s*(?P<date>\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2})(?:\s+(?P<channel>[^:\n]{1,60}?))?\s*:\s*(?P<rest>.*)$",
    re.DOTALL,
)


@dataclass(frozen=True)
class Action:
    docname: str  # the report that carries the action
    date: dt.date
    channel: str
    title: str
    url: str | None  # external link; None for a placeholder link
    comment: str
    line: int

    @property
    def key(self) -> tuple[str, str]:
        """Identity across reports: the same action repeated in several reports."""
        return (self.date.isoformat(), " ".join(self.title.lower().split()))


def _resolve_day(text: str, report_date: dt.date) -> dt.date:
    if "-" in text:
        return dt.date.fromisoformat(text)
    day, month = (int(part) for part in text.split("/"))
    candidate = dt.date(report_date.year, month, day)
    # "28/12" in a report of 5 January is last year's
    if candidate > report_date + dt.timedelta(days=31):
        candidate = dt.date(report_date.year - 1, month, day)
    return candidate


def extract_actions(app: Sphinx, report: Report, sections: list[nodes.section]) -> None:
    """``rapport-report-read``: turn the list items of action sections into records."""
    series = get_series(app.config, report.series)
    if series is None:
        return
    action_keys = {spec.key for spec in series.sections if spec.actions}
    records: list[Action] = []
    for section in sections:
        if section.get("rapport_section") not in action_keys:
            continue
        for item in section.findall(nodes.list_item):
            if not isinstance(item.parent, nodes.bullet_list) or item.parent.parent is not section:
                continue  # only the section's own top-level list
            para = item.next_node(nodes.paragraph)
            if para is None:
                continue
            line = para.line or item.line or section.line or 1
            location = (report.docname, line)
            text = " ".join(para.astext().split())
            match = _ITEM_RE.match(text)
            if not match:
                warn(
                    "action-date",
                    f"Åtgärden ”{text[:60]}” saknar datum; skriv till exempel ”23/9: [Titel](länk)”",
                    location,
                )
                continue
            if report.compiled is None:
                continue  # the missing compile date is already reported
            try:
                day = _resolve_day(match["date"], report.compiled.date())
            except ValueError:
                warn("action-date", f"Åtgärden har ett ogiltigt datum ”{match['date']}”", location)
                continue
            link = find_link(para)
            if link is None:
                broken = re.search(r"\]\((.*)\)", text)
                if broken:  # the Markdown parser refused the link (e.g. javascript:)
                    warn(
                        "action-link",
                        f"Åtgärdens länk ”{broken.group(1)}” är felaktig; "
                        "endast http-, https- och mailto-länkar godtas",
                        location,
                    )
                else:
                    warn("action-link", f"Åtgärden ”{text[:60]}” saknar länk", location)
                continue
            kind, value = classify_link(link)
            if kind == "invalid":
                warn("action-link", f"Åtgärdens länk ”{value}” är felaktig", location)
                continue
            title = " ".join(link.astext().split())
            after = text.split(title, 1)[1] if title in text else ""
            comment = after.strip().lstrip("–—-").strip()
            records.append(
                Action(
                    docname=report.docname,
                    date=day,
                    channel=(match["channel"] or "").strip(),
                    title=title,
                    url=value if kind == "external" else None,
                    comment=comment,
                    line=line,
                )
            )
    if records:
        get_domain(app.env).store(STORE)[report.docname] = records


def grouped_actions(app: Sphinx, reports: list[Report]) -> list[tuple[Action, list[Report]]]:
    """Actions of the given reports, once each with the reports carrying them, newest first."""
    by_doc = {r.docname: r for r in reports}
    groups: dict[tuple[str, str], list[Action]] = defaultdict(list)
    for action in get_domain(app.env).records(STORE):
        if action.docname in by_doc:
            groups[action.key].append(action)
    result = []
    for key in sorted(groups, reverse=True):
        actions = groups[key]
        carriers = sorted({by_doc[a.docname] for a in actions}, key=lambda r: r.sort_key, reverse=True)
        # the newest report's wording wins (it may have corrected a link)
        newest = next(a for a in actions if a.docname == carriers[0].docname)
        result.append((newest, carriers))
    return result


def published_grouped_actions(app: Sphinx) -> list[tuple[Action, list[Report]]]:
    """:func:`grouped_actions` of the published reports, once per build (the timeline and
    every topic page read it)."""
    return cache.computed(app.env, "grouped-actions", lambda: grouped_actions(app, published_reports(app)))


def action_paragraph(action: Action) -> nodes.paragraph:
    para = nodes.paragraph(classes=["rapport-atgard"])
    date = format_date(action.date)
    para += nodes.strong(date, date)
    # one pattern for every entry, "date: title (channel) – comment": with the channel
    # between date and title, entries with and without one were punctuated unevenly
    para += nodes.Text(": ")
    if action.url:
        para += nodes.reference(action.title, action.title, refuri=action.url)
    else:
        para += nodes.inline(action.title, action.title, classes=["rapport-platshallare"])
    if action.channel:
        para += nodes.Text(f" ({action.channel})")
    if action.comment:
        para += nodes.Text(f" – {action.comment}")
    return para


class TimelineDirective(AggregateDirective):
    """``tidslinje``: every communication action of every published report."""

    kind = "timeline"


def render_timeline(app: Sphinx, docname: str, node: aggregate) -> list[nodes.Node]:
    groups = published_grouped_actions(app)
    if not groups:
        text = "Inga kommunikativa åtgärder är publicerade ännu."
        return [nodes.paragraph(text, text)]
    result: list[nodes.Node] = []
    current_month = None
    listing: nodes.bullet_list | None = None
    for action, carriers in groups:
        month = (action.date.year, action.date.month)
        if month != current_month:
            current_month = month
            label = f"{MONTHS[month[1] - 1].capitalize()} {month[0]}"
            result.append(nodes.rubric(label, label, classes=["rapport-tidslinje-manad"]))
            listing = nodes.bullet_list(classes=["rapport-tidslinje"])
            result.append(listing)
        item = nodes.list_item()
        item += action_paragraph(action)
        carried = nodes.paragraph(classes=["rapport-omnamnt"])
        carried += nodes.Text("Omnämnt i: ")  # the same words as under decisions and FAQ entries
        for index, report in enumerate(carriers):
            if index:
                carried += nodes.Text(", ")
            carried += report_link(app, docname, report)
        item += carried
        assert listing is not None
        listing += item
    return result


def timeline_inputs(app: Sphinx, docname: str, node: aggregate) -> object:
    """What the timeline shows: every published action and the reports that carry it."""
    return tuple(
        (stable(action), tuple((r.docname, r.compiled, r.title) for r in carriers))
        for action, carriers in published_grouped_actions(app)
    )


def _new_actions(app: Sphinx, previous: Report | None, report: Report) -> list[NewItem]:
    """ "Nytt sedan förra rapporten": actions this report carries that the previous did not."""
    store = get_domain(app.env).store(STORE)
    before = {a.key for a in store.get(previous.docname, [])} if previous else set()
    return [
        NewItem("Åtgärd", f"{format_date(a.date)}: {a.title}", url=a.url or "")
        for a in store.get(report.docname, [])
        if a.key not in before
    ]


def _topic_action_records(app: Sphinx, topic: Topic) -> list[Action]:
    keywords = [k.lower() for k in topic.keywords]
    return [
        action
        for action, _carriers in published_grouped_actions(app)
        if any(k in f"{action.title} {action.comment}".lower() for k in keywords)
    ]


def _topic_actions(app: Sphinx, topic: Topic, fromdoc: str) -> tuple[str, list[tuple[dt.date, nodes.Node]]]:
    entries = [(action.date, action_paragraph(action)) for action in _topic_action_records(app, topic)]
    return "Kommunikativa åtgärder", entries


def search_records(app: Sphinx) -> list[SearchRecord]:
    """One search hit per communication action (``rapport-search-records``), linked to
    its report's action section; actions of pages that are not reports have none."""
    store = get_domain(app.env).store(STORE)
    reports = get_domain(app.env).store("reports")
    return [
        SearchRecord(
            kind="åtgärd",
            docname=docname,
            anchor="atgarder",
            title=action.title,
            text=" ".join(p for p in (action.channel, action.title, action.comment) if p),
            date=action.date.isoformat(),
        )
        for docname in sorted(store)
        if docname in reports
        for action in store[docname]
    ]


def setup(app: Sphinx) -> None:
    register_store(app, STORE)
    app.connect(events.REPORT_READ, extract_actions)
    app.connect(events.NEW_SINCE, _new_actions, priority=events.NEW_SINCE_ACTIONS)
    app.connect(events.TOPIC_ENTRIES, _topic_actions, priority=events.TOPIC_ACTIONS)
    app.connect(events.TOPIC_RECORDS, _topic_action_records, priority=events.TOPIC_ACTIONS)
    app.add_directive("tidslinje", TimelineDirective)
    add_aggregate_renderer(app, "timeline", render_timeline, timeline_inputs)
    app.connect(events.SEARCH_RECORDS, search_records, priority=events.SEARCH_ACTIONS)
