"""The ``rapport`` Sphinx domain: every registry record, keyed by the document it came from.

Runs in all phases: records are added while a document is read (directives and
``doctree-read`` handlers), merged after parallel reads, and queried when aggregate
pages are resolved. The pattern follows ``sphinx/domains/citation.py`` and
sphinxcontrib-bibtex: each store is ``{docname: records}``, so ``clear_doc`` and
``merge_domaindata`` touch only the documents they are given; a wholesale merge would
duplicate records on ``-j`` and incremental builds.

Concept modules declare their stores with :func:`register_store` during ``setup``. The
renderers of aggregate pages and the one staleness mechanism (:func:`stale_pages`) are
here too, because every page that shows records from other pages goes through them.

Nothing here is process-wide: :func:`setup` gives each application a domain class of
its own, which holds that application's stores, renderers and the other modules'
in-memory state (:func:`app_state`), so two Sphinx applications in one process (the
tests, the live preview's rebuilds) never share a record or a renderer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from docutils import nodes
from sphinx import addnodes
from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from rapport import cache, events

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

T = TypeVar("T")


class RapportDomain(Domain):
    """Holds the records of every concept module in per-document stores.

    The class attributes below are per application: :func:`setup` registers a subclass
    with empty ones for each application (Sphinx makes the domain of an environment from
    the class its application registered, and never pickles it).
    """

    name = "rapport"
    label = "Rapport"
    # bump when a record type changes shape, so a pickled environment is not reused
    data_version = 6
    #: the per-document stores (:func:`register_store`), as Sphinx's ``Domain`` expects
    initial_data: ClassVar[dict[str, Any]] = {}
    #: kind -> renderer(app, docname, placeholder) -> replacement nodes
    renderers: ClassVar[dict[str, Callable[[Any, str, aggregate], list[nodes.Node]]]] = {}
    #: kind -> inputs(app, docname, placeholder) -> a value with a stable ``repr`` that
    #: changes whenever the rendered nodes may change (see :func:`add_aggregate_renderer`)
    inputs: ClassVar[dict[str, Callable[[Any, str, aggregate], object]]] = {}
    #: other modules' in-memory state of this application, by module (:func:`app_state`)
    state: ClassVar[dict[str, Any]] = {}

    def store(self, name: str) -> dict[str, Any]:
        return self.data[name]

    def clear_doc(self, docname: str) -> None:
        for name in self.initial_data:
            self.data[name].pop(docname, None)

    def merge_domaindata(self, docnames: Iterable[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            for name in self.initial_data:
                if docname in otherdata[name]:
                    self.data[name][docname] = otherdata[name][docname]

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: addnodes.pending_xref,
        contnode: nodes.Element,
    ) -> nodes.reference | None:
        """``{beslut}`` and ``{faq}`` references; the module that owns the role answers."""
        return env.events.emit_firstresult(events.RESOLVE_XREF, fromdocname, builder, typ, target, node, contnode)

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: addnodes.pending_xref,
        contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        """Called by MyST for ``[](target)`` links; entry modules answer."""
        results: list[tuple[str, nodes.reference]] = []
        for found in env.events.emit(events.ANY_XREF, fromdocname, builder, target, node, contnode):
            results.extend(found)
        return results

    def records(self, name: str) -> Iterator[Any]:
        """Every record of one store, in sorted document order (deterministic across -j)."""
        store = self.data[name]
        for docname in sorted(store):
            value = store[docname]
            if isinstance(value, (list, tuple)):
                yield from value
            else:
                yield value

    @property
    def last_today(self) -> dt.date | None:
        """The publication day of the previous build (persisted with the environment), so a
        build can tell which reports' publication date has come since."""
        return self.data.get(LAST_TODAY)

    @last_today.setter
    def last_today(self, day: dt.date) -> None:
        self.data[LAST_TODAY] = day


#: domain data that is not a per-document store (and survives every clear_doc)
LAST_TODAY = "last_today"


def register_store(app: Sphinx, name: str, empty: Any = None) -> None:
    """Declare a per-document store; called from a concept module's ``setup``."""
    domain_class(app).initial_data.setdefault(name, {} if empty is None else empty)


def get_domain(env: BuildEnvironment) -> RapportDomain:
    return env.domains["rapport"]  # type: ignore[return-value]


def domain_class(where: Sphinx | BuildEnvironment) -> type[RapportDomain]:
    """The domain class of one application (from setup on), or of an environment's."""
    if isinstance(where, BuildEnvironment):
        return type(get_domain(where))
    return where.registry.domains[RapportDomain.name]  # type: ignore[return-value]


def app_state(where: Sphinx | BuildEnvironment, key: str, make: Callable[[], T]) -> T:
    """The in-memory state ``key`` (a module's name) of one application, made by
    ``make()`` on first use: kept for the application's life, never pickled, and never
    seen by another application in the process (ARCHITECTURE.md, "State")."""
    state = domain_class(where).state
    if key not in state:
        state[key] = make()
    return state[key]


