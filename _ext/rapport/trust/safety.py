"""No injection: raw HTML and script links in the sources never reach a reader.

Runs as a transform while each document is read (before ``doctree-read``), for every
builder, so the HTML site, the search index (built from that HTML) and the PDFs (whose
print HTML comes from the same doctree) are covered at once and the warning is given
once per source, in serial, parallel and incremental builds alike.

* ``raw`` nodes for HTML (MyST's inline and block HTML, reST's ``.. raw:: html``) become
  visible, escaped text with a Swedish warning naming file and line
  (``rapport.raw-html``); ``rapport_allow_raw_html = True`` in ``conf.py`` lets them
  through unchanged. Raw nodes for other formats (LaTeX) never reach the HTML writer
  and are left alone.
* links whose scheme can run code (``javascript:``, ``vbscript:``, ``data:``) keep
  their text but lose the link, with a warning (``rapport.link-unsafe``). MyST already
  refuses them in Markdown; reST accepts them.

Values from front matter and directive options are rendered as docutils text nodes,
which every writer escapes; the few places that write markup or XML by hand
(``search.py``, ``feed.py``, ``decisions.py``'s filter form, the print templates)
escape on their own and are covered by ``tests/test_injection.py`` and
``tests/test_trust_outputs.py``.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms import SphinxTransform

from rapport.config import settings
from rapport.messages import located, warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx

UNSAFE_SCHEMES = ("javascript", "vbscript", "data")
# browsers ignore ASCII whitespace and control characters inside the scheme
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_IGNORED_RE = re.compile(r"[\x00-\x20]+")
_COMMENT_ONLY_RE = re.compile(r"^\s*(<!--(?:(?!-->).)*-->\s*)+$", re.DOTALL)


def is_unsafe_url(url: str) -> bool:
    # reST keeps character references in a URL; a browser decodes them in href
    match = _SCHEME_RE.match(_IGNORED_RE.sub("", html.unescape(url or "")))
    return match is not None and match.group(1).lower() in UNSAFE_SCHEMES


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RefuseRawHtml(SphinxTransform):
    """Raw HTML becomes visible text unless ``rapport_allow_raw_html`` is set."""

    # after the parsers' own transforms and before Sphinx's SphinxDomains (850) and
    # DoctreeReadEvent (880, the doctree-read handlers that collect titles and records)
    default_priority = 840

    def apply(self, **kwargs: Any) -> None:
        if settings(self.config).values.allow_raw_html:
            return
        warned: set[int] = set()
        for node in list(self.document.findall(nodes.raw)):
            formats = node.get("format", "").split()
            if "html" not in formats:
                continue
            text = node.astext()
            if _COMMENT_ONLY_RE.match(text):
                # an HTML comment is a note to the next writer: not shown, not a mistake
                node.parent.remove(node)
                continue
            parent = node.parent
            is_inline = isinstance(parent, nodes.TextElement)
            # inline HTML comes tag by tag (<b>, </b>): one warning per paragraph
            if is_inline and id(parent) in warned:
                node.replace_self(nodes.literal(text, text, classes=["rapport-html-text"]))
                continue
            warned.add(id(parent))
            warn(
                "raw-html",
                f"HTML-kod är inte tillåten i rapporterna och visas som text: ”{_short(text)}” "
                "(skriv Markdown i stället; rapport_allow_raw_html = True i conf.py tillåter HTML)",
                located(node),
            )
            if is_inline:
                replacement: nodes.Node = nodes.literal(text, text, classes=["rapport-html-text"])
            else:
                replacement = nodes.literal_block(text, text, classes=["rapport-html-text"])
                replacement["language"] = "text"
            replacement.source, replacement.line = node.source, node.line
            node.replace_self(replacement)


class RefuseUnsafeLinks(SphinxTransform):
    """``javascript:`` and similar links keep their text and lose the link."""

    default_priority = 841

    def apply(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(nodes.reference)):
            uri = node.get("refuri", "")
            if not is_unsafe_url(uri):
                continue
            warn(
                "link-unsafe",
                f"Länken ”{_short(uri)}” kan köra kod i läsarens webbläsare och visas som vanlig text "
                "(använd en http-, https- eller mailto-länk)",
                located(node),
            )
            node.replace_self(nodes.inline(node.astext(), "", *node.children))


def setup(app: Sphinx) -> None:
    app.add_transform(RefuseRawHtml)
    app.add_transform(RefuseUnsafeLinks)
