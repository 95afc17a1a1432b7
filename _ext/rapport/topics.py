"""Topics (ämnen): one page per topic listing everything about it over time.

A topic is declared by its own page, ``docs/amnen/<namn>.md``::

    # Ambulink

    :::{amne} Ambulink
    :nyckelord: Ambulink
    Ambulink är ett system som används av ambulanssjukvården.
    :::

so the set of topics is the set of those pages (a fixed list: a topic used elsewhere
that has no page is reported). Reports carry topics in front matter (``amnen``),
decisions and FAQ entries in their options; actions match a topic when one of its
keywords occurs in their title or comment.

Phases: the directive records the topic while its page is read; the unknown-topic check
runs at ``env-updated`` (it needs every page); the listing is an aggregate rendered at
``doctree-resolved``. What a topic page lists comes from the modules that own the
records, through two events: ``rapport-topic-entries`` (a heading and its dated
entries) and ``rapport-topics-used`` (every topic name a record uses, with its location,
for the unknown-topic check).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from rapport import cache, events
from rapport.dates import format_date
from rapport.messages import warn
from rapport.registry import (
    AggregateDirective,
    add_aggregate_renderer,
    aggregate,
    get_domain,
    make_aggregate,
    register_store,
    stable,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx

STORE = "topics"


@dataclass(frozen=True)
class Topic:
    docname: str
    name: str
    keywords: tuple[str, ...]
    line: int

    @property
    def slug(self) -> str:
        return normalise(self.name)


def normalise(name: str) -> str:
    return " ".join(name.lower().split())


def display_name(app: Sphinx, topic: Topic) -> str:
    """The topic as its page's title spells it ("Expertgruppen" for a topic declared
    ``expertgruppen``), so one topic is written one way wherever it is listed."""
    title = app.env.titles.get(topic.docname)
    if title is not None and normalise(title.astext()) == topic.slug:
        return title.astext()
    return topic.name


def _keywords(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class TopicDirective(SphinxDirective):
    """``amne``: declares a topic on its own page and lists everything about it."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict] = {"nyckelord": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        name = " ".join(self.arguments[0].split())
        keywords = tuple(_keywords(self.options.get("nyckelord", ""))) or (name,)
        topic = Topic(self.env.docname, name, keywords, self.lineno)
        get_domain(self.env).store(STORE).setdefault(self.env.docname, []).append(topic)
        result: list[nodes.Node] = []
        if self.content:
            result.extend(self.parse_content_to_nodes())
        result.append(make_aggregate(self.env, "topic", topic=name))
        return result


class TopicIndexDirective(AggregateDirective):
    """``amnesindex``: every topic with how much there is about it."""

    kind = "topic-index"


def all_topics(app: Sphinx) -> dict[str, Topic]:
    return {t.slug: t for t in get_domain(app.env).records(STORE)}


def _entries(app: Sphinx, topic: Topic, fromdoc: str) -> list[tuple[str, list[tuple[dt.date, nodes.Node]]]]:
    """Each contributing module's heading and entries, in the order of their priorities
    (once per build and page)."""
    return cache.computed(
        app.env,
        ("topic-entries", topic.slug, fromdoc),
        lambda: list(app.events.emit(events.TOPIC_ENTRIES, topic, fromdoc)),
    )


def topic_records(app: Sphinx, topic: Topic) -> list[list[Any]]:
    """Each contributor's records for ``topic`` (``rapport-topic-records``), in the order
    of its entries; once per build."""
    return cache.computed(
        app.env, ("topic-records", topic.slug), lambda: list(app.events.emit(events.TOPIC_RECORDS, topic))
    )


def topic_inputs(app: Sphinx, docname: str, node: aggregate) -> object:
    """What a topic page shows: its topic and the records of its entries. With it an edit
    renders the pages of the edited report's topics; every topic page and the topic
    index were rendered on any change of any store before (``inputs="stores"``)."""
    topic = all_topics(app).get(normalise(node["topic"]))
    if topic is None:
        return ("okänt ämne", normalise(node["topic"]))
    return stable(topic), stable(topic_records(app, topic))


def topic_index_inputs(app: Sphinx, docname: str, node: aggregate) -> object:
    """What the topic index shows: each topic's page, name and number of entries."""
    return [
        (stable(topic), display_name(app, topic), sum(len(records) for records in topic_records(app, topic)))
        for topic in sorted(all_topics(app).values(), key=lambda t: t.slug)
    ]


def render_topic(app: Sphinx, docname: str, node: aggregate) -> list[nodes.Node]:
    topic = all_topics(app).get(normalise(node["topic"]))
    if topic is None:
        return []
    result: list[nodes.Node] = []
    for heading, entries in _entries(app, topic, docname):
        if not entries:
            continue
        result.append(nodes.rubric(heading, heading, classes=["rapport-amne-rubrik"]))
        listing = nodes.bullet_list(classes=["rapport-amne-lista"])
        for _, entry in sorted(entries, key=lambda e: e[0], reverse=True):
            listing += nodes.list_item("", entry)
        result.append(listing)
    if not result:
        text = "Inget publicerat om ämnet ännu."
        result.append(nodes.paragraph(text, text))
    return result


def render_topic_index(app: Sphinx, docname: str, node: aggregate) -> list[nodes.Node]:
    topics = sorted(all_topics(app).values(), key=lambda t: t.slug)
    listing = nodes.bullet_list(classes=["rapport-amnen"])
    for topic in topics:
        # one entry per record: counted without making the entries
        count = sum(len(records) for records in topic_records(app, topic))
        para = nodes.paragraph()
        uri = app.builder.get_relative_uri(docname, topic.docname)
        name = display_name(app, topic)
        para += nodes.reference(name, name, internal=True, refuri=uri)
        para += nodes.Text(f" ({count} {'post' if count == 1 else 'poster'})")
        listing += nodes.list_item("", para)
    return [listing]


def check_topics(app: Sphinx, env: Any) -> None:
    """``env-updated``: topics used on pages must have a topic page (when any exist)."""
    known = all_topics(app)
    if not known:
        return  # topics are free text until the first topic page exists
    names = ", ".join(sorted(t.name for t in known.values()))
    for used in app.events.emit(events.TOPICS_USED):
        for name, location in used:
            if normalise(name) not in known:
                warn("topic-unknown", f"Okänt ämne ”{name}”; kända ämnen: {names}", location)


def dated_entry(date: dt.date | None, *content: nodes.Node, label: str = "") -> tuple[dt.date, nodes.Node]:
    """A list entry "25 september 2025: ..." sorted by ``date``; ``label`` replaces the
    shown date (e.g. "senast 25 september 2025" for a decision known only by then)."""
    para = nodes.paragraph()
    if date is not None or label:
        text = label or (format_date(date) if date is not None else "")
        para += nodes.strong(text, text)
        para += nodes.Text(": ")
    para.extend(content)
    return (date or dt.date.min, para)


def setup(app: Sphinx) -> None:
    register_store(app, STORE)
    app.add_directive("amne", TopicDirective)
    app.add_directive("amnesindex", TopicIndexDirective)
    # topic pages gather from every store (reports, decisions, FAQ, actions)
    add_aggregate_renderer(app, "topic", render_topic, topic_inputs)
    add_aggregate_renderer(app, "topic-index", render_topic_index, topic_index_inputs)
    # after the stores are complete, before pages are written
    app.connect("env-updated", check_topics, priority=events.TOPIC_CHECK)