# -- which pages must be rewritten -------------------------------------------------------
#
# A page shows things that come from other pages: an aggregate's list, a report's
# neighbours and news box, the title of a decision a page links to. Sphinx rewrites a
# page only when its own source changed, so each mechanism computes, per page, a digest
# of what the page shows from elsewhere and asks :func:`stale_pages` which pages differ
# from the last write. One store, per builder: the PDF, e-mail and HTML builders share
# one environment, and the first of them must not use up a change the next still has
# to write. A page that was re-read lost its digests in ``clear_doc`` and is written
# anyway.

DIGEST_STORE = "page_digests"


def stale_pages(env: BuildEnvironment, builder: str, mechanism: str, digests: Mapping[str, str]) -> list[str]:
    """The pages whose digest for ``mechanism`` differs from the one ``builder`` last
    wrote; the new digests are recorded. Call from an ``env-updated`` handler and
    return the result, so Sphinx writes those pages."""
    store = get_domain(env).store(DIGEST_STORE)
    key = f"{mechanism}:{builder}"
    stale = []
    for docname, digest in digests.items():
        seen = store.setdefault(docname, {})
        if seen.get(key) != digest:
            seen[key] = digest
            stale.append(docname)
    return sorted(stale)


def writes_pages(app: Sphinx) -> bool:
    """Whether the builder writes pages that can go stale. ``dummy`` and the check's
    builder (``writes_pages = False``) write nothing: computing which pages show stale
    content would only cost time (2.5 s of the first ``rapport kontroll`` at 520 reports)."""
    return bool(getattr(app.builder, "writes_pages", app.builder.name != "dummy"))


