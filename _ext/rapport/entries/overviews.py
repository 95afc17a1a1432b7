"""Decisions and FAQ entries on the pages that follow the series over time.

Writing phase only: the topic pages (:mod:`rapport.topics`) list the decisions and FAQ
entries of their topic, and every report's "Nytt sedan förra rapporten" box
(:mod:`rapport.series`) lists the decisions dated, and the FAQ entries updated, after
the previous report up to this one. The unknown-topic check also covers their topics.
The records are read from the decision and FAQ stores through the attributes the
registry modules give them (``date``/``topics``, ``updated``/``topic``, ``anchor``,
``link_text()``), so this module adds views without touching how entries are declared.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from docutils import nodes

from rapport import cache, events
from rapport.config import is_report
from rapport.entries.references import make_link
from rapport.registry import get_domain
from rapport.reports import STORE as REPORTS
from rapport.reports import Report, is_published
from rapport.series import NewItem
from rapport.topics import Topic, dated_entry, normalise

if TYPE_CHECKING:
    from sphinx.application import Sphinx

DECISIONS = "decisions"
FAQ = "faq"


def _entries(app: Sphinx, store: str) -> list[Any]:
    """Entries of a store, except those declared in a report that is not published.

    Computed once per build (every topic page and every report's news box asks)."""
    return cache.computed(app.env, ("published-entries", store), lambda: list(_published_entries(app, store)))


def _published_entries(app: Sphinx, store: str) -> Iterator[Any]:
    domain = get_domain(app.env)
    if store not in domain.data:
        return
    reports = domain.store(REPORTS)
    for entry in domain.records(store):
        report = reports.get(entry.docname)
        if report is not None and not is_published(report, app.config):
            continue
        if report is None and is_report(app.config, entry.docname):
            continue  # a report without a readable date is not published either
        yield entry


def _link(app: Sphinx, fromdoc: str, entry: Any, text: str) -> nodes.reference:
    return make_link(app, fromdoc, entry, nodes.inline(text, text), explicit=True)


# -- topic pages ------------------------------------------------------------------------


def _topic_decision_records(app: Sphinx, topic: Topic) -> list[Any]:
    return [d for d in _entries(app, DECISIONS) if topic.slug in {normalise(t) for t in d.topics}]


def _topic_decisions(app: Sphinx, topic: Topic, fromdoc: str) -> tuple[str, list[tuple[dt.date, nodes.Node]]]:
    result = []
    for decision in _topic_decision_records(app, topic):
        label = f"{decision.organ}: {decision.title}" if decision.organ else decision.title
        link = _link(app, fromdoc, decision, label or decision.id)
        result.append(dated_entry(decision.date, link, label=getattr(decision, "date_text", "")))
    return "Beslut", result


def _topic_faq_records(app: Sphinx, topic: Topic) -> list[Any]:
    return [e for e in _entries(app, FAQ) if e.topic and normalise(e.topic) == topic.slug]


def _topic_faq(app: Sphinx, topic: Topic, fromdoc: str) -> tuple[str, list[tuple[dt.date, nodes.Node]]]:
    return "Frågor och svar", [
        dated_entry(entry.updated, _link(app, fromdoc, entry, entry.link_text()))
        for entry in _topic_faq_records(app, topic)
    ]


def _decision_topics_used(app: Sphinx) -> list[tuple[str, tuple[str, int]]]:
    return [(t, (d.docname, d.line)) for d in _entries(app, DECISIONS) for t in d.topics]


def _faq_topics_used(app: Sphinx) -> list[tuple[str, tuple[str, int]]]:
    return [(e.topic, (e.docname, e.line)) for e in _entries(app, FAQ) if e.topic]


# -- "Nytt sedan förra rapporten" ---------------------------------------------------------


def _window(previous: Report | None, report: Report) -> tuple[dt.date, dt.date] | None:
    if previous is None or previous.compiled is None or report.compiled is None:
        return None
    return previous.compiled.date(), report.compiled.date()


def _dated(app: Sphinx, store: str, attribute: str) -> tuple[list[dt.date], list[Any]]:
    """Published entries with a date, sorted by it; computed once per build.

    Every report asks for its window at env-updated, so 520 reports scanning 1,500
    entries each became the largest cost of an incremental build; a bisect on one
    sorted list is enough.
    """

    def compute() -> tuple[list[dt.date], list[Any]]:
        dated = sorted(
            ((getattr(e, attribute), e.id, e) for e in _entries(app, store) if getattr(e, attribute) is not None),
            key=lambda item: (item[0], item[1]),
        )
        return [d for d, _, _ in dated], [e for _, _, e in dated]

    return cache.computed(app.env, ("dated-entries", store, attribute), compute)


def _in_window(app: Sphinx, store: str, attribute: str, previous: Report | None, report: Report) -> list[Any]:
    window = _window(previous, report)
    if window is None:
        return []
    dates, entries = _dated(app, store, attribute)
    # after the previous report's day, up to and including this report's day
    return entries[bisect.bisect_right(dates, window[0]) : bisect.bisect_right(dates, window[1])]


def _new_decisions(app: Sphinx, previous: Report | None, report: Report) -> list[NewItem]:
    items = [
        NewItem("Beslut", d.link_text(), d.docname, d.anchor)
        for d in _in_window(app, DECISIONS, "date", previous, report)
    ]
    return sorted(items, key=lambda i: i.text)


def _new_faq(app: Sphinx, previous: Report | None, report: Report) -> list[NewItem]:
    items = [
        NewItem("Fråga", e.link_text(), e.docname, e.anchor, state="ny eller uppdaterad")
        for e in _in_window(app, FAQ, "updated", previous, report)
    ]
    return sorted(items, key=lambda i: i.text)


def setup(app: Sphinx) -> None:
    app.connect(events.TOPIC_ENTRIES, _topic_decisions, priority=events.TOPIC_DECISIONS)
    app.connect(events.TOPIC_ENTRIES, _topic_faq, priority=events.TOPIC_FAQ)
    app.connect(events.TOPIC_RECORDS, _topic_decision_records, priority=events.TOPIC_DECISIONS)
    app.connect(events.TOPIC_RECORDS, _topic_faq_records, priority=events.TOPIC_FAQ)
    app.connect(events.TOPICS_USED, _decision_topics_used, priority=events.TOPIC_DECISIONS)
    app.connect(events.TOPICS_USED, _faq_topics_used, priority=events.TOPIC_FAQ)
    app.connect(events.NEW_SINCE, _new_decisions, priority=events.NEW_SINCE_DECISIONS)
    app.connect(events.NEW_SINCE, _new_faq, priority=events.NEW_SINCE_FAQ)
