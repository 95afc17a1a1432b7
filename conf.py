"""Sphinx configuration of the site "Regional rapport Samordning vårdinformationsmiljö".

Build with ``make site`` (or ``sphinx-build -c . docs _build/html``): the content lives
in ``docs/``, the extension in ``_ext/rapport``. The structure of the report series
(sections, their order, which are required, standing content) is set here; what a writer
changes (site address, contacts, sender, SMTP server, lists, sign-off) is in the data
file ``rapport.toml`` beside this one, read below and validated by the extension.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).parent.resolve()
sys.path.insert(0, str(ROOT / "_ext"))

from rapport import settingsfile  # noqa: E402

# rapport_contact, rapport_email_from, rapport_smtp_host, ... from rapport.toml
_writer_settings = settingsfile.load(ROOT)
globals().update(_writer_settings)

project = "Regional rapport Samordning vårdinformationsmiljö"
author = "Koncernstab kommunikation, Koncernkontoret"
language = "sv"
today_fmt = "%-d %B %Y"

extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "rapport",
]

# Sources of decisions and FAQ answers (:kallor: keys); the path is relative to conf.py.
bibtex_bibfiles = ["docs/kallor.bib"]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_standard/**", "**/.ipynb_checkpoints"]
templates_path = [str(ROOT / "_templates")]

# Quotes are curled by docutils in the document's language (Swedish ”…”, ’); MyST's own
# "smartquotes" extension knows only English “…”.
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3

# -- the report series -----------------------------------------------------------------

rapport_default_series = "samordning-vim"
rapport_series = {
    "samordning-vim": {
        "title": "Regional rapport Samordning vårdinformationsmiljö",
        "sections": [
            {"key": "sammanfattning", "label": "Sammanfattande lägesbild", "required": True},
            {"key": "kommunikation", "label": "Kommunikativ lägesbild", "required": True},
            {"key": "verksamhetens-kommentar", "label": "Verksamhetens kommentar", "required": True},
            {
                "key": "atgarder",
                "label": "Kommunikativa åtgärder, urval",
                "required": True,
                # each list item is an action: "23/9 Kanal: [Titel](länk) – kommentar"
                "actions": True,
            },
            {
                "key": "samlad-information",
                "label": "Samlad information",
                "required": True,
                "standing": "_standard/samlad-information.md",
            },
            {
                "key": "samordningsgrupp",
                "label": "Samordningsgrupp för vårdinformationsmiljö",
                "required": True,
                "standing": "_standard/samordningsgrupp.md",
            },
            {
                "key": "talesperson",
                "label": "Talesperson",
                "required": True,
                "standing": "_standard/talesperson.md",
            },
            {
                "key": "om-rapporten",
                "label": "Om Regional rapport Samordning vårdinformationsmiljö",
                "required": True,
                "standing": "_standard/om-rapporten.md",
            },
        ],
    },
}
rapport_report_patterns = ["rapporter/*/*"]

# -- HTML ------------------------------------------------------------------------------

# Absolute links in the Atom feed and the sitemap: RAPPORT_BASE_URL, else webbadress in
# rapport.toml, else the local preview.
html_baseurl = (
    os.environ.get("RAPPORT_BASE_URL") or _writer_settings.get("rapport_site_url") or "http://127.0.0.1:8000/"
)

html_theme = "sphinx_book_theme"
html_title = "Samordning vårdinformationsmiljö"
html_short_title = "Samordning VIM"
html_static_path: list[str] = []
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
# The theme reads its colour mode from the context; without it every page logs a
# console error ("Got invalid theme mode") before falling back to "auto".
html_context = {"default_mode": "auto"}
html_theme_options = {
    # The sidebar renders the global toctree on every page; collapsing it keeps the cost
    # per page flat as the archive grows (measured: 111 s -> 21 s for 400 reports).
    "collapse_navbar": True,
    # Arkiv > year pages; a year's reports are listed on its page and linked from report
    # to report, not in the sidebar, so adding a report does not change (and rewrite)
    # the sidebar of every report of that year
    "max_navbar_depth": 2,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
    # reports carry their own "Föregående/Nästa rapport" links in date order; the theme's
    # links follow the toctree (newest first) and would point the other way
    "show_prev_next": False,
    "search_bar_text": "Sök i rapporterna …",
    # No top navbar: pydata-sphinx-theme fills it with a search field unless told
    # otherwise, and its hidden ☰ button comes first in the page, so the themes' scripts
    # (which bind to the first ".primary-toggle") left the visible ☰ dead. The article
    # header carries the menu button, the site name and the page's buttons instead.
    "navbar_persistent": [],
    "article_header_start": ["toggle-primary-sidebar.html", "site-name.html"],
    "back_to_top_button": True,
}
# the general index is empty (the reports have no index entries); a page titled "Index"
# with nothing on it only confuses readers
html_use_index = False
