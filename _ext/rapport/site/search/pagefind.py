"""The Pagefind program and the one command line the index is built with.

Runs wherever an index part is built: inside the HTML build (``build-finished``) or in
the live preview's indexer process (:mod:`rapport.site.search.indexer`). Pagefind is the
binary bundled in the ``pagefind-bin`` wheel; it reads local files only, no network.
"""

from __future__ import annotations

from pathlib import Path

#: blocks that a page does not index, because a record stands for them
EXCLUDE_SELECTORS = (
    # the entry blocks only: a reference to an entry (a span with the same class) is
    # part of the text around it
    "section.rapport-beslut",
    "div.rapport-beslut",
    "section.rapport-faq",
    "div.rapport-faq",
    ".rapport-tidslinje",
    # the lists of records that are indexed on their own (the register's table, a topic's
    # or a year's reports, the FAQ list): a hit there only put the list above the
    # record, and at 520 reports these pages were half of the words Pagefind indexed
    # again after an edit (the register alone is 700 kB)
    "table.rapport-register",
    ".rapport-amne-lista",
    ".rapport-arkiv",
    ".rapport-faq-lista",
    # code: the guide's examples (front matter, directives) are not what readers search
    "pre",
    # the same on every report: its downloads and contact, the links to the reports
    # before and after (a search for the contact's name found every report)
    ".rapport-hamta",
    ".rapport-bladdring",
    # the theme's "#" permalink after every heading is not content
    ".headerlink",
)


def pagefind_executable() -> Path | None:
    """The bundled binary; ``None`` when the ``pagefind-bin`` package is missing."""
    try:
        from pagefind_bin import get_executable
    except ImportError:
        return None
    try:
        return get_executable()
    except FileNotFoundError:
        return None


def pagefind_command(executable: Path | str, site: Path, output: Path) -> list[str]:
    """Index the staged pages in ``site`` into the bundle folder ``output``."""
    return [
        str(executable),
        "--site",
        str(site),
        "--output-path",
        str(output),
        # links keep their index.html, so the site works on any static server
        "--keep-index-url",
        "--exclude-selectors",
        ", ".join(EXCLUDE_SELECTORS),
        "--quiet",
    ]
