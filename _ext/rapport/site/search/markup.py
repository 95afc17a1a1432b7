"""The site's pages marked up for Pagefind, and Sphinx's own search switched off.

Build phases:

``builder-inited``
    for the HTML builders, Sphinx's own search index and search page are switched off
    (``rapport_search = "sphinx"`` keeps them, for comparison) and the search page
    ``search.html`` is rendered from ``_templates/search/page.html`` instead.
writing (post-transform)
    each section heading gets an id of its own, for Pagefind's sub-results.
``html-page-context``
    every content page is marked up: the article becomes the indexed body (sidebars
    and navigation are not indexed), and hidden markup carries the title, the date (a
    report's compile date from :mod:`rapport.reports`), the sort key and the facets
    type, year and deciding body.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from rapport.config import is_report, settings
from rapport.dates import format_date
from rapport.registry import get_domain
from rapport.reports import is_published
from rapport.trust.text import strip_controls

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: facet names as the reader sees them (Pagefind shows filter names verbatim)
FILTER_TYPE = "Typ"
FILTER_YEAR = "År"
FILTER_BODY = "Organ"
#: sort key and meta key of the ISO date, and the meta key of the date as text
SORT_DATE = "datum"
META_DATE_TEXT = "datumtext"

TYPE_REPORT = "rapport"
TYPE_PAGE = "sida"
#: the writer's guide: off by default in the search, a facet of its own
TYPE_GUIDE = "skrivguide"
# the entries' types ("beslut", "FAQ", "åtgärd") are their owners' (rapport.events.SearchRecord)

#: the HTML builders whose output is indexed
HTML_BUILDERS = ("html", "dirhtml")
#: weight of a report's words against those of other pages (Pagefind's default is 1)
REPORT_WEIGHT = 4
#: suffix of the id a section heading gets for Pagefind's sub-results
HEADING_ID_SUFFIX = "-rubrik"


def enabled(app: Sphinx) -> bool:
    return settings(app.config).values.search == "pagefind" and app.builder.name in HTML_BUILDERS


def is_guide(app: Sphinx, docname: str) -> bool:
    guide = (settings(app.config).values.search_guide or "").strip("/")
    return bool(guide) and (docname == guide or docname.startswith(guide + "/") or docname == guide + "/index")


def published_page(app: Sphinx, docname: str) -> bool:
    """Whether a page and the entries on it are searchable: not a draft or future report."""
    report = get_domain(app.env).store("reports").get(docname)
    return report is None or is_published(report, app.config)


# -- builder-inited ------------------------------------------------------------------------


def on_builder_inited(app: Sphinx) -> None:
    if not enabled(app):
        return
    # Sphinx's indexer, searchindex.js and its search page are replaced by Pagefind
    app.builder.search = False  # type: ignore[attr-defined]
    try:
        # the search page template comes with the site's templates (_templates/search/);
        # a project without them (another theme, a test project) keeps its own page
        app.builder.templates.environment.get_template("search/page.html")
    except Exception:  # noqa: BLE001 - jinja2's TemplateNotFound or a loader error
        pass
    else:
        app.config.html_additional_pages.setdefault("search", "search/page.html")
    app.add_js_file("rapport-search.js", loading_method="defer")
    app.add_css_file("rapport-search.css")


# -- writing: heading ids for sub-results --------------------------------------------------


class HeadingAnchors(SphinxPostTransform):
    """Give each section heading an id of its own, so a hit links to the heading.

    Pagefind builds its sub-results (a hit under a heading, linked to ``#id``) only
    from headings that carry an id; docutils puts the id on the ``<section>`` around
    the heading. The heading gets ``<section id>-rubrik``; the section keeps its id, so
    existing links and the page's table of contents are unchanged.
    """

    default_priority = 900
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        if settings(self.config).values.search != "pagefind":
            return
        for section in self.document.findall(nodes.section):
            if not section["ids"] or not section.children or not isinstance(section[0], nodes.title):
                continue
            title = section[0]
            if not title["ids"]:
                title["ids"].append(section["ids"][0] + HEADING_ID_SUFFIX)


# -- html-page-context: page markup --------------------------------------------------------


def hidden(attr: str, value: str) -> str:
    # Pagefind copies the value verbatim into its index and the reader's result list
    return f'<span hidden {attr}="{html.escape(strip_controls(value), quote=True)}"></span>'


def page_markup(app: Sphinx, pagename: str, title: str) -> dict[str, Any] | None:
    """Type, date and facets of a content page; ``None`` for pages that are not indexed."""
    env = app.env
    if pagename not in env.all_docs:
        return None
    report = get_domain(env).store("reports").get(pagename)
    info: dict[str, Any] = {"type": TYPE_GUIDE if is_guide(app, pagename) else TYPE_PAGE, "title": title, "date": None}
    if report is not None and is_report(app.config, pagename):
        if not is_published(report, app.config):
            return None  # drafts and future reports are not searchable
        info["type"] = TYPE_REPORT
        info["title"] = report.title or title
        if report.compiled is not None:
            info["date"] = report.compiled.date()
    return info


def meta_html(info: dict[str, Any]) -> str:
    """The hidden markup of a page's or record's title, type, date and bodies."""
    parts = [
        hidden("data-pagefind-meta", f"title:{info['title']}"),
        hidden("data-pagefind-filter", f"{FILTER_TYPE}:{info['type']}"),
    ]
    day: dt.date | None = info["date"]
    if day is not None:
        parts += [
            hidden("data-pagefind-meta", f"{SORT_DATE}:{day.isoformat()}"),
            hidden("data-pagefind-meta", f"{META_DATE_TEXT}:{info.get('date_text') or format_date(day)}"),
            hidden("data-pagefind-sort", f"{SORT_DATE}:{day.isoformat()}"),
            hidden("data-pagefind-filter", f"{FILTER_YEAR}:{day.year}"),
        ]
    for body in info.get("bodies", ()):
        parts.append(hidden("data-pagefind-filter", f"{FILTER_BODY}:{body}"))
    return "".join(parts)


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    context["rapport_search_engine"] = (
        settings(app.config).values.search if app.builder.name in HTML_BUILDERS else "sphinx"
    )
    if not enabled(app) or "body" not in context:
        return
    info = page_markup(app, pagename, plain_title(context.get("title", "")))
    if info is None:
        return
    # The article's content is the indexed body; the theme's navigation, sidebars and
    # footers stay outside it. The body string is wrapped here rather than in a
    # template so every theme layout gets the same markup.
    body = context["body"]
    if info["type"] == TYPE_REPORT:
        # a report is long, and Pagefind's ranking favours short pages: its words count
        # more, so the report itself comes before the entries and pages that quote it
        body = f'<div data-pagefind-weight="{REPORT_WEIGHT}">{body}</div>'
    context["body"] = f"<div data-pagefind-body>{meta_html(info)}{body}</div>"


def plain_title(title: str) -> str:
    """Sphinx's page title is HTML (escaped text, maybe markup); the meta wants text."""
    return html.unescape(re.sub(r"<[^>]+>", "", title or "")).strip()
