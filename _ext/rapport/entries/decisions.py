"""Decisions (beslut): the ``beslut`` directive, its sources and the Beslutsregister page.

Phases:

* parsing: ``:::{beslut} ID`` validates its options (Swedish warnings with the option's
  line), renders the decision as a block with a stable anchor where it is declared and
  stores a :class:`Decision` in the domain under that page. Its sources (``:kallor:``)
  are rendered from the ``.bib`` file that sphinxcontrib-bibtex parsed at
  ``builder-inited`` and the page notes a dependency on that file, so editing a
  source re-reads the pages that cite it;
* ``env-updated`` (through :mod:`rapport.entries.references`): the supersedes check looks at all
  decisions at once, so serial and parallel builds warn alike;
* ``doctree-resolved``: the ``beslutsregister`` placeholder becomes the register,
  grouped by deciding body, newest first, with status and "Omnämnt i"; an optional
  script adds filters by body and status (the table works without it).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from rapport import events
from rapport.dates import format_date
from rapport.entries.entry import (
    EntryDirective,
    EntryRecord,
    Source,
    entry_options,
    entry_xref,
    slug,
    source_list,
    split_list,
)
from rapport.entries.references import (
    EntryRole,
    Index,
    Kind,
    backlink_records,
    entries_inputs,
    get_index,
    make_link,
    mentions_paragraph,
    mentions_placeholder,
    register_kind,
    source_path,
)
from rapport.events import SearchRecord
from rapport.messages import warn
from rapport.registry import (
    AggregateDirective,
    add_aggregate_renderer,
    aggregate,
    aggregate_kinds,
    get_domain,
    register_store,
)

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

STORE = "decisions"
KIND = "beslut"

#: status key -> label the reader sees
STATUSES = {"planerat": "Planerat", "fattat": "Fattat", "upphävt": "Upphävt", "ersatt": "Ersatt"}
_STATUS_ALIASES = {"upphavt": "upphävt"}  # writers without å/ä/ö on the keyboard
REQUIRED = ("datum", "organ", "titel", "status")


@dataclass(frozen=True)
class Decision(EntryRecord):
    KIND = KIND
    ANCHOR_PREFIX = "beslut"

    date: dt.date | None
    date_is_latest: bool
    organ: str
    title: str
    status: str | None  # a key of STATUSES; None if missing or unknown
    supersedes: tuple[str, ...]
    superseded_by: tuple[str, ...]
    sources: tuple[Source, ...]
    topics: tuple[str, ...]
    text: str  # the body as plain text, for the export

    @property
    def date_text(self) -> str:
        if self.date is None:
            return ""
        return ("senast " if self.date_is_latest else "") + format_date(self.date)

    @property
    def sort_key(self) -> tuple[dt.date, str]:
        return (self.date or dt.date.min, self.id)

    def link_text(self) -> str:
        """ "23 september 2025, Regionstyrelsen: Godkände ..." (parts that exist)."""
        head = ", ".join(part for part in (self.date_text, self.organ) if part)
        # lower case as written ("senast 25 september 2025, ..."): the text mostly stands
        # inside a sentence ("se beslutet senast 25 september 2025, ...")
        return f"{head}: {self.title}" if head and self.title else (head or self.title or self.id)


class DecisionDirective(EntryDirective):
    """``beslut``: declares one decision and shows it where it is declared."""

    option_spec: ClassVar[dict] = entry_options(
        {name: directives.unchanged for name in ("datum", "organ", "titel", "status", "ersatter", "ersatt-av", "amnen")}
    )

    def run(self) -> list[nodes.Node]:
        env = self.env
        entry_id = self.arguments[0].strip()
        self.read_spellings()
        self.check_required(REQUIRED, "Beslutet")
        date, is_latest = self.date_option("datum", allow_latest=True)
        status = self._status()
        decision_sources = self.sources_option()
        body_nodes = self.parse_content_to_nodes()
        decision = Decision(
            id=entry_id,
            docname=env.docname,
            line=self.lineno,
            date=date,
            date_is_latest=is_latest,
            organ=self.text_option("organ"),
            title=self.text_option("titel"),
            status=status,
            supersedes=split_list(self.options.get("ersatter")),
            superseded_by=split_list(self.options.get("ersatt-av")),
            sources=decision_sources,
            topics=split_list(self.options.get("amnen")),
            text=" ".join(" ".join(n.astext() for n in body_nodes).split()),
        )
        get_domain(env).store(STORE).setdefault(env.docname, []).append(decision)
        return [self._render(decision, body_nodes)]

    def _status(self) -> str | None:
        value = self.text_option("status").lower()
        if not value:
            return None
        value = _STATUS_ALIASES.get(value, value)
        if value not in STATUSES:
            warn(
                "status-unknown",
                f"Okänd status ”{self.text_option('status')}”; tillåtna är: {', '.join(STATUSES)}",
                (self.env.docname, self.option_line("status")),
            )
            return None
        return value

    def _render(self, decision: Decision, body_nodes: list[nodes.Node]) -> nodes.Element:
        status_slug = slug(decision.status or "okand")
        classes = ["rapport-beslut", f"rapport-status-{status_slug}", *self.options.get("class", [])]
        body = self.block(decision.anchor, decision.title or decision.id, classes)
        meta = nodes.paragraph(classes=["rapport-post-meta"])
        parts = [p for p in (decision.date_text, decision.organ) if p]
        meta += nodes.Text(" · ".join(parts) + (" · " if parts else ""))
        meta += status_label(decision.status)
        body += meta
        body.extend(body_nodes)
        for label, targets, option in (
            ("Ersätter", decision.supersedes, "ersatter"),
            ("Ersatt av", decision.superseded_by, "ersatt-av"),
        ):
            if targets:
                para = nodes.paragraph(classes=["rapport-beslut-relation"])
                para += nodes.strong(label + ":", label + ":")
                para += nodes.Text(" ")
                for i, target in enumerate(targets):
                    if i:
                        para += nodes.Text("; ")
                    para += entry_xref(self.env, KIND, target, self.option_line(option))
                body += para
        if decision.sources:
            body += nodes.paragraph("", "", nodes.strong("Källor:", "Källor:"), classes=["rapport-kallor-rubrik"])
            body += source_list(decision.sources)
        if not self.on_report_page():
            # a report is a dated snapshot; its decisions show their backlinks in the
            # register, which keeps reports out of the pages rewritten on every build
            body += mentions_placeholder(self.env, decision.id)
        return body


def status_label(status: str | None) -> nodes.inline:
    text = STATUSES.get(status or "", "Okänd status")
    return nodes.inline(text, text, classes=["rapport-status", f"rapport-status-{slug(status or 'okand')}"])


# -- global check (env-updated) ----------------------------------------------------------


def check_cycles(env: BuildEnvironment, index: Index) -> None:
    """A decision that (through others) supersedes itself is reported once per cycle."""
    decisions = {d.id: d for d in index.of_kind(KIND)}
    edges: dict[str, set[str]] = {i: set() for i in decisions}
    for decision in decisions.values():
        for old in decision.supersedes:
            if old in decisions:
                edges[decision.id].add(old)
        for new in decision.superseded_by:
            if new in decisions:
                edges[new].add(decision.id)
    seen_cycles: set[tuple[str, ...]] = set()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :]
                start = cycle.index(min(cycle))
                seen_cycles.add(tuple(cycle[start:] + cycle[:start]))
            elif nxt not in state:
                visit(nxt, path)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    for cycle in sorted(seen_cycles):
        first = decisions[cycle[0]]
        chain = " → ".join((*cycle, cycle[0]))
        others = ", ".join(f"{source_path(env, decisions[i].docname)}:{decisions[i].line}" for i in cycle[1:])
        where = f" (se även {others})" if others else ""
        warn(
            "supersedes-cycle",
            f"Besluten ersätter varandra i en cirkel: {chain}{where}",
            (first.docname, first.line),
        )


# -- the register (doctree-resolved) -----------------------------------------------------


class RegisterDirective(AggregateDirective):
    """``beslutsregister``: every decision of the site, by deciding body, newest first."""

    kind = "beslutsregister"


def _table(headers: list[str], widths: list[int], classes: list[str]) -> tuple[nodes.table, nodes.tbody]:
    table = nodes.table(classes=classes)
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    row = nodes.row()
    for text in headers:
        row += nodes.entry("", nodes.paragraph(text, text))
    head += row
    group += head
    body = nodes.tbody()
    group += body
    return table, body


def _cell(*children: nodes.Node) -> nodes.entry:
    para = nodes.paragraph()
    para.extend(children)
    return nodes.entry("", para)


def superseded_by(index: Index, decision: Decision) -> list[str]:
    """``ersatt-av`` of the decision plus every decision that says it replaces it."""
    reverse = index.cache.get("supersedes-reverse")
    if reverse is None:
        reverse = {}
        for other in index.of_kind(KIND):
            for old in other.supersedes:
                reverse.setdefault(old, set()).add(other.id)
        index.cache["supersedes-reverse"] = reverse
    return sorted(set(decision.superseded_by) | reverse.get(decision.id, set()))


def _filter_form(organs: list[str], statuses: list[str], total: int) -> nodes.raw:
    """Labelled selects; hidden until the script runs, so without JS the full table shows."""

    def options(values: list[tuple[str, str]]) -> str:
        return "".join(f'<option value="{html.escape(v)}">{html.escape(t)}</option>' for v, t in values)

    organ_opts = options([("", "Alla organ"), *((slug(o), o) for o in organs)])
    status_opts = options([("", "Alla statusar"), *((slug(s), STATUSES[s]) for s in statuses)])
    markup = (
        '<form class="rapport-filter" hidden data-rapport-filter="beslut">'
        "<fieldset><legend>Filtrera beslutsregistret</legend>"
        '<label for="rapport-filter-organ">Organ</label> '
        f'<select id="rapport-filter-organ" name="organ">{organ_opts}</select> '
        '<label for="rapport-filter-status">Status</label> '
        f'<select id="rapport-filter-status" name="status">{status_opts}</select>'
        "</fieldset>"
        f'<p class="rapport-filter-antal" role="status" aria-live="polite">Visar {total} av {total} beslut.</p>'
        "</form>"
    )
    return nodes.raw("", markup, format="html")


def render_register(app: Sphinx, docname: str, node: aggregate) -> list[nodes.Node]:
    index = get_index(app)
    decisions = sorted(index.of_kind(KIND), key=lambda d: d.sort_key, reverse=True)
    if not decisions:
        text = "Inga beslut är registrerade ännu."
        return [nodes.paragraph(text, text)]
    by_organ: dict[str, list[Decision]] = {}
    for decision in decisions:
        by_organ.setdefault(decision.organ or "Okänt organ", []).append(decision)
    organs = sorted(by_organ, key=lambda o: o.casefold())
    statuses = [s for s in STATUSES if any(d.status == s for d in decisions)]
    result: list[nodes.Node] = []
    summary = (
        f"Registret innehåller {len(decisions)} beslut från {len(organs)} organ, det senaste först inom varje organ."
    )
    result.append(nodes.paragraph(summary, summary, classes=["rapport-register-summering"]))
    if app.builder.name in ("html", "dirhtml"):  # not the print builders, which have no scripts
        result.append(_filter_form(organs, statuses, len(decisions)))
    for organ in organs:
        section = nodes.section(
            "", ids=[f"organ-{slug(organ)}"], classes=["rapport-organgrupp", f"rapport-organ-{slug(organ)}"]
        )
        section += nodes.title(organ, organ)
        table, tbody = _table(["Datum", "Beslut", "Status", "Omnämnt i"], [18, 44, 16, 22], ["rapport-register"])
        for decision in by_organ[organ]:
            row = nodes.row(
                classes=[
                    "rapport-register-rad",
                    f"rapport-organ-{slug(organ)}",
                    f"rapport-status-{slug(decision.status or 'okand')}",
                ]
            )
            row += _cell(nodes.Text(decision.date_text or "–"))
            title = nodes.inline(decision.title or decision.id, decision.title or decision.id)
            row += _cell(make_link(app, docname, decision, title, explicit=True))
            status_para: list[nodes.Node] = [status_label(decision.status)]
            for label, ids in (("ersätter", decision.supersedes), ("ersatt av", superseded_by(index, decision))):
                known = [k for k in (index.get(i, KIND) for i in ids) if k is not None]
                if known:
                    status_para.append(nodes.Text(f", {label} "))
                    for i, other in enumerate(known):
                        if i:
                            status_para.append(nodes.Text(", "))
                        ref_text = other.date_text or other.id
                        status_para.append(make_link(app, docname, other, nodes.inline(ref_text, ref_text), True))
            row += _cell(*status_para)
            row += nodes.entry("", mentions_paragraph(app, docname, decision.id, compact=True))
            tbody += row
        section += table
        result.append(section)
    return result


def register_inputs(app: Sphinx, docname: str, node: aggregate) -> object:
    """What the register shows: every decision and where it is mentioned."""
    return entries_inputs(app, KIND)


def export_records(app: Sphinx) -> list[dict[str, Any]]:
    index = get_index(app)
    result = []
    for decision in sorted(index.of_kind(KIND), key=lambda d: d.sort_key, reverse=True):
        result.append(
            {
                "id": decision.id,
                "datum": decision.date.isoformat() if decision.date else None,
                "datum_senast": decision.date_is_latest,
                "organ": decision.organ,
                "titel": decision.title,
                "status": decision.status,
                "ersatter": list(decision.supersedes),
                "ersatt_av": superseded_by(index, decision),
                "kallor": [{"nyckel": s.key, "text": s.text, "url": s.url} for s in decision.sources],
                "amnen": list(decision.topics),
                "text": decision.text,
                "url": f"{app.builder.get_target_uri(decision.docname)}#{decision.anchor}",
                "omnamnt_i": backlink_records(app, decision.id),
            }
        )
    return result


def search_records(app: Sphinx) -> list[SearchRecord]:
    """One search hit per decision (``rapport-search-records``), linked to its block."""
    store = get_domain(app.env).store(STORE)
    return [
        SearchRecord(
            kind=KIND,
            docname=docname,
            anchor=decision.anchor,
            title=decision.title or decision.id,
            # the id and the body are searchable too ("RS-2025-09-23", "Regionstyrelsen")
            text=" ".join(p for p in (decision.text, decision.id, decision.organ) if p),
            date=decision.date.isoformat() if decision.date else "",
            bodies=(decision.organ,) if decision.organ else (),
            date_text=decision.date_text,
        )
        for docname in sorted(store)
        for decision in store[docname]
    ]


def _add_filter_script(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if doctree is not None and "beslutsregister" in aggregate_kinds(app.env, pagename):
        app.add_js_file("rapport-register.js", loading_method="defer")


def setup(app: Sphinx) -> None:
    register_store(app, STORE)
    register_kind(app, Kind(KIND, STORE, "okänt beslut", "ett beslut", "beslutet", checks=(check_cycles,)))
    app.add_directive("beslut", DecisionDirective)
    app.add_directive("beslutsregister", RegisterDirective)
    app.add_role("beslut", EntryRole(KIND))
    add_aggregate_renderer(app, "beslutsregister", render_register, register_inputs)
    app.connect("html-page-context", _add_filter_script)
    app.connect(events.SEARCH_RECORDS, search_records, priority=events.SEARCH_DECISIONS)
