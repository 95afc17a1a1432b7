"""FAQ entries: the ``faq`` directive and the FAQ page grouped by topic.

Phases:

* parsing: ``:::{faq} id`` validates its options, renders question and answer as a block
  with a stable anchor where it is declared and stores a :class:`FaqEntry` in the domain
  under that page;
* ``doctree-resolved``: the ``faq-lista`` placeholder becomes the list of all questions,
  grouped by topic, each linking to its answer. References and backlinks are handled by
  :mod:`rapport.entries.references`, like those of decisions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from rapport import events
from rapport.config import is_report
from rapport.dates import format_date
from rapport.entries.entry import EntryDirective, EntryRecord, Source, entry_options, slug, source_list
from rapport.entries.references import (
    EntryRole,
    Kind,
    backlink_records,
    get_index,
    make_link,
    mentions_paragraph,
    mentions_placeholder,
    register_kind,
)
from rapport.events import SearchRecord
from rapport.registry import (
    AggregateDirective,
    add_aggregate_renderer,
    aggregate,
    get_domain,
    register_store,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx

STORE = "faq"
KIND = "faq"
REQUIRED = ("fraga", "amne")


@dataclass(frozen=True)
class FaqEntry(EntryRecord):
    KIND = KIND
    ANCHOR_PREFIX = "faq"

    question: str
    topic: str
    updated: dt.date | None
    sources: tuple[Source, ...]
    text: str  # the answer as plain text, for the export

    def link_text(self) -> str:
        return self.question or self.id


class FaqDirective(EntryDirective):
    """``faq``: declares one question with its answer and shows it where it is declared."""

    option_spec: ClassVar[dict] = entry_options(
        {name: directives.unchanged for name in ("fraga", "amne", "uppdaterad")}
    )

    def run(self) -> list[nodes.Node]:
        env = self.env
        self.read_spellings()
        self.check_required(REQUIRED, "FAQ-posten")
        updated, _ = self.date_option("uppdaterad")
        sources = self.sources_option()
        answer = self.parse_content_to_nodes()
        entry = FaqEntry(
            id=self.arguments[0].strip(),
            docname=env.docname,
            line=self.lineno,
            question=self.text_option("fraga"),
            topic=self.text_option("amne"),
            updated=updated,
            sources=sources,
            text=" ".join(" ".join(n.astext() for n in answer).split()),
        )
        get_domain(env).store(STORE).setdefault(env.docname, []).append(entry)

        classes = ["rapport-faq", *self.options.get("class", [])]
        body = self.block(entry.anchor, entry.question or entry.id, classes)
        meta = [f"Ämne: {entry.topic}" if entry.topic else "", f"Uppdaterad {format_date(updated)}" if updated else ""]
        meta_text = " · ".join(m for m in meta if m)
        if meta_text:
            body += nodes.paragraph(meta_text, meta_text, classes=["rapport-post-meta"])
        body.extend(answer)
        if sources:
            body += nodes.paragraph("", "", nodes.strong("Källor:", "Källor:"), classes=["rapport-kallor-rubrik"])
            body += source_list(sources)
        if not self.on_report_page():
            body += mentions_placeholder(env, entry.id)
        return [body]


class FaqListDirective(AggregateDirective):
    """``faq-lista``: every question of the site, grouped by topic."""

    kind = "faq-lista"


def render_faq_list(app: Sphinx, docname: str, node: aggregate) -> list[nodes.Node]:
    entries = get_index(app).of_kind(KIND)
    if not entries:
        text = "Inga frågor och svar är publicerade ännu."
        return [nodes.paragraph(text, text)]
    by_topic: dict[str, list[FaqEntry]] = {}
    for entry in entries:  # declaration order within a topic: the writers' order
        by_topic.setdefault(entry.topic or "Övrigt", []).append(entry)
    result: list[nodes.Node] = []
    for topic in sorted(by_topic, key=str.casefold):
        section = nodes.section("", ids=[f"amne-{slug(topic)}"], classes=["rapport-faq-amne"])
        section += nodes.title(topic, topic)
        listing = nodes.bullet_list(classes=["rapport-faq-lista"])
        for entry in by_topic[topic]:
            item = nodes.list_item()
            para = nodes.paragraph()
            para += make_link(
                app, docname, entry, nodes.inline(entry.question, entry.question), explicit=bool(entry.question)
            )
            if entry.updated:
                para += nodes.Text(f" (uppdaterad {format_date(entry.updated)})")
            item += para
            # an answer declared in a report has no backlinks of its own; show them here
            if is_report(app.config, entry.docname):
                item += mentions_paragraph(app, docname, entry.id)
            listing += item
        section += listing
        result.append(section)
    return result


def export_records(app: Sphinx) -> list[dict[str, Any]]:
    entries = sorted(get_index(app).of_kind(KIND), key=lambda e: (e.topic.casefold(), e.docname, e.line))
    return [
        {
            "id": entry.id,
            "fraga": entry.question,
            "amne": entry.topic,
            "uppdaterad": entry.updated.isoformat() if entry.updated else None,
            "svar": entry.text,
            "kallor": [{"nyckel": s.key, "text": s.text, "url": s.url} for s in entry.sources],
            "url": f"{app.builder.get_target_uri(entry.docname)}#{entry.anchor}",
            "omnamnt_i": backlink_records(app, entry.id),
        }
        for entry in entries
    ]


def search_records(app: Sphinx) -> list[SearchRecord]:
    """One search hit per FAQ entry (``rapport-search-records``), linked to its block."""
    store = get_domain(app.env).store(STORE)
    return [
        SearchRecord(
            # the search's facet value; readers see it as "Frågor och svar"
            kind="FAQ",
            docname=docname,
            anchor=entry.anchor,
            title=entry.question or entry.id,
            text=" ".join(p for p in (entry.text, entry.topic) if p),
            date=entry.updated.isoformat() if entry.updated else "",
        )
        for docname in sorted(store)
        for entry in store[docname]
    ]


def setup(app: Sphinx) -> None:
    register_store(app, STORE)
    register_kind(app, Kind(KIND, STORE, "okänd FAQ-post", "en FAQ-post", "FAQ-posten"))
    app.add_directive("faq", FaqDirective)
    app.add_directive("faq-lista", FaqListDirective)
    app.add_role("faq", EntryRole(KIND))
    add_aggregate_renderer(app, "faq-lista", render_faq_list, inputs="stores")
    app.connect(events.SEARCH_RECORDS, search_records, priority=events.SEARCH_FAQ)
