"""Text that leaves the build: control characters stripped.

Runs in the writing phase, wherever a value from the sources is written by hand
(Atom feed, sitemap, JSON export, Pagefind's meta and filters, PDF metadata and
bookmarks); on every doctree (a transform before ``doctree-read``, so titles and tables
of contents are clean, and again at ``doctree-resolved`` for what is generated from
records); and at ``html-page-context`` on every string the page template inserts. The sources are cleaned when read (:mod:`rapport.trust.sourceguard`); this is the
second line of defence at every output, so a value that reaches a writer some other way
(a ``conf.py`` value, a file name, a future source of records) cannot make an output
invalid: XML 1.0 forbids C0 controls other than tab, line feed and carriage return, and
the rest (DEL, C1 controls, lone surrogates, U+FFFE/U+FFFF) mean nothing to a reader.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.transforms import SphinxTransform

from rapport import events

# everything XML 1.0 forbids, plus DEL and the C1 controls it only discourages
_CONTROLS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def strip_controls(text: str) -> str:
    """``text`` without control characters; tab, line feed and carriage return stay."""
    return _CONTROLS_RE.sub("", text) if text else text


def strip_controls_deep(value: Any) -> Any:
    """:func:`strip_controls` on every string in nested lists, tuples and dicts (keys too)."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, dict):
        return {strip_controls_deep(k): strip_controls_deep(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(strip_controls_deep(v) for v in value)
    return value


def strip_tree(tree: Any) -> None:
    """Strip control characters from every text node and string attribute of a doctree."""

    for node in list(tree.findall()):
        if isinstance(node, nodes.Text):
            if _CONTROLS_RE.search(node):
                node.parent.replace(node, nodes.Text(strip_controls(str(node))))
        elif isinstance(node, nodes.Element):
            for name, value in node.attributes.items():
                if isinstance(value, str) and _CONTROLS_RE.search(value):
                    node[name] = strip_controls(value)


class StripControls(SphinxTransform):
    """While a document is read, before ``doctree-read`` (880), where Sphinx takes the
    titles and tables of contents the navigation is built from."""

    default_priority = 860

    def apply(self, **kwargs: Any) -> None:
        strip_tree(self.document)


def _strip_resolved(app: Any, doctree: Any, docname: str) -> None:
    # what aggregates and post-transforms generate from stored records, just before writing
    strip_tree(doctree)


def _strip_page_context(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    # the HTML writer escapes markup but passes control characters through; strip them
    # from every text the page template inserts (body, title, meta tags, conf.py values)
    for name, value in list(context.items()):
        if isinstance(value, str):
            context[name] = strip_controls(value)


def setup(app: Any) -> None:
    app.add_transform(StripControls)
    app.connect("doctree-resolved", _strip_resolved, priority=events.STRIP_CONTROLS)
    app.connect("html-page-context", _strip_page_context, priority=events.STRIP_CONTROLS)
