"""Placeholder links: ``[text](#)`` keeps its text but is not a dead link.

Runs as a post-transform while writing (every builder), before Sphinx's reference
resolver (priority 10), so it also covers standing content inserted at ``doctree-read``.
The reports carry links whose target is not known yet (``(#)``, as in the source
material); a reader gets the text, marked as a placeholder, instead of a link to
nowhere. ``rapport kontroll`` lists every such link so the writer can fill it in.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from rapport import compat
from rapport.messages import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def is_placeholder(node: nodes.Node) -> bool:
    if isinstance(node, addnodes.pending_xref):
        return node.get("reftype") == "myst" and node.get("reftarget", "").strip() in ("", "#")
    if isinstance(node, nodes.reference):
        return node.get("refuri", None) in ("#",) or (
            "refuri" in node and not node["refuri"].strip() and "refid" not in node
        )
    return False


SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME_RE = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def find_link(node: nodes.Element) -> nodes.Element | None:
    """The first link (resolved or pending) inside ``node``."""
    for child in node.findall(lambda n: isinstance(n, (nodes.reference, addnodes.pending_xref))):
        return child
    return None


def classify_link(node: nodes.Element) -> tuple[str, str]:
    """``("external", url)``, ``("internal", target)``, ``("placeholder", "")`` or
    ``("invalid", target)`` for a link node, at any phase after parsing."""
    if is_placeholder(node):
        return "placeholder", ""
    if isinstance(node, nodes.reference):
        uri = node.get("refuri", "")
        if not uri:
            return "internal", node.get("refid", "")
    else:
        uri = node.get("reftarget", "")
    match = _SCHEME_RE.match(uri)
    if match:
        if match.group(1).lower() in SAFE_SCHEMES and re.match(r"^\s*\w+:(//)?\S+$", uri):
            return "external", uri.strip()
        return "invalid", uri
    return "internal", uri


class PlaceholderLinks(SphinxPostTransform):
    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(is_placeholder)):
            text = node.astext()
            replacement = nodes.inline(text, "", *node.children, classes=["rapport-platshallare"])
            if isinstance(node, addnodes.pending_xref) and node.children and isinstance(node[0], nodes.inline):
                replacement = nodes.inline(text, "", *node[0].children, classes=["rapport-platshallare"])
            node.replace_self(replacement)


def _render_unusable_link(renderer: Any, token: Any) -> None:
    """Parsing phase: a MyST link whose target is far too long for a file name.

    MyST asks ``Path.is_file()`` whether ``[text](target)`` names a file; for a name
    longer than the file system allows (255 bytes) that raises ``OSError`` instead of
    returning False, and the whole build would end in a traceback
    (:func:`rapport.compat.guard_myst_link_targets` catches it and calls this). Such a
    target cannot be a page or a file: the writer gets a warning with file and line,
    the reader the text.
    """
    text = nodes.inline("", "", classes=["rapport-ogiltig-lank"])
    renderer.add_line_and_source_path(text, token)
    renderer.current_node.append(text)
    with renderer.current_node_context(text):
        renderer.render_children(token)
    href = " ".join(str(token.attrGet("href") or "").split())
    shown = href if len(href) <= 60 else href[:59] + "…"
    warn(
        "link-target",
        f"Länkmålet ”{shown}” är för långt för att vara en sida eller fil; länken visas som vanlig text",
        text if text.line else (renderer.sphinx_env.docname, renderer.document.current_line or 1),
    )


def setup(app: Sphinx) -> None:
    compat.guard_myst_link_targets(_render_unusable_link)
    app.add_post_transform(PlaceholderLinks)
