"""The extension's own Sphinx events, and every handler priority that orders modules.

Declared at ``setup`` (before any other module connects), emitted like
``todo-defined`` in ``sphinx/ext/todo.py``: a module that offers an extension point
emits the event, a module that contributes connects a handler, and neither imports the
other. Handlers receive the application first, as for Sphinx's own events; where an
event collects contributions, each handler returns its part and the emitter combines
the results in priority order (lower runs first).

==========================  ============================================  =====================================
event                       arguments -> result                          emitted by
==========================  ============================================  =====================================
``rapport-report-read``     ``(report, sections)`` -> ``None``            :mod:`rapport.reports`, doctree-read
``rapport-new-since``       ``(previous, report)`` -> ``list[NewItem]``   :mod:`rapport.series`
``rapport-topic-entries``   ``(topic, fromdoc)`` -> ``(heading, entries)``  :mod:`rapport.topics`
``rapport-topic-records``   ``(topic,)`` -> the records the handler's     :mod:`rapport.topics`, env-updated
                            ``rapport-topic-entries`` are made from
                            (one entry each; a stable ``repr``)
``rapport-topics-used``     ``()`` -> ``[(name, location)]``              :mod:`rapport.topics`, env-updated
``rapport-archive-entry``   ``(fromdoc, report, head)`` -> ``None``       :mod:`rapport.series`, writing
``rapport-archive-inputs``  ``(fromdoc, reports)`` -> a value with a      :mod:`rapport.series`, env-updated
                            stable ``repr``: what the handler's
                            ``rapport-archive-entry`` additions depend on
``rapport-standing-read``   ``(path, content)`` -> ``None``; handlers     :mod:`rapport.sections`, reading
                            change ``content[0]`` like ``include-read``
``rapport-resolve-xref``    ``(fromdoc, builder, typ, target, node,       :class:`rapport.registry.RapportDomain`
                            contnode)`` -> node or ``None``
``rapport-any-xref``        ``(fromdoc, builder, target, node,            :class:`rapport.registry.RapportDomain`
                            contnode)`` -> ``[(role, node)]``
``rapport-search-records``  ``()`` -> ``list[SearchRecord]``: the        :mod:`rapport.site.search`, writing
                            handler's entries with a search hit of
                            their own
==========================  ============================================  =====================================

The priorities below are the only ones a module passes to ``app.connect``: where two
modules' handlers of one event (ours or Sphinx's) must run in a given order, the
order is written here, once, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

REPORT_READ = "rapport-report-read"
NEW_SINCE = "rapport-new-since"
TOPIC_ENTRIES = "rapport-topic-entries"
TOPIC_RECORDS = "rapport-topic-records"
TOPICS_USED = "rapport-topics-used"
ARCHIVE_ENTRY = "rapport-archive-entry"
ARCHIVE_INPUTS = "rapport-archive-inputs"
STANDING_READ = "rapport-standing-read"
RESOLVE_XREF = "rapport-resolve-xref"
ANY_XREF = "rapport-any-xref"
SEARCH_RECORDS = "rapport-search-records"

EVENTS = (
    REPORT_READ,
    NEW_SINCE,
    TOPIC_ENTRIES,
    TOPIC_RECORDS,
    TOPICS_USED,
    ARCHIVE_ENTRY,
    ARCHIVE_INPUTS,
    STANDING_READ,
    RESOLVE_XREF,
    ANY_XREF,
    SEARCH_RECORDS,
)

# -- our events ----------------------------------------------------------------------------

#: "Nytt sedan förra rapporten" lists decisions, then questions, then actions
NEW_SINCE_DECISIONS = 400
NEW_SINCE_FAQ = 410
NEW_SINCE_ACTIONS = 600
#: a topic page lists reports, then decisions, questions and actions (and warns in that order)
TOPIC_REPORTS = 300
TOPIC_DECISIONS = 400
TOPIC_FAQ = 410
TOPIC_ACTIONS = 600
#: a standing snippet is cleaned (control characters, front matter) before the audience
#: decides whether it is shown, as an included file is
STANDING_CLEAN = 50
STANDING_AUDIENCE = 600
#: the search's records come as the registers list them: decisions, questions, actions
#: (one stable order for the staged record pages and the build's statistics)
SEARCH_DECISIONS = 400
SEARCH_FAQ = 410
SEARCH_ACTIONS = 600


@dataclass(frozen=True)
class SearchRecord:
    """One search hit that is not a page of its own (``rapport-search-records``).

    Offered by the room that owns the entry (a decision, FAQ entry or action); here in
    the core so that any room can offer one and the search reads no other room's store.
    """

    kind: str  # the search's Typ facet: "beslut", "FAQ", "åtgärd"
    docname: str  # the page the entry is rendered on
    anchor: str  # HTML id on that page ("" for the top of the page)
    title: str
    text: str
    date: str = ""  # ISO date, for sorting and the year facet
    bodies: tuple[str, ...] = field(default_factory=tuple)
    date_text: str = ""  # as shown, when it says more than the date ("senast 25 september 2025")


# -- Sphinx's events -----------------------------------------------------------------------

#: config-inited: the typed configuration first; the audience may then change
#: ``exclude_patterns`` and ``rapport_pdf_dir``; the symlink guard runs last, after
#: conf.py's own values, just before discovery
CONFIG = 400
CONFIG_AUDIENCE = 450
CONFIG_CONFINE = 900

#: doctree-read: the report model runs before Sphinx's own collectors (500), so the
#: standing sections it inserts reach the table of contents; the audience label next;
#: references are collected after the standing sections are in
REPORT = 400
AUDIENCE_LABEL = 450
COLLECT_REFERENCES = 600

#: env-updated: the build cache is forgotten first (the stores may have changed); the
#: reference index and global checks next; report signatures at Sphinx's default; the
#: unknown-topic check after every store is complete; aggregate pages last, because
#: their renderers read what the handlers before them derived
RESET_CACHE = 100
REFERENCE_INDEX = 450
TOPIC_CHECK = 600
AGGREGATES = 900

#: doctree-resolved: aggregate placeholders are replaced first (after Sphinx's
#: reference resolver ran, so renderers emit final links), then other handlers see them
RENDER_AGGREGATES = 400
#: doctree-resolved: a report's downloads block takes in the PDF link that
#: rapport.site.pdflinks put on the page at Sphinx's default (500)
READER_DOWNLOADS = 600
#: doctree-resolved: the e-mail builder's version text is taken last, from the page as
#: every other handler left it (what readers get)
VERSION_TEXT = 900

#: source-read and include-read: the source guard cleans the text before anything else
#: reads it (the encoding check, MyST); the audience looks at an included file after
#: it was cleaned; the encoding check comes before what follows from it
SOURCE_GUARD = 50
SOURCE_ENCODING = 100
INCLUDE_AUDIENCE = 600

#: doctree-read: the public build drops internal content before any module copies text
#: out of the doctree; files outside the source folder are dropped just before Sphinx's
#: ImageCollector and DownloadFileCollector (500) register them for copying
AUDIENCE_PUBLIC = 10
CONFINE_FILES = 499

#: doctree-resolved and html-page-context: control characters are stripped last, after
#: every module that adds text to the page, its body or its meta tags (search, feed)
STRIP_CONTROLS = 900

#: html-page-context: after pydata-sphinx-theme (500) put ``generate_toctree_html`` in
#: the context
NAME_TOCTREE_TOGGLES = 900

#: html-page-context: sections of page-independent theme templates are hidden from
#: pydata-sphinx-theme's per-page emptiness check (500) and given back after it, checked
#: once per build (rapport.site.nav)
THEME_SECTIONS_HIDE = 450
THEME_SECTIONS_RESTORE = 550

#: the warnings kept for rapport kontroll (rapport.writer.checkcache): the list of pages
#: to read is taken after every other handler changed it; a page's reading starts with
#: its source-read (first) and ends after every doctree-read handler (last), so their
#: warnings count as the page's; the list is saved after every other build-finished
#: handler (the search index) has warned
CHECK_PAGES_TO_READ = 900
CHECK_PAGE_READ_STARTS = 1
CHECK_PAGE_READ_ENDS = 999
CHECK_SAVE = 999

#: build-finished: stale and vanished outputs go before the search index is built
#: from the output folder (default 500), and again after the PDFs were copied into it
REMOVE_STALE_OUTPUTS = 100
REMOVE_STALE_PDF_COPIES = 900

#: build-finished: the garbage collector's own thresholds come back after every other
#: handler (rapport.collector), so the search index is still built with fewer collections
RESTORE_COLLECTOR = 1000


def setup(app: Sphinx) -> None:
    for name in EVENTS:
        app.add_event(name)
