"""Sphinx configuration of the site "Regional rapport Samordning vårdinformationsmiljö".

Build with ``make site`` (or ``sphinx-build -c . docs _build/html``): the content lives
in ``docs/``, the extension in ``_ext/rapport``. Everything specific to the report
series (sections, their order, which are required, standing content) is set here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).parent.resolve()
sys.path.insert(0, str(ROOT / "_ext"))

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

# Who readers contact about the series (shown on every report page) and where they report
# accessibility problems (the accessibility statement; else rapport_contact). Keys: namn,
# epost, telefon, webbadress. The source material names no contact route, so these are
# empty and the build says so until they are filled in.
rapport_contact: dict[str, str] = {}
rapport_accessibility_contact: dict[str, str] = {}

# -- HTML ------------------------------------------------------------------------------

# Absolute links in the Atom feed and the sitemap; set RAPPORT_BASE_URL to the address the
# site is published at (the default is the local preview).
html_baseurl = os.environ.get("RAPPORT_BASE_URL", "http://127.0.0.1:8000/")

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

# -- e-mail and intranet (rapport skicka, rapport publicera) ------------------------------

# The e-mail edition (`rapport bygg` writes _build/epost/<rapport>.eml) and `rapport skicka`;
# the Skrivguide page "Skicka och publicera" explains them. The values below are the
# defaults. The SMTP password is never set here: only in the environment variable
# RAPPORT_SMTP_LOSENORD. Links in the e-mail go to html_baseurl (RAPPORT_BASE_URL).
rapport_email_from = ""  # the sender, e.g. "Koncernstab kommunikation <rapport@example.se>"
rapport_email_attach_pdf = False  # attach the report's PDF (the link to it is always at the top)
rapport_email_public_base_url = ""  # where public lists' links go (the public site); "" = html_baseurl
rapport_email_lists = "utskick/listor.txt"  # distribution lists, outside docs/: never published
rapport_email_log = "utskick/skicklogg.jsonl"  # who got which report; a re-run sends only the rest
rapport_smtp_host = ""  # e.g. "smtp.example.se"
rapport_smtp_port = 587  # 587 with starttls, 465 with tls
rapport_smtp_security = "starttls"  # "starttls", "tls" or "none" (no login without encryption)
rapport_smtp_user = ""  # empty: the server needs no login
rapport_smtp_cafile = ""  # the organisation's CA certificate, if the system does not trust the server
rapport_smtp_timeout = 30  # seconds to wait for the server
