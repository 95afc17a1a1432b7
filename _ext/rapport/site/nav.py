"""The site's menu (the primary sidebar), built once per build instead of once per page.

The book theme resolves Sphinx's global toctree for every page it writes (about 37 ms a
page at 520 reports, more than parsing the page, and growing with the archive). The
menu of this site has a fixed shape, so it is built from what the environment already
knows:

* Start (the root document);
* Senaste rapporter: the latest published reports (from the reports store);
* the root toctree's pages in their order (Arkiv, Tidslinje, Ämnen, Beslutsregister,
  FAQ, Skrivguide …); the archive always lists its year pages, any other entry lists
  its subpages while the reader is inside it.

Build phases:

``env-updated``
    the menu's structure (entries, titles, year pages) is every page's digest for
    :func:`rapport.registry.stale_pages`; when it changed (a new year, a renamed page)
    every page is rewritten, so no page keeps an old menu. The latest reports
    are left out of that comparison: they change with every new report, and
    rewriting the whole site weekly would cost what the menu saves. Pages carry the
    list as it was when they were written, and ``rapport-senaste.js`` (written at
    ``build-finished``) brings it up to date in the browser.
``html-page-context``
    each page gets ``rapport_nav``: the menu's HTML with relative links and
    ``aria-current="page"`` on the page's own link, which ``_templates/sbt-sidebar-nav.html``
    prints instead of calling the theme's toctree functions.

Markup: ``nav > ul > li > a`` with the theme's classes (``bd-sidenav``, ``toctree-l1``,
``current``), so the theme's and the site's styles and scripts apply.
"""

from __future__ import annotations

import functools
import html
import json
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyphen
from sphinx.util.osutil import relative_uri

from rapport import cache, events
from rapport.config import is_report
from rapport.registry import digest_of, stale_pages
from rapport.reports import published_reports
from rapport.series import nav_title

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: how many of the latest reports the menu lists
LATEST = 5
#: the menu's accessible name and the heading of the latest reports
NAV_LABEL = "Webbplatsens meny"
LATEST_LABEL = "Senaste rapporter"
HOME_LABEL = "Start"
#: the script that updates the latest reports in pages written before the newest one
LATEST_SCRIPT = "rapport-senaste.js"
#: the menu's few styles of its own (static/)
STYLESHEET = "rapport-meny.css"
HTML_BUILDERS = ("html", "dirhtml")


@dataclass(frozen=True)
class NavEntry:
    docname: str
    title: str
    children: tuple[NavEntry, ...] = ()
    always_open: bool = False  # the archive: its year pages are listed on every page


@dataclass(frozen=True)
class Menu:
    entries: tuple[NavEntry, ...]
    latest: tuple[NavEntry, ...]
    parents: dict[str, str]  # docname -> the toctree page that lists it


def _title(env: BuildEnvironment, docname: str) -> str:
    node = env.titles.get(docname)
    return node.astext() if node is not None else docname


def _listed(env: BuildEnvironment, docname: str) -> list[str]:
    return [d for d in env.toctree_includes.get(docname, ()) if d in env.all_docs]


def menu(app: Sphinx) -> Menu:
    """The menu of this build (computed once per build, :mod:`rapport.cache`)."""
    return cache.computed(app.env, "nav-menu", lambda: _menu(app))


def _menu(app: Sphinx) -> Menu:
    env = app.env
    root = app.config.root_doc
    parents: dict[str, str] = {}
    for parent, children in env.toctree_includes.items():
        for child in children:
            parents.setdefault(child, parent)
    entries = []
    for docname in _listed(env, root):
        subpages = _listed(env, docname)
        # the archive: its subpages are the year pages, which list reports
        archive = any(is_report(app.config, d) for sub in subpages for d in env.toctree_includes.get(sub, ()))
        entries.append(
            NavEntry(docname, _title(env, docname), tuple(NavEntry(s, _title(env, s)) for s in subpages), archive)
        )
    latest = tuple(
        NavEntry(r.docname, nav_title(r.docname) or r.title or r.docname)
        for r in published_reports(app)[:LATEST]
        if r.docname in env.all_docs
    )
    return Menu(tuple(entries), latest, parents)


def _ancestors(current: str, parents: dict[str, str]) -> set[str]:
    found = set()
    while current in parents and current not in found:
        found.add(current)
        current = parents[current]
    found.add(current)
    return found


#: words this long may not fit the menu's width on a phone (about 16 characters)
LONG_WORD = 16


