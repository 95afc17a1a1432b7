"""The page's own table of contents ("Innehåll"), without parsing HTML per page.

pydata-sphinx-theme's ``generate_toc_html`` feeds the page's local toc (``context["toc"]``,
the HTML Sphinx renders from the page's sections) to BeautifulSoup to add its CSS
classes and to drop the page title. At 520 reports that parse is the largest single
cost of writing a page (about 1.5 s of a full build, measured with cProfile). The toc
HTML has a fixed shape (``ul``/``li`` elements with one ``a.reference.internal`` each), so
the same classes are added here in one pass over its tags.

Build phase: ``html-page-context`` (after the theme's handlers have put ``toc`` in the
context). Each page gets ``rapport_page_toc``, which ``_templates/page-toc.html`` and
``_templates/toggle-secondary-sidebar.html`` print instead of calling
``generate_toc_html``. The markup is the theme's, so its styles and its scroll-spy apply.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from rapport.site.nav import HTML_BUILDERS

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: the tags of Sphinx's toc markup this module rewrites
_TAG_RE = re.compile(r'<(/?)(ul|li)((?:\s[^>]*)?)>|<a class="reference internal"')
_CLASS_RE = re.compile(r'\sclass="([^"]*)"')


def _with_classes(name: str, attrs: str, classes: list[str]) -> str:
    """``<name attrs>`` with ``classes`` after the tag's own classes (as the theme adds them)."""
    found = _CLASS_RE.search(attrs)
    own = found.group(1).split() if found else []
    rest = _CLASS_RE.sub("", attrs, count=1) if found else attrs
    return f'<{name} class="{" ".join([*own, *classes])}"{rest}>'


def page_toc_html(toc: str, show_toc_level: int) -> str:
    """The theme's on-page contents from Sphinx's local toc HTML.

    The same result as ``pydata_sphinx_theme.toctree.generate_toc_html`` (0.16-0.20):
    each list gets ``nav section-nav flex-column`` (and ``pst-show_toc_level`` up to
    ``show_toc_level + 1`` levels), each item ``toc-hN nav-item toc-entry`` and its link
    ``nav-link``. A page with one top-level item (its title) shows that item's sub-list,
    or nothing when it has no sections.
    """
    if not toc or "<li" not in toc:
        return ""
    out: list[str] = []
    pos = 0
    depth = 0  # lists open
    top_items = 0
    has_sections = False
    inner_start = inner_end = -1  # the first top item's sub-list, as positions in out
    for match in _TAG_RE.finditer(toc):
        out.append(toc[pos : match.start()])
        pos = match.end()
        closing, tag, attrs = match.group(1), match.group(2), match.group(3) or ""
        if tag is None:  # the item's link
            out.append('<a class="reference internal nav-link"')
        elif tag == "ul" and not closing:
            depth += 1
            classes = ["pst-show_toc_level"] if depth <= show_toc_level + 1 else []
            if depth == 2 and top_items == 1 and inner_start < 0:
                inner_start = len(out)
            out.append(_with_classes("ul", attrs, [*classes, "nav", "section-nav", "flex-column"]))
        elif tag == "ul":
            out.append("</ul>")
            if depth == 2 and inner_start >= 0 and inner_end < 0:
                inner_end = len(out)
            depth -= 1
        elif not closing:
            if depth == 1:
                top_items += 1
            elif depth == 2 and top_items == 1:
                has_sections = True
            out.append(_with_classes("li", attrs, [f"toc-h{depth}", "nav-item", "toc-entry"]))
        else:
            out.append("</li>")
    out.append(toc[pos:])
    if top_items == 1:
        # one top-level item is the page's title: its sections are the contents
        if not has_sections or inner_start < 0 or inner_end < 0:
            return ""
        return "".join(out[inner_start:inner_end])
    return "".join(out)


def _on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if app.builder.name not in HTML_BUILDERS:
        return
    level = int(context.get("theme_show_toc_level") or 1)
    context["rapport_page_toc"] = Markup(page_toc_html(str(context.get("toc") or ""), level))


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", _on_html_page_context)
