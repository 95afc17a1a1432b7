"""Registry entries (decisions, FAQ) and every reference to them: roles, links, backlinks.

Three phases:

* parsing: the ``{beslut}`` and ``{faq}`` roles create ``pending_xref`` nodes
  (``refdomain="rapport"``); concept modules (:mod:`rapport.entries.decisions`,
  :mod:`rapport.entries.faq`) store their entries in the domain per document;
* ``doctree-read`` (priority 600, after the standing sections are inserted): every
  reference a page makes, by role or by a MyST link ``[](ID)``, is recorded in the
  ``references`` store under that page's docname, so backlinks follow incremental and
  parallel reads like any other record;
* ``env-updated``: one :class:`Index` of all entries and backlinks is built from the
  merged stores, the global checks run (duplicate ids, unknown ids, plus each kind's own
  checks such as supersedes cycles) so ``-j1`` and ``-jN`` warn alike, and the pages
  whose link texts went stale are returned for rewriting (:func:`rapport.registry.stale_pages`,
  per builder). While writing, the domain asks this module, through the
  ``rapport-resolve-xref`` and ``rapport-any-xref`` events, to resolve the roles and MyST
  links from that index; "Omnämnt i" placeholders are aggregates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxRole
from sphinx.util.nodes import split_explicit_title

from rapport import cache, events
from rapport.dates import format_date
from rapport.messages import warn
from rapport.registry import (
    add_aggregate_renderer,
    aggregate,
    app_state,
    digest_of,
    get_domain,
    make_aggregate,
    register_store,
    stable,
    stale_pages,
    writes_pages,
)
from rapport.reports import STORE as REPORT_STORE
from rapport.reports import Report, is_published

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

STORE = "references"
DOMAIN = "rapport"


@dataclass(frozen=True)
class Kind:
    """A concept that declares entries: its store, its Swedish names and its own checks."""

    name: str  # role name and reftype: "beslut", "faq"
    store: str
    unknown: str  # "okänt beslut", "okänd FAQ-post": used in warnings
    indefinite: str  # "ett beslut", "en FAQ-post"
    definite: str  # "beslutet", "FAQ-posten"
    checks: tuple[Callable[[BuildEnvironment, Index], None], ...] = ()


def kinds(where: Sphinx | BuildEnvironment) -> dict[str, Kind]:
    """Kind name -> Kind, of one application (filled by the concept modules' setup)."""
    return app_state(where, __name__, dict)


def register_kind(app: Sphinx, kind: Kind) -> None:
    kinds(app)[kind.name] = kind


@dataclass(frozen=True)
class Reference:
    """One reference made by a page; ``kind`` is ``None`` for a MyST link ``[](ID)``."""

    target: str
    kind: str | None
    line: int


def anchor_for(prefix: str, entry_id: str) -> str:
    """A stable HTML id; the prefix keeps it apart from heading anchors on the same page."""
    slug = nodes.make_id(entry_id)
    return slug if slug.startswith(prefix + "-") else f"{prefix}-{slug}"


def source_path(env: BuildEnvironment, docname: str) -> str:
    """The writer's file name relative to the source dir, as in Sphinx's own prefixes."""
    return str(env.doc2path(docname, False))


# -- the index ---------------------------------------------------------------------------


@dataclass
class Index:
    """Every entry by id and the reports that mention it; rebuilt at each ``env-updated``."""

    entries: dict[str, Any] = field(default_factory=dict)  # id -> first declaration
    duplicates: list[tuple[Any, Any]] = field(default_factory=list)  # (later, first)
    unpublished: dict[str, Any] = field(default_factory=dict)  # id -> entry in a draft report
    referrers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    backlinks: dict[str, list[Report]] = field(default_factory=dict)  # newest first
    # derived views (entries per kind, reverse relations), computed once per build so a
    # register of N entries is O(N), not O(N^2)
    cache: dict[Any, Any] = field(default_factory=dict)

    def get(self, entry_id: str, kind: str | None = None) -> Any | None:
        entry = self.entries.get(entry_id)
        if entry is None or (kind is not None and entry.kind != kind):
            return None
        return entry

    def of_kind(self, kind: str) -> list[Any]:
        key = ("kind", kind)
        if key not in self.cache:
            self.cache[key] = [e for e in self.entries.values() if e.kind == kind]
        return list(self.cache[key])


def build_index(app: Sphinx) -> Index:
    env = app.env
    domain = get_domain(env)
    index = Index()
    declared: list[Any] = []
    for kind in kinds(app).values():
        declared.extend(domain.records(kind.store))
    reports: dict[str, Report] = domain.store(REPORT_STORE)

    def published(report: Report) -> bool:
        return is_published(report, app.config)

    # first declaration (in document and line order) wins, on every kind of build
    for entry in sorted(declared, key=lambda e: (e.docname, e.line, e.id)):
        report = reports.get(entry.docname)
        if report is not None and not published(report):
            # declared in a draft or future report: not on the site until it is published
            index.unpublished.setdefault(entry.id, entry)
            continue
        first = index.entries.get(entry.id)
        if first is None:
            index.entries[entry.id] = entry
        else:
            index.duplicates.append((entry, first))

    mentioned: dict[str, set[str]] = defaultdict(set)
    for docname, refs in domain.store(STORE).items():
        for ref in refs:
            entry = index.entries.get(ref.target)
            if entry is None or (ref.kind is not None and ref.kind != entry.kind):
                continue
            index.referrers[ref.target].add(docname)
            report = reports.get(docname)
            if report is not None and docname != entry.docname and published(report):
                mentioned[ref.target].add(docname)
    for entry_id, docnames in mentioned.items():
        index.backlinks[entry_id] = sorted((reports[d] for d in docnames), key=lambda r: r.sort_key, reverse=True)
    return index


def get_index(app: Sphinx) -> Index:
    """The index of this build (the build cache keeps it until the next ``env-updated``)."""
    return cache.computed(app.env, "reference-index", lambda: build_index(app))


# -- collecting references (doctree-read) ------------------------------------------------


def _looks_like_id(target: str) -> bool:
    # MyST links to files, anchors and URLs are not registry ids
    return bool(target) and not any(c in target for c in "/#:") and not target.endswith((".md", ".rst", ".html"))


def _line_of(node: nodes.Node) -> int:
    while node is not None:
        if getattr(node, "line", None):
            return node.line
        node = node.parent
    return 1


def collect_references(app: Sphinx, doctree: nodes.document) -> None:
    refs: list[Reference] = []
    for node in doctree.findall(addnodes.pending_xref):
        target = node.get("reftarget", "")
        if node.get("refdomain") == DOMAIN and node.get("reftype") in kinds(app):
            refs.append(Reference(target, node["reftype"], _line_of(node)))
        elif node.get("reftype") == "myst" and node.get("refdomain") != "doc" and _looks_like_id(target):
            refs.append(Reference(target, None, _line_of(node)))
    store = get_domain(app.env).store(STORE)
    if refs:
        store[app.env.docname] = tuple(refs)
    else:
        store.pop(app.env.docname, None)


# -- global checks and stale pages (env-updated) -----------------------------------------


def _check(env: BuildEnvironment, index: Index) -> None:
    known = kinds(env)
    for later, first in index.duplicates:
        what = known[first.kind].definite
        warn(
            "entry-duplicate",
            f"Id ”{later.id}” används redan för {what} i {source_path(env, first.docname)}:{first.line}; "
            "den här posten hoppas över",
            (later.docname, later.line),
        )
    domain = get_domain(env)
    for docname, refs in sorted(domain.store(STORE).items()):
        for ref in refs:
            if ref.kind is None:
                continue  # an unresolved MyST link gets MyST's own warning
            if index.get(ref.target, ref.kind) is None:
                kind = known[ref.kind]
                other = index.entries.get(ref.target)
                hint = f" (”{ref.target}” är {known[other.kind].indefinite})" if other is not None else ""
                hidden = index.unpublished.get(ref.target)
                if other is None and hidden is not None:
                    where = source_path(env, hidden.docname)
                    hint = f" (”{ref.target}” finns bara i en rapport som inte är publicerad: {where}:{hidden.line})"
                warn(
                    "ref-unknown",
                    f"Hänvisning till {kind.unknown}: det finns inget id ”{ref.target}”{hint}",
                    (docname, ref.line),
                )
    for kind in known.values():
        for check in kind.checks:
            check(env, index)


def _link_text_digest(entry: Any) -> str:
    return digest_of(entry.docname, entry.anchor, entry.link_text())


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    index = get_index(app)
    _check(env, index)
    if not writes_pages(app):
        return []
    # A page that links to an entry shows the entry's date, body and title as link text;
    # when those change (or an id appears or disappears) the page is rewritten although
    # its own source did not change.
    shown = {entry_id: _link_text_digest(entry) for entry_id, entry in index.entries.items()}
    digests = {
        docname: digest_of(sorted({(ref.target, shown.get(ref.target, "")) for ref in refs}))
        for docname, refs in get_domain(env).store(STORE).items()
        if docname in env.all_docs
    }
    return stale_pages(env, app.builder.name, "entry-links", digests)


# -- resolving (writing phase) -----------------------------------------------------------


def make_link(app: Sphinx, fromdoc: str, entry: Any, contnode: nodes.Element, explicit: bool) -> nodes.reference:
    if not explicit or not contnode.astext():
        text = entry.link_text()
        contnode = nodes.inline(text, text, classes=contnode.get("classes", []))
    uri = app.builder.get_relative_uri(fromdoc, entry.docname) if fromdoc != entry.docname else ""
    ref = nodes.reference("", "", internal=True, refuri=f"{uri}#{entry.anchor}", reftitle=entry.link_text())
    ref += contnode
    return ref


def resolve_xref(
    app: Sphinx,
    fromdoc: str,
    builder: Builder,
    typ: str,
    target: str,
    node: addnodes.pending_xref,
    contnode: nodes.Element,
) -> nodes.Element | None:
    """``rapport-resolve-xref``: a ``{beslut}`` or ``{faq}`` reference becomes a link."""
    if typ not in kinds(app):
        return None
    entry = get_index(app).get(target, typ)
    if entry is None:
        # the writer got a warning at env-updated; the reader gets the text
        text = contnode.astext() or target
        return nodes.inline(text, text, classes=["rapport-okand-hanvisning"])
    return make_link(app, fromdoc, entry, contnode, node.get("refexplicit", False))


def resolve_any(
    app: Sphinx, fromdoc: str, builder: Builder, target: str, node: nodes.Element, contnode: nodes.Element
) -> list[tuple[str, nodes.reference]]:
    """``rapport-any-xref``: MyST ``[](ID)`` and ``[text](ID)`` links to an entry."""
    entry = get_index(app).get(target)
    if entry is None:
        return []
    explicit = bool(contnode.astext())
    return [(f"{DOMAIN}:{entry.kind}", make_link(app, fromdoc, entry, contnode, explicit))]


class EntryRole(SphinxRole):
    """``{beslut}`ID``` or ``{beslut}`text <ID>```: a reference to a registry entry."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        explicit, title, target = split_explicit_title(self.text)
        target = target.strip()
        node = addnodes.pending_xref(
            self.rawtext,
            refdomain=DOMAIN,
            reftype=self.kind,
            reftarget=target,
            refexplicit=explicit,
            refwarn=False,
            refdoc=self.env.docname,
        )
        text = title if explicit else target
        node += nodes.inline(text, text, classes=["xref", f"rapport-{self.kind}"])
        self.set_source_info(node)
        return [node], []


# -- "Omnämnt i" -------------------------------------------------------------------------


def mentions_placeholder(env: BuildEnvironment, entry_id: str) -> aggregate:
    return make_aggregate(env, "omnamnt", entry_id=entry_id)


def mentions_paragraph(app: Sphinx, fromdoc: str, entry_id: str, compact: bool = False) -> nodes.paragraph:
    """ "Omnämnt i: 25 september 2025, 18 september 2025." with links, newest first.

    ``compact`` (for a table column headed "Omnämnt i") leaves out the label.
    """
    para = nodes.paragraph(classes=["rapport-omnamnt"])
    reports = get_index(app).backlinks.get(entry_id, [])
    if compact:
        if not reports:
            para += nodes.Text("–")
    else:
        para += nodes.strong("Omnämnt i:", "Omnämnt i:")
        para += nodes.Text(" ")
        if not reports:
            para += nodes.Text("ingen rapport ännu.")
    if not reports:
        return para
    for i, report in enumerate(reports):
        if i:
            para += nodes.Text(", ")
        text = format_date(report.compiled.date()) if report.compiled else report.title
        uri = app.builder.get_relative_uri(fromdoc, report.docname)
        para += nodes.reference(text, text, internal=True, refuri=uri, reftitle=report.title)
    if not compact:
        para += nodes.Text(".")
    return para


def render_mentions(app: Sphinx, docname: str, node: aggregate) -> list[nodes.Node]:
    return [mentions_paragraph(app, docname, node["entry_id"])]


def mentioned_in(app: Sphinx, entry_id: str) -> tuple[tuple[str, object, str], ...]:
    """What :func:`mentions_paragraph` shows of an entry: its reports' dates and titles."""
    return tuple((r.docname, r.compiled, r.title) for r in get_index(app).backlinks.get(entry_id, []))


def mentions_inputs(app: Sphinx, docname: str, node: aggregate) -> object:
    """Inputs of an "Omnämnt i" placeholder (:func:`rapport.registry.add_aggregate_renderer`)."""
    return mentioned_in(app, node["entry_id"])


def entries_inputs(app: Sphinx, kind: str) -> object:
    """Inputs of a list of every entry of ``kind`` with its mentions (the register, the
    FAQ list): the records without line numbers and where each is mentioned."""
    return tuple((stable(entry), mentioned_in(app, entry.id)) for entry in get_index(app).of_kind(kind))


def backlink_records(app: Sphinx, entry_id: str) -> list[dict[str, str]]:
    """The backlinks of one entry for the JSON export."""
    return [
        {
            "rapport": report.docname,
            "titel": report.title,
            "sammanstallt": report.compiled.isoformat(timespec="minutes") if report.compiled else "",
            "url": app.builder.get_target_uri(report.docname),
        }
        for report in get_index(app).backlinks.get(entry_id, [])
    ]


def setup(app: Sphinx) -> None:
    register_store(app, STORE)
    app.connect(events.RESOLVE_XREF, resolve_xref)
    app.connect(events.ANY_XREF, resolve_any)
    app.connect("doctree-read", collect_references, priority=events.COLLECT_REFERENCES)
    app.connect("env-updated", on_env_updated, priority=events.REFERENCE_INDEX)
    add_aggregate_renderer(app, "omnamnt", render_mentions, mentions_inputs)