@functools.cache
def _hyphenator(language: str) -> Any:
    return pyphen.Pyphen(lang=language, left=3, right=3) if language in pyphen.LANGUAGES else None


def hyphenate(text: str, language: str) -> str:
    """``text`` with soft hyphens in its long words ("Tillgäng\xadlighets\xadredogörelse"),
    so the menu breaks them with a hyphen in every browser: CSS ``hyphens: auto`` needs
    the browser's own dictionary, which Debian's Chromium lacks (issue 24). The menu is
    outside the search index, so no indexed word gets one."""
    hyphenator = _hyphenator(language)
    if hyphenator is None:
        return text
    return " ".join(
        hyphenator.inserted(word, hyphen="\u00ad") if len(word) >= LONG_WORD and word.isalpha() else word
        for word in text.split(" ")
    )


def render(app: Sphinx, pagename: str, nav: Menu) -> str:
    """The menu's HTML as seen from ``pagename``."""
    builder = app.builder
    base = builder.get_target_uri(pagename)
    root = app.config.root_doc
    here = _ancestors(pagename, nav.parents)
    if pagename != root:
        here.discard(root)  # Start is marked only on the start page itself

    def link(entry: NavEntry) -> str:
        target = builder.get_target_uri(entry.docname)
        # the page's own link: relative_uri gives "", which some browsers resolve oddly
        href = html.escape(relative_uri(base, target) or posixpath.basename(target) or "./", quote=True)
        text = html.escape(hyphenate(entry.title, app.config.language or "sv"))
        if entry.docname == pagename:
            return f'<a class="reference internal current" href="{href}" aria-current="page">{text}</a>'
        return f'<a class="reference internal" href="{href}">{text}</a>'

    def item(entry: NavEntry, level: int, children: tuple[NavEntry, ...] = ()) -> str:
        classes = f"toctree-l{level}" + (" current active" if entry.docname in here else "")
        inner = ""
        if children:
            inner = f'<ul class="nav bd-sidenav">{"".join(item(c, level + 1) for c in children)}</ul>'
        return f'<li class="{classes}">{link(entry)}{inner}</li>'

    parts = [item(NavEntry(root, HOME_LABEL), 1)]
    if nav.latest:
        latest = "".join(item(e, 2) for e in nav.latest)
        parts.append(
            '<li class="toctree-l1 rapport-nav-senaste">'
            f'<span class="rapport-nav-rubrik" id="rapport-nav-senaste">{LATEST_LABEL}</span>'
            f'<ul class="nav bd-sidenav" aria-labelledby="rapport-nav-senaste" data-rapport-senaste>{latest}</ul></li>'
        )
    for entry in nav.entries:
        open_ = entry.always_open or entry.docname in here
        parts.append(item(entry, 1, entry.children if open_ else ()))
    return (
        f'<nav class="bd-links bd-docs-nav rapport-nav" aria-label="{NAV_LABEL}">'
        f'<div class="bd-toc-item navbar-nav active"><ul class="nav bd-sidenav">{"".join(parts)}</ul></div></nav>'
    )


def _signature(nav: Menu) -> tuple:
    """What every page's menu shows, except the latest reports (see the docstring)."""
    return tuple(
        (e.docname, e.title, e.always_open, tuple((c.docname, c.title) for c in e.children)) for e in nav.entries
    )


# -- event handlers -----------------------------------------------------------------------


def _on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    if app.builder.name not in HTML_BUILDERS:
        return []
    # every page shows the same menu: when it changes (a new year page, a renamed
    # entry), every page is rewritten
    digest = digest_of(_signature(menu(app)))
    return stale_pages(env, app.builder.name, "nav", dict.fromkeys(sorted(env.found_docs), digest))


def _on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if app.builder.name not in HTML_BUILDERS:
        return
    context["rapport_nav"] = render(app, pagename, menu(app))


