"""The extension's composition root: every module's ``setup``, called in one explicit order.

Runs at Sphinx's extension loading (``extensions = ["rapport"]`` calls
:func:`rapport.setup`, which calls :func:`setup` here). The order matters only where two
handlers of one event share a priority (Sphinx then calls them in the order they were
connected); every order that matters across modules is a priority in
:mod:`rapport.events` instead, so this list can be read as "what the extension is
made of". The events and the domain come first: the other modules connect to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rapport import (
    __version__,
    cache,
    collector,
    config,
    corrections,
    email,
    events,
    links,
    registry,
    reports,
    sections,
    series,
    templatecache,
    topics,
)
from rapport.entries import actions, decisions, faq, overviews, references
from rapport.pdf import builder as pdf_builder
from rapport.site import accessibility, export, feed, html, nav, pagetoc, pdflinks, readers, search, titles
from rapport.trust import audience, confine, safety, sourceguard, sources, text
from rapport.writer import carryover, checkcache, guide
from rapport.writer.release import version

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: every module with a ``setup``, in the order they are set up
MODULES = (
    collector,
    events,
    cache,
    templatecache,
    config,
    registry,
    sections,
    reports,
    corrections,
    series,
    topics,
    actions,
    links,
    feed,
    html,
    carryover,
    guide,
    pdf_builder,
    pdflinks,
    references,
    decisions,
    faq,
    export,
    overviews,
    search,
    nav,
    pagetoc,
    titles,
    checkcache,
    audience,
    safety,
    accessibility,
    readers,
    sources,
    confine,
    sourceguard,
    text,
    email,
    version,
)


def setup(app: Sphinx) -> dict[str, Any]:
    app.require_sphinx("9.0")
    for module in MODULES:
        module.setup(app)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
