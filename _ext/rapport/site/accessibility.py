"""Accessibility: every page links to the accessibility statement (tillgänglighetsredogörelse).

Runs at ``html-page-context``: when the page named by ``rapport_accessibility_page``
exists, its relative address is handed to the footer template
(``_templates/extra-footer.html``), so the link is right on every page and absent in
projects without a statement (the test projects). The pages' structure (``lang``, one
``h1``, the Swedish skip link) comes from ``_templates/layout.html``; the checks are in
``tests/test_accessibility.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rapport import events
from rapport.config import settings

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def _add_statement_link(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    target = settings(app.config).values.accessibility_page
    if target and target in app.env.found_docs:
        context["rapport_tillganglighet_url"] = app.builder.get_relative_uri(pagename, target)


#: accessible name of the theme's expand/collapse buttons in the navigation (WCAG 4.1.2)
SUMMARY_LABEL = "Visa eller dölj undersidor"


def _name_toctree_toggles(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """The theme's sidebar folds subpages with ``<details><summary>`` holding only an icon;
    axe reports it (summary-name). The theme builds that HTML in a context function, so
    the function is wrapped to give each ``<summary>`` a Swedish name."""
    original = context.get("generate_toctree_html")
    if original is None or getattr(original, "_rapport_named", False):
        return

    def generate_toctree_html(*args: Any, **kwargs: Any) -> Any:
        html = original(*args, **kwargs)
        if (kwargs.get("kind") or (args[0] if args else "")) == "raw":
            return html  # callers of the raw form want the parsed tree
        # the sidebar form is a BeautifulSoup tree or a string, rendered with str()
        return str(html).replace("<summary>", f'<summary aria-label="{SUMMARY_LABEL}">')

    generate_toctree_html._rapport_named = True  # type: ignore[attr-defined]
    context["generate_toctree_html"] = generate_toctree_html


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", _add_statement_link)
    # after pydata-sphinx-theme's handler (500) put generate_toctree_html in the context
    app.connect("html-page-context", _name_toctree_toggles, priority=events.NAME_TOCTREE_TOGGLES)
