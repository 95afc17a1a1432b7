"""The ``rapport`` Sphinx domain: every registry record, keyed by the document it came from.

Runs in all phases: records are added while a document is read (directives and
``doctree-read`` handlers), merged after parallel reads, and queried when aggregate
pages are resolved. The pattern follows ``sphinx/domains/citation.py`` and
sphinxcontrib-bibtex: each store is ``{docname: records}``, so ``clear_doc`` and
``merge_domaindata`` touch only the documents they are given; a wholesale merge would
duplicate records on ``-j`` and incremental builds.

Concept modules declare their stores with :func:`register_store` during ``setup``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sphinx.domains import Domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


#: resolvers for MyST's ``[](ID)`` links, added by concept modules (decisions, FAQ)
ANY_RESOLVERS: list[Any] = []


class RapportDomain(Domain):
    """Holds the records of every concept module in per-document stores."""

    name = "rapport"
    label = "Rapport"
    # bump when a record type changes shape, so a pickled environment is not reused
    data_version = 4
    initial_data: dict[str, Any] = {}

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

    def resolve_any_xref(self, env, fromdocname, builder, target, node, contnode):  # type: ignore[no-untyped-def]
        """Called by MyST for ``[](target)`` links; concept modules add resolvers."""
        results = []
        for resolver in ANY_RESOLVERS:
            results.extend(resolver(self, env, fromdocname, builder, target, node, contnode))
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


def add_hook(hooks: list[Any], hook: Any) -> None:
    """Append ``hook`` once: ``setup`` runs again for every Sphinx app in one process
    (tests, ``rapport kontroll``), and a module-level hook list must not grow with it."""
    if hook not in hooks:
        hooks.append(hook)


def register_store(name: str, empty: Any = None) -> None:
    """Declare a per-document store; called from a concept module's ``setup``."""
    RapportDomain.initial_data.setdefault(name, {} if empty is None else empty)


def get_domain(env: BuildEnvironment) -> RapportDomain:
    return env.domains["rapport"]  # type: ignore[return-value]




# -- aggregate pages ---------------------------------------------------------------------
#
# A page that lists records from other pages (the archive, the registers, the landing
# page) carries an ``aggregate`` placeholder, put there by a directive while parsing.
# The placeholder is replaced at ``doctree-resolved``, when every record is known, and
# ``env-updated`` returns the pages that carry one and whose generated content changed,
# so those pages are re-written on incremental builds even though their own source did
# not change (the classic stale register bug of sphinx-needs and ablog), while an edit
# that changes nothing they show rewrites none of them.

import hashlib  # noqa: E402
from collections.abc import Callable  # noqa: E402

from docutils import nodes  # noqa: E402

AGGREGATE_STORE = "aggregates"
#: docname -> {builder name: digest of the generated content last written}
AGGREGATE_DIGESTS = "aggregate_digests"

#: kind -> renderer(app, docname, placeholder) -> replacement nodes
RENDERERS: dict[str, Callable[[Any, str, "aggregate"], list[nodes.Node]]] = {}


class aggregate(nodes.General, nodes.Element):
    """Placeholder for generated content; ``kind`` selects the renderer."""


def add_aggregate_renderer(kind: str, renderer: Callable[[Any, str, aggregate], list[nodes.Node]]) -> None:
    RENDERERS[kind] = renderer


def make_aggregate(env: BuildEnvironment, kind: str, **attributes: Any) -> aggregate:
    """Create a placeholder (called from a directive) and note its page as an aggregate."""
    node = aggregate("", kind=kind, **attributes)
    placeholder = (kind, tuple(sorted(attributes.items())))
    get_domain(env).store(AGGREGATE_STORE).setdefault(env.docname, set()).add(placeholder)
    return node


def aggregate_kinds(env: BuildEnvironment, docname: str) -> set[str]:
    """The kinds of placeholder a page carries (e.g. to load a page's own script)."""
    return {kind for kind, _ in get_domain(env).store(AGGREGATE_STORE).get(docname, ())}


def _digest(app: Sphinx, docname: str, placeholders: set[tuple[str, tuple]]) -> str:
    """What the page's placeholders render to now (renderers only read their attributes)."""
    digest = hashlib.sha256()
    for kind, attributes in sorted(placeholders):
        renderer = RENDERERS.get(kind)
        if renderer is None:
            continue
        for node in renderer(app, docname, aggregate("", kind=kind, **dict(attributes))):
            digest.update(node.pformat().encode("utf-8"))
    return digest.hexdigest()


def _on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Return the aggregate pages whose generated content differs from the last write.

    Digests are kept per builder: the PDF and HTML builds share one environment, and the
    first must not use up a change the second still has to write. A page that was re-read
    lost its digest in ``clear_doc`` and is written anyway.
    """
    builder = app.builder.name
    digests = get_domain(env).store(AGGREGATE_DIGESTS)
    changed = []
    for docname, placeholders in sorted(get_domain(env).store(AGGREGATE_STORE).items()):
        digest = _digest(app, docname, placeholders)
        seen = digests.setdefault(docname, {})
        if seen.get(builder) != digest:
            seen[builder] = digest
            changed.append(docname)
    return changed


def _on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(aggregate)):
        renderer = RENDERERS.get(node["kind"])
        node.replace_self(renderer(app, docname, node) if renderer else [])


def _skip_aggregate(self: Any, node: aggregate) -> None:  # placeholders never reach a writer
    raise nodes.SkipNode


def setup(app: Sphinx) -> None:
    register_store(AGGREGATE_STORE)
    register_store(AGGREGATE_DIGESTS)
    app.add_domain(RapportDomain)
    app.add_node(aggregate, **{fmt: (_skip_aggregate, None) for fmt in ("html", "latex", "text", "man", "texinfo")})
    # last: the renderers read what other env-updated handlers computed (the reference
    # index, the reports' neighbours)
    app.connect("env-updated", _on_env_updated, priority=900)
    # doctree-resolved fires after the reference resolver ran, so renderers emit final
    # ``reference`` nodes with relative URIs; 400 puts them before other handlers
    app.connect("doctree-resolved", _on_doctree_resolved, priority=400)