def latest_script(app: Sphinx, nav: Menu) -> str:
    """``rapport-senaste.js``: replaces a page's list of the latest reports when it is
    older than the site's (a page is not rewritten when a new report comes)."""
    data = [{"uri": app.builder.get_target_uri(e.docname), "title": e.title} for e in nav.latest]
    return (
        "/* Generated by rapport.nav at every build: the latest reports for the menu. */\n"
        "(() => {\n"
        f"  const latest = {json.dumps(data, ensure_ascii=False)};\n"
        "  const update = () => {\n"
        "    const root = new URL(document.documentElement.dataset.content_root || './', window.location.href);\n"
        "    const here = new URL(window.location.href);\n"
        "    here.hash = ''; here.search = '';\n"
        "    for (const list of document.querySelectorAll('ul[data-rapport-senaste]')) {\n"
        "      const hrefs = [...list.querySelectorAll('a')].map((a) => new URL(a.getAttribute('href'), window.location.href).href);\n"
        "      const wanted = latest.map((e) => new URL(e.uri, root).href);\n"
        "      if (hrefs.join() === wanted.join()) continue;\n"
        "      list.replaceChildren(...latest.map((e, i) => {\n"
        "        const li = document.createElement('li');\n"
        "        const a = document.createElement('a');\n"
        "        a.className = 'reference internal';\n"
        "        a.href = wanted[i];\n"
        "        a.textContent = e.title;\n"
        "        if (wanted[i] === here.href) { a.setAttribute('aria-current', 'page'); a.classList.add('current'); li.className = 'toctree-l2 current active'; }\n"
        "        else li.className = 'toctree-l2';\n"
        "        li.append(a);\n"
        "        return li;\n"
        "      }));\n"
        "    }\n"
        "  };\n"
        "  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', update);\n"
        "  else update();\n"
        "})();\n"
    )


# -- the theme's per-page check for empty templates ------------------------------------------
#
# pydata-sphinx-theme renders every template of every page section once per page only
# to find out whether it renders empty (``update_and_remove_templates``, html-page-context
# at priority 500), and then again for the page. For templates whose emptiness does not
# depend on the page, that is checked once per build here: their sections are hidden
# from the theme's check (priority 450) and given back, without the empty ones, after it
# (priority 550). Sections with any other template are left to the theme.

#: the sections the theme checks (pydata_sphinx_theme.update_and_remove_templates)
THEME_SECTIONS = (
    "theme_navbar_start",
    "theme_navbar_center",
    "theme_navbar_persistent",
    "theme_navbar_end",
    "theme_article_header_start",
    "theme_article_header_end",
    "theme_article_footer_items",
    "theme_content_footer_items",
    "theme_footer_start",
    "theme_footer_center",
    "theme_footer_end",
    "theme_primary_sidebar_end",
    "sidebars",
)
#: templates that render empty on every page or on none (their content may differ)
PAGE_INDEPENDENT = frozenset(
    {
        "navbar-logo.html",
        "icon-links.html",
        "navbar-icon-links.html",
        "search-button-field.html",
        "search-button.html",
        "sbt-sidebar-nav.html",
        "theme-switcher.html",
        "toggle-primary-sidebar.html",
        "site-name.html",
        "article-header-buttons.html",
        "copyright.html",
        "author.html",
        "extra-footer.html",
    }
)
_HIDDEN = "_rapport_theme_sections"


def _template_names(value: Any) -> list[str] | None:
    names = [n.strip() for n in value.split(",")] if isinstance(value, str) else list(value)
    names = [n if posixpath.splitext(n)[1] else f"{n}.html" for n in names if n]
    return names if all(n in PAGE_INDEPENDENT for n in names) else None


def _hide_sections(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if app.builder.name not in HTML_BUILDERS:
        return
    hidden = {}
    for section in THEME_SECTIONS:
        value = context.get(section)
        names = _template_names(value) if value else None
        if names is not None:
            hidden[section] = names
            context[section] = []
    context[_HIDDEN] = hidden


def _restore_sections(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    hidden = context.pop(_HIDDEN, None)
    if not hidden:
        return
    templates = app.builder.templates

    def empty(name: str) -> bool:
        return cache.computed(
            app.env, ("theme-template-empty", name), lambda: not templates.render(name, context).strip()
        )

    for section, names in hidden.items():
        context[section] = [name for name in names if not empty(name)]


def _on_builder_inited(app: Sphinx) -> None:
    if app.builder.name in HTML_BUILDERS:
        app.add_js_file(LATEST_SCRIPT, loading_method="defer")
        app.add_css_file(STYLESHEET)


def _on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.name not in HTML_BUILDERS:
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    path = static / LATEST_SCRIPT
    text = latest_script(app, menu(app))
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-updated", _on_env_updated)
    app.connect("html-page-context", _on_html_page_context)
    app.connect("html-page-context", _hide_sections, priority=events.THEME_SECTIONS_HIDE)
    app.connect("html-page-context", _restore_sections, priority=events.THEME_SECTIONS_RESTORE)
    app.connect("build-finished", _on_build_finished)