def digest_of(*parts: object) -> str:
    """A digest of values whose ``repr`` is stable (records, tuples, strings)."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


# -- aggregate pages ---------------------------------------------------------------------
#
# A page that lists records from other pages (the archive, the registers, the landing
# page) carries an ``aggregate`` placeholder, put there by a directive while parsing.
# At ``env-updated``, when every record is known, each placeholder is rendered once: the
# nodes are kept in the build cache for ``doctree-resolved`` and their digest decides
# whether the page is rewritten, so an edit that changes nothing it shows rewrites none
# of them (the classic stale register bug of sphinx-needs and ablog is the opposite).

AGGREGATE_STORE = "aggregates"


class aggregate(nodes.General, nodes.Element):  # noqa: N801 - a docutils node class
    """Placeholder for generated content; ``kind`` selects the renderer."""


def add_aggregate_renderer(
    app: Sphinx,
    kind: str,
    renderer: Callable[[Any, str, aggregate], list[nodes.Node]],
    inputs: Callable[[Any, str, aggregate], object] | Literal["stores"] | None = None,
) -> None:
    """Register the renderer of one kind of placeholder (a name, like ``app.add_directive``).

    ``inputs`` tells cheaply what the renderer reads, so a build renders a placeholder
    only when its inputs changed: at 520 reports rendering all 1,500 placeholders to
    compare them cost 2 to 3 s in every build step, also when nothing they show had
    changed. It must cover everything the output depends on (a missed input leaves a
    stale page); ``"stores"`` (:func:`data_digest`) covers every store and is the safe
    choice for a page that reads many. Without ``inputs`` the placeholder is rendered in every
    build (for cheap renderers that read things outside the stores, like PDF sizes).
    """
    domain = domain_class(app)
    domain.renderers[kind] = renderer
    if inputs == "stores":
        domain.inputs[kind] = data_digest
    elif inputs is not None:
        domain.inputs[kind] = inputs


def make_aggregate(env: BuildEnvironment, kind: str, **attributes: Any) -> aggregate:
    """Create a placeholder (called from a directive) and note its page as an aggregate."""
    node = aggregate("", kind=kind, **attributes)
    placeholder = (kind, tuple(sorted(attributes.items())))
    get_domain(env).store(AGGREGATE_STORE).setdefault(env.docname, set()).add(placeholder)
    return node


class AggregateDirective(SphinxDirective):
    """A directive whose whole output is one placeholder of :attr:`kind` (a register, the
    latest report, the timeline ...); subclasses set ``kind``."""

    kind: ClassVar[str] = ""
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        node = make_aggregate(self.env, self.kind)
        self.set_source_info(node)
        return [node]


def aggregate_kinds(env: BuildEnvironment, docname: str) -> set[str]:
    """The kinds of placeholder a page carries (e.g. to load a page's own script)."""
    return {kind for kind, _ in get_domain(env).store(AGGREGATE_STORE).get(docname, ())}


#: attributes every docutils element has; the rest are what a directive gave the placeholder
_NOT_PLACEHOLDER_ATTRIBUTES = ("kind", "ids", "classes", "names", "dupnames", "backrefs")


def _placeholder_key(node: aggregate) -> tuple[str, tuple[tuple[str, Any], ...]]:
    attributes = {k: v for k, v in node.attributes.items() if k not in _NOT_PLACEHOLDER_ATTRIBUTES}
    return node["kind"], tuple(sorted(attributes.items()))


def _placeholder_node(placeholder: tuple[str, tuple]) -> aggregate:
    """The placeholder a renderer or an inputs function is given, from its stored key."""
    kind, attributes = placeholder
    return aggregate("", kind=kind, **dict(attributes))


def _rendered(app: Sphinx, docname: str, placeholder: tuple[str, tuple], take: bool = False) -> list[nodes.Node]:
    """The nodes one placeholder renders to in this build (renderers only read its
    attributes), computed once per build and page; ``take`` hands them over for the page."""
    renderer = domain_class(app).renderers.get(placeholder[0])

    def render() -> list[nodes.Node]:
        return renderer(app, docname, _placeholder_node(placeholder)) if renderer else []

    return (cache.taken if take else cache.computed)(app.env, ("aggregate", docname, placeholder), render)


def stable(value: Any) -> Any:
    """``value`` without the line numbers in its records: a line number only places a
    warning, and an edit above a record moves it without changing what pages show."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if isinstance(value, Hashable):  # frozen records are
            try:
                return _stable_record(value)
            except TypeError:  # a list among its fields
                pass
        return _stable_fields(value)
    if isinstance(value, (list, tuple)):
        return tuple(stable(v) for v in value)
    if isinstance(value, dict):
        return tuple((repr(k), stable(v)) for k, v in sorted(value.items(), key=lambda kv: repr(kv[0])))
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(repr(stable(v)) for v in value))
    return value


@functools.lru_cache(maxsize=1 << 16)
def _stable_record(value: Any) -> Any:
    """:func:`stable` of a frozen record, computed once per record: the inputs of the
    aggregate pages go through the same records many times (16,500 times for 6,600
    records at 520 reports). Records are frozen and compared by value, so an equal
    record has the same answer."""
    return _stable_fields(value)


def _stable_fields(value: Any) -> Any:
    return (
        type(value).__name__,
        tuple(
            stable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "line" and not f.name.endswith("_line")
        ),
    )


_NOT_DATA = (AGGREGATE_STORE, DIGEST_STORE, LAST_TODAY)


def data_digest(app: Sphinx, docname: str = "", node: aggregate | None = None) -> object:
    """Inputs of a placeholder that may read any store: every record (line numbers
    left out), every page title and the publication day. Computed once per build."""

    def compute() -> str:
        env = app.env
        data = {name: value for name, value in get_domain(env).data.items() if name not in _NOT_DATA}
        titles = {docname: title.astext() for docname, title in env.titles.items()}
        return digest_of(stable(data), sorted(titles.items()), get_domain(env).last_today)

    return cache.computed(app.env, "data-digest", compute)


def _inputs(app: Sphinx, docname: str, placeholder: tuple[str, tuple]) -> object:
    inputs = domain_class(app).inputs.get(placeholder[0])
    return None if inputs is None else inputs(app, docname, _placeholder_node(placeholder))


def _on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Return the aggregate pages whose generated content differs from the last write.

    Two steps per page: a digest of the placeholders' inputs, cheap, and only where it
    changed (or a placeholder has no inputs) the rendered output's digest, which
    decides; so an edit that changes an input but not what the page shows still
    rewrites nothing."""
    if not writes_pages(app):
        return []
    placeholders_of = dict(sorted(get_domain(env).store(AGGREGATE_STORE).items()))
    input_digests = {}
    always = set()
    for docname, placeholders in placeholders_of.items():
        values = [_inputs(app, docname, p) for p in sorted(placeholders)]
        if any(v is None for v in values):
            always.add(docname)
        input_digests[docname] = digest_of(values)
    changed = set(stale_pages(env, app.builder.name, "aggregate-inputs", input_digests)) | always
    digests = {}
    for docname in sorted(changed):
        digest = hashlib.sha256()
        for placeholder in sorted(placeholders_of[docname]):
            for node in _rendered(app, docname, placeholder):
                digest.update(node.pformat().encode("utf-8"))
        digests[docname] = digest.hexdigest()
    return stale_pages(env, app.builder.name, "aggregate", digests)


def _on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(aggregate)):
        # the nodes rendered for this page at env-updated are handed over, not copied
        # (a copy of every "Omnämnt i" and register row cost 1 to 2 s at 520 reports); a
        # second placeholder with the same key, or a second resolve, renders again
        rendered = _rendered(app, docname, _placeholder_key(node), take=True)
        node.replace_self(rendered)


def _skip_aggregate(self: Any, node: aggregate) -> None:  # placeholders never reach a writer
    raise nodes.SkipNode


def setup(app: Sphinx) -> None:
    # a class of this application's own: what the modules register is not shared
    attributes = {"initial_data": {}, "renderers": {}, "inputs": {}, "state": {}, "__module__": __name__}
    app.add_domain(type(RapportDomain.__name__, (RapportDomain,), attributes))
    register_store(app, AGGREGATE_STORE)
    register_store(app, DIGEST_STORE)
    skip = (_skip_aggregate, None)
    app.add_node(aggregate, html=skip, latex=skip, text=skip, man=skip, texinfo=skip)
    app.connect("env-updated", _on_env_updated, priority=events.AGGREGATES)
    app.connect("doctree-resolved", _on_doctree_resolved, priority=events.RENDER_AGGREGATES)
