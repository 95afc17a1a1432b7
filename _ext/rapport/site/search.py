"""Site search: Pagefind's index of the built HTML, with facets, dates and deep links.

Why Pagefind and not Sphinx's own search: Sphinx's ``searchindex.js`` holds the whole
index and every page of the theme loads it before the first query (it grows with the
archive), while Pagefind loads only the index chunks a query needs, stems Swedish
(it reads ``<html lang="sv">``) and offers filters and sorting. The measured figures are
in ``bench/search_metrics.py`` and the README.

Build phases:

``builder-inited``
    for the HTML builder, Sphinx's own search index and search page are switched off
    (``rapport_search = "sphinx"`` keeps them, for comparison) and the search page
    ``search.html`` is rendered from ``_templates/search/page.html`` instead.
``html-page-context``
    every content page is marked up for Pagefind: the article becomes the indexed body
    (sidebars and navigation are not indexed), and hidden markup carries the title, the
    date (a report's compile date from :mod:`rapport.reports`), the sort key and the
    facets type, year and deciding body.
``write-started``
    the record pages (below) are staged in a thread while the pages are written.
``build-finished``
    the site is indexed in parts (see "Pagefind has no incremental mode" below). Each
    part's pages are staged, reduced to their indexed part, in a folder beside the
    doctrees, with one small record page per decision, FAQ entry and communication
    action (from the domain stores, so incremental builds index entries of pages that
    were not rewritten); Pagefind (the bundled binary from ``pagefind-bin``; no
    network) indexes the parts whose input changed. A record page carries the URL of
    the entry it stands for (meta ``url``), which the search interface links to.

The search interface (``static/rapport-search.js``) is a small Swedish UI on Pagefind's
JavaScript API, loaded from the site itself.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from rapport import cache
from rapport.config import is_report
from rapport.dates import format_date
from rapport.messages import warn
from rapport.registry import get_domain
from rapport.reports import is_published
from rapport.trust.text import strip_controls

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

#: facet names as the reader sees them (Pagefind shows filter names verbatim)
FILTER_TYPE = "Typ"
FILTER_YEAR = "År"
FILTER_BODY = "Organ"
#: sort key and meta key of the ISO date, and the meta key of the date as text
SORT_DATE = "datum"
META_DATE_TEXT = "datumtext"

TYPE_REPORT = "rapport"
TYPE_DECISION = "beslut"
TYPE_FAQ = "FAQ"
TYPE_ACTION = "åtgärd"
TYPE_PAGE = "sida"
#: the writer's guide: off by default in the search, a facet of its own
TYPE_GUIDE = "skrivguide"

#: where record pages are written for indexing (removed again afterwards)
RECORDS_DIR = "_sokposter"
#: indexing time and record count of the last build, in the doctree directory
STATS_FILE = "rapport-search-stats.json"
#: the HTML builders whose output is indexed
HTML_BUILDERS = ("html", "dirhtml")

#: blocks that the page itself does not index, because a record stands for them
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
#: weight of a report's words against those of other pages (Pagefind's default is 1)
REPORT_WEIGHT = 4
#: suffix of the id a section heading gets for Pagefind's sub-results
HEADING_ID_SUFFIX = "-rubrik"


@dataclass(frozen=True)
class SearchRecord:
    """One search hit that is not a page of its own: a decision, FAQ entry or action."""

    kind: str  # TYPE_*
    docname: str  # the page the entry is rendered on
    anchor: str  # HTML id on that page ("" for the top of the page)
    title: str
    text: str
    date: str = ""  # ISO date, for sorting and the year facet
    bodies: tuple[str, ...] = field(default_factory=tuple)
    date_text: str = ""  # as shown, when it says more than the date ("senast 25 september 2025")


def _enabled(app: Sphinx) -> bool:
    return app.config.rapport_search == "pagefind" and app.builder.name in HTML_BUILDERS


# -- builder-inited ------------------------------------------------------------------------


def _on_builder_inited(app: Sphinx) -> None:
    if app.builder.name not in HTML_BUILDERS:
        return
    if app.config.rapport_search != "pagefind":
        return
    # Sphinx's indexer, searchindex.js and its search page are replaced by Pagefind
    app.builder.search = False  # type: ignore[attr-defined]
    if app.config.rapport_preview:
        # a save while the last index is still being made: that run is outdated, and
        # its Pagefind processes would take a core from this build for seconds (after
        # the preview's first build, the whole site's index: a save then took 3.3 s to
        # reload against 2.4 s)
        _stop_previous_indexers(Path(app.doctreedir))
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
        if self.config.rapport_search != "pagefind":
            return
        for section in self.document.findall(nodes.section):
            if not section["ids"] or not section.children or not isinstance(section[0], nodes.title):
                continue
            title = section[0]
            if not title["ids"]:
                title["ids"].append(section["ids"][0] + HEADING_ID_SUFFIX)


# -- html-page-context: page markup --------------------------------------------------------


def _hidden(attr: str, value: str) -> str:
    # Pagefind copies the value verbatim into its index and the reader's result list
    return f'<span hidden {attr}="{html.escape(strip_controls(value), quote=True)}"></span>'


def page_markup(app: Sphinx, pagename: str, title: str) -> dict[str, Any] | None:
    """Type, date and facets of a content page; ``None`` for pages that are not indexed."""
    env = app.env
    if pagename not in env.all_docs:
        return None
    reports = get_domain(env).store("reports")
    report = reports.get(pagename)
    info: dict[str, Any] = {"type": TYPE_GUIDE if is_guide(app, pagename) else TYPE_PAGE, "title": title, "date": None}
    if report is not None and is_report(app.config, pagename):
        if not _published(app, report):
            return None  # drafts and future reports are not searchable
        info["type"] = TYPE_REPORT
        info["title"] = report.title or title
        if report.compiled is not None:
            info["date"] = report.compiled.date()
    return info


def _published(app: Sphinx, report: Any) -> bool:
    return is_published(report, app.config)


def _meta_html(info: dict[str, Any]) -> str:
    parts = [
        _hidden("data-pagefind-meta", f"title:{info['title']}"),
        _hidden("data-pagefind-filter", f"{FILTER_TYPE}:{info['type']}"),
    ]
    day: dt.date | None = info["date"]
    if day is not None:
        parts += [
            _hidden("data-pagefind-meta", f"{SORT_DATE}:{day.isoformat()}"),
            _hidden("data-pagefind-meta", f"{META_DATE_TEXT}:{info.get('date_text') or format_date(day)}"),
            _hidden("data-pagefind-sort", f"{SORT_DATE}:{day.isoformat()}"),
            _hidden("data-pagefind-filter", f"{FILTER_YEAR}:{day.year}"),
        ]
    for body in info.get("bodies", ()):
        parts.append(_hidden("data-pagefind-filter", f"{FILTER_BODY}:{body}"))
    return "".join(parts)


def _on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    context["rapport_search_engine"] = app.config.rapport_search if app.builder.name in HTML_BUILDERS else "sphinx"
    if not _enabled(app) or "body" not in context:
        return
    info = page_markup(app, pagename, _plain_title(context.get("title", "")))
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
    context["body"] = f"<div data-pagefind-body>{_meta_html(info)}{body}</div>"


def _plain_title(title: str) -> str:
    """Sphinx's page title is HTML (escaped text, maybe markup); the meta wants text."""

    return html.unescape(re.sub(r"<[^>]+>", "", title or "")).strip()


# -- records: entries with a hit of their own ----------------------------------------------


def _store(app: Sphinx, name: str) -> dict[str, Any]:
    try:
        return get_domain(app.env).store(name)
    except KeyError:  # the module that owns the store is not loaded
        return {}


def _on_published_page(app: Sphinx, docname: str) -> bool:
    report = _store(app, "reports").get(docname)
    return report is None or _published(app, report)


def entry_records(app: Sphinx) -> list[SearchRecord]:
    """One record per decision and FAQ entry, linked to the block where it is rendered."""
    records = []
    for store_name, kind in (("decisions", TYPE_DECISION), ("faq", TYPE_FAQ)):
        store = _store(app, store_name)
        for docname in sorted(store):
            if docname not in app.env.all_docs or not _on_published_page(app, docname):
                continue
            for entry in store[docname]:
                if kind == TYPE_DECISION:
                    title = entry.title or entry.id
                    day = entry.date
                    date_text = getattr(entry, "date_text", "")
                    bodies = (entry.organ,) if entry.organ else ()
                    text = " ".join(p for p in (entry.text, entry.id, entry.organ) if p)
                else:
                    title = entry.question or entry.id
                    day = entry.updated
                    date_text = ""
                    bodies = ()
                    text = " ".join(p for p in (entry.text, entry.topic) if p)
                records.append(
                    SearchRecord(
                        kind=kind,
                        docname=docname,
                        anchor=entry.anchor,
                        title=title,
                        text=text,
                        date=day.isoformat() if day else "",
                        bodies=bodies,
                        date_text=date_text,
                    )
                )
    return records


def action_records(app: Sphinx) -> list[SearchRecord]:
    """One record per communication action, linked to its report's action section."""
    store = _store(app, "actions")
    reports = _store(app, "reports")
    records = []
    for docname in sorted(store):
        report = reports.get(docname)
        if report is None or not _published(app, report):
            continue
        for action in store[docname]:
            text = " ".join(p for p in (action.channel, action.title, action.comment) if p)
            records.append(
                SearchRecord(
                    kind=TYPE_ACTION,
                    docname=docname,
                    anchor="atgarder",
                    title=action.title,
                    text=text,
                    date=action.date.isoformat(),
                )
            )
    return records


# -- build-finished: the index -------------------------------------------------------------


def _record_page(app: Sphinx, record: SearchRecord) -> str:
    # relative to the site root; the search interface resolves it against the root
    url = app.builder.get_target_uri(record.docname)
    if record.anchor:
        url += "#" + record.anchor
    info: dict[str, Any] = {
        "type": record.kind,
        "title": record.title or record.text[:80],
        "date": dt.date.fromisoformat(record.date) if record.date else None,
        "bodies": record.bodies,
        "date_text": record.date_text,
    }
    meta = _meta_html(info) + _hidden("data-pagefind-meta", f"url:{url}")
    # the title is searchable too, unless the text already says it (an action's title)
    title_para = "" if info["title"] in record.text else f"<p>{html.escape(info['title'])}</p>"
    return strip_controls(
        f'<!DOCTYPE html><html lang="{html.escape(app.config.language or "sv")}"><head><meta charset="utf-8">'
        f"<title>{html.escape(info['title'])}</title></head><body><main data-pagefind-body>{meta}"
        # the entry's own text first, so the excerpt does not repeat the title shown above it
        f"<p>{html.escape(record.text)}</p>{title_para}</main></body></html>"
    )


def pagefind_executable() -> Path | None:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        return None
    try:
        return get_executable()
    except FileNotFoundError:
        return None


def run_pagefind(site: Path, executable: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Index ``site`` with the bundled Pagefind binary (local files only)."""
    executable = executable or pagefind_executable()
    if executable is None:
        raise FileNotFoundError("pagefind")
    command = [
        str(executable),
        "--site",
        str(site),
        "--output-subdir",
        "pagefind",
        # links keep their index.html, so the site works on any static server
        "--keep-index-url",
        "--exclude-selectors",
        ", ".join(EXCLUDE_SELECTORS),
        "--quiet",
    ]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)


# -- a byte-identical index for identical input ------------------------------------------
#
# Pagefind 1.5 writes the fragments and word index identically for identical input, but
# the filter chunks and the list of filters in pagefind.*.pf_meta come out in hash-map
# order, which differs from run to run (upstream Pagefind issue #638); the file names
# are content hashes, so they differ too. The builds must be comparable (serial, -j and
# incremental builds give the same output, issue 8), so after Pagefind the filter
# chunks and the meta file are rewritten in sorted order under new content-hash names.
# The files are gzip-compressed CBOR after a "pagefind_dcd" signature; the small CBOR
# reader and writer below cover what Pagefind writes (integers, strings, arrays, maps)
# and leave the bundle as Pagefind wrote it when they meet anything else.

_SIGNATURE = b"pagefind_dcd"


class _Unsupported(ValueError):
    pass


class _Map(list):
    """A CBOR map, kept as its list of (key, value) pairs in file order."""


def _cbor_read(data: bytes, pos: int = 0) -> tuple[Any, int]:
    first = data[pos]
    major, info = first >> 5, first & 31
    pos += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info in simple:
            return simple[info], pos
        raise _Unsupported(f"CBOR simple/float {info}")
    if info < 24:
        value = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        value = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    else:
        raise _Unsupported("indefinite CBOR length")
    if major == 0:
        return value, pos
    if major == 1:
        return -1 - value, pos
    if major in (2, 3):
        raw = data[pos : pos + value]
        return (bytes(raw) if major == 2 else raw.decode("utf-8")), pos + value
    if major == 4:
        items = []
        for _ in range(value):
            item, pos = _cbor_read(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        pairs = _Map()
        for _ in range(value):
            key, pos = _cbor_read(data, pos)
            item, pos = _cbor_read(data, pos)
            pairs.append((key, item))
        return pairs, pos
    raise _Unsupported(f"CBOR major type {major}")


def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise _Unsupported("integer too large")


def _cbor_write(value: Any) -> bytes:
    if value is False or value is True or value is None:
        return bytes([0xF4 if value is False else 0xF5 if value is True else 0xF6])
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, _Map):
        return _cbor_head(5, len(value)) + b"".join(_cbor_write(k) + _cbor_write(v) for k, v in value)
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_write(item) for item in value)
    raise _Unsupported(type(value).__name__)


def _read_chunk(path: Path) -> Any:

    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise _Unsupported(f"{path.name}: no Pagefind signature")
    value, end = _cbor_read(data, len(_SIGNATURE))
    if end != len(data):
        raise _Unsupported(f"{path.name}: trailing bytes")
    return value


def _write_chunk(folder: Path, prefix: str, suffix: str, digits: int, value: Any) -> str:

    data = _SIGNATURE + _cbor_write(value)
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return name


def _sort_key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def canonicalise_bundle(bundle: Path) -> bool:
    """Rewrite the filter chunks and the meta file in sorted order; False if left as is."""
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        plans = []
        for language, info in entry["languages"].items():
            meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
            meta = _read_chunk(meta_path)
            # [version, pages, index chunks, filters [[name, hash]...], sorts, meta fields]
            filters = meta[3]
            if not all(isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f) for f in filters):
                raise _Unsupported("unexpected filter list")
            chunks = {}
            for _name, chunk_hash in filters:
                value = _read_chunk(bundle / "filter" / f"{chunk_hash}.pf_filter")
                # [filter name, [[value, [page numbers...]], ...]]
                for item in value[1]:
                    item[1] = sorted(item[1])
                value[1] = sorted(value[1], key=_sort_key)
                chunks[chunk_hash] = value
            plans.append((language, info, meta_path, meta, chunks))
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        logger.info("sökindexet lämnas som Pagefind skrev det (%s)", exc)
        return False
    for language, info, meta_path, meta, chunks in plans:
        prefix = info["hash"].split("_", 1)[0]
        renamed = {}
        for old, value in chunks.items():
            new = _write_chunk(bundle / "filter", prefix, ".pf_filter", 7, value)
            if new != old:
                (bundle / "filter" / f"{old}.pf_filter").unlink()
            renamed[old] = new
        meta[3] = sorted(([name, renamed[h]] for name, h in meta[3]), key=_sort_key)
        new_meta = _write_chunk(bundle, f"pagefind.{prefix}", ".pf_meta", 10, meta).removeprefix("pagefind.")
        if new_meta != info["hash"]:
            meta_path.unlink()
        entry["languages"][language]["hash"] = new_meta
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return True


#: Pagefind's own interfaces, written with every index; the site uses its JS API only
UNUSED_UI = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
)


def remove_unused_ui(bundle: Path) -> None:
    for name in UNUSED_UI:
        (bundle / name).unlink(missing_ok=True)


# -- one index per year, merged in the browser -------------------------------------------
#
# Pagefind has no incremental mode: it reads every page it is given. A single index of
# the whole site took 5 s at 520 reports after every saved edit. The site is therefore
# indexed in parts ("buckets"), each a Pagefind bundle of its own, which the browser
# merges with Pagefind's multisite support (``mergeIndex``): one bucket per year (the
# year's reports and the decisions, FAQ entries and actions dated that year) and one
# for the other pages (archive, registers, topics, timeline, the writer's guide). A
# build hashes what each bucket would index and runs Pagefind only for the buckets whose
# input changed, several at a time; an edited report re-indexes its year and the pages
# that list it. The newest year is the primary bundle in ``pagefind/`` (the one whose
# pagefind.js the browser loads), the others are in ``pagefind/<bucket>/``, listed in
# ``pagefind/rapport-index.json`` with the weight the browser gives their hits: the
# navigation pages rank below reports, decisions and FAQ entries.

#: the bucket of the pages that are not reports (and of the writer's guide)
BUCKET_PAGES = "sidor"
# Years per bucket: ``rapport_search_years_per_part``, by default a decade (2020-2029).
# A query loads one chunk of the word index (about 25 KB) from every bucket: one bucket
# per year took the first query at 520 reports to 530 KB, five-year buckets to 299 KB,
# over or at the 300 KB it may cost; decades keep it near 285 KB. An edit re-indexes
# the report's decade and the pages that list it (about 1 s at one report a week).
#: how much a hit on a navigation page counts against a report or entry (Pagefind's
#: ``indexWeight``): for "ambulink" the topic page and the landing page ranked above
#: the report itself at 1.0
PAGES_WEIGHT = 0.3
#: the list of buckets the browser merges, inside the primary bundle
MANIFEST = "rapport-index.json"
#: the site's own words for "Menade du …?", inside the primary bundle
WORDS_FILE = "ordlista.json"
#: what each bucket last indexed (content hash, folder, words), in the doctree directory
BUCKETS_STATE = "rapport-search-buckets.json"
#: where the pages of a bucket are staged for Pagefind, in the doctree directory
STAGING_DIR = "rapport-sokindex"
#: words shown as suggestions: letters only, at least this long
MIN_WORD = 4
MAX_WORDS = 6000

_YEAR_RE = re.compile(r"(?:^|/)((?:19|20)\d\d)(?=$|[/-])")
_WORD_RE = re.compile(rf"[^\W\d_]{{{MIN_WORD},30}}")
_TAG_RE = re.compile(r"<[^>]*>")
_BODY_MARK = "<div data-pagefind-body>"


def is_guide(app: Sphinx, docname: str) -> bool:
    guide = (app.config.rapport_search_guide or "").strip("/")
    return bool(guide) and (docname == guide or docname.startswith(guide + "/") or docname == guide + "/index")


def page_bucket(app: Sphinx, docname: str) -> str | None:
    """The bucket a page is indexed in; ``None`` for pages that are not indexed."""
    report = _store(app, "reports").get(docname)
    if report is not None and is_report(app.config, docname):
        if not _published(app, report):
            return None
        span = app.config.rapport_search_years_per_part
        if report.compiled is not None:
            return year_bucket(report.compiled.year, span)
        match = _YEAR_RE.search(docname)
        return year_bucket(int(match.group(1)), span) if match else BUCKET_PAGES
    return BUCKET_PAGES


def year_bucket(year: int, span: int = 10) -> str:
    """``2023`` -> ``2020-2029`` (``2023`` for one year a part): fixed spans, so a year
    never changes bucket."""
    span = max(1, span)
    start = year - year % span
    return str(start) if span == 1 else f"{start}-{start + span - 1}"


def record_bucket(app: Sphinx, record: SearchRecord) -> str:
    """A decision, FAQ entry or action goes with its date's year ("" when undated: the
    primary bundle), so a date-sorted search can go year by year."""
    if record.date:
        return year_bucket(int(record.date[:4]), app.config.rapport_search_years_per_part)
    bucket = page_bucket(app, record.docname)
    return bucket if bucket and bucket != BUCKET_PAGES else ""


def _body_part(text: str) -> str:
    """What Pagefind indexes of a page: from the body marker to the article's end."""
    start = text.find(_BODY_MARK)
    if start < 0:
        return ""
    end = text.find("</article>", start)
    return text[start : end if end > 0 else len(text)]


_LANG_RE = re.compile(r"<html\b[^>]*?\blang=\"([^\"]*)\"")


def _staged_page(text: str) -> str:
    """The page as Pagefind is given it: its language and the part it indexes.

    The theme's header, sidebar and scripts are two thirds of a report page, and
    Pagefind parses every byte it is given; staging the indexed part alone took an
    edited report's decade from 0.67 to 0.53 s at 520 reports. What Pagefind keeps is
    the same: it reads the language from ``<html lang>`` and everything else from
    inside the ``data-pagefind-body`` element.
    """
    body = _body_part(text)
    if not body:
        return ""  # not indexed: Pagefind skips a page without the body marker
    lang = _LANG_RE.search(text, 0, 2000)
    return (
        f'<!DOCTYPE html><html lang="{lang.group(1) if lang else ""}"><head><meta charset="utf-8">'
        f"<title></title></head><body>{body}</body></html>"
    )


def count_words(text: str, counts: dict[str, int], forms: dict[str, dict[str, int]]) -> None:
    plain = html.unescape(_TAG_RE.sub(" ", text))
    for word in _WORD_RE.findall(plain):
        key = word.lower()
        counts[key] = counts.get(key, 0) + 1
        seen = forms.setdefault(key, {})
        seen[word] = seen.get(word, 0) + 1


def _page_forms(text: str) -> dict[str, dict[str, int]]:
    """The words of one page: lower case -> {form as written: count}."""
    forms: dict[str, dict[str, int]] = {}
    count_words(text, {}, forms)
    return forms


@dataclass
class Bucket:
    name: str
    pages: list[tuple[str, Path]] = field(default_factory=list)  # (path in the site, file)
    records: list[tuple[str, str]] = field(default_factory=list)  # record pages: (file name, HTML)
    staged: dict[str, str] = field(default_factory=dict)  # path in the site -> staged page, read once
    digest: str = ""
    words: dict[str, list] = field(default_factory=dict)  # lower -> [form, count]
    #: the words of each page counted, by the digest of its staged text: path in the
    #: site -> [digest, {lower: {form: count}}], kept in the buckets' state
    page_words: dict[str, list] = field(default_factory=dict)


def _primary(names: Iterable[str]) -> str:
    """The primary bucket among ``names``: the newest years (the pages' bucket when no
    page or record has a year)."""
    years = [n for n in names if n and n != BUCKET_PAGES]
    return max(years) if years else BUCKET_PAGES


def plan_buckets(app: Sphinx) -> tuple[dict[str, Bucket], str]:
    """Every bucket with the pages and records it indexes, and the primary bucket's name."""
    site = Path(app.outdir)
    buckets: dict[str, Bucket] = {}
    for docname in sorted(app.env.all_docs):
        name = page_bucket(app, docname)
        if name is None:
            continue
        path = Path(app.builder.get_outfilename(docname))  # type: ignore[attr-defined]
        if path.is_file():
            buckets.setdefault(name, Bucket(name)).pages.append((path.relative_to(site).as_posix(), path))
    undated = []
    for name, file, page in _record_pages(app):
        if name:
            buckets.setdefault(name, Bucket(name)).records.append((file, page))
        else:
            undated.append((file, page))
    primary = _primary(buckets)
    if undated:
        buckets.setdefault(primary, Bucket(primary)).records.extend(undated)
    buckets.setdefault(primary, Bucket(primary))
    return buckets, primary


def _digest_bucket(app: Sphinx, bucket: Bucket, folder: str) -> None:
    digest = hashlib.sha256(f"{folder}\n{','.join(EXCLUDE_SELECTORS)}\n".encode())
    for relative, path in bucket.pages:
        digest.update(f"\n{relative}\n".encode())
        staged = bucket.staged[relative] = _staged_page(path.read_text(encoding="utf-8"))
        digest.update(staged.encode("utf-8"))
    for file, page in bucket.records:
        digest.update(f"\n-{file}\n".encode() + page.encode("utf-8"))
    bucket.digest = digest.hexdigest()


def _bucket_words(app: Sphinx, bucket: Bucket, known: dict[str, list]) -> dict[str, list]:
    """The bucket's words for "Menade du …?": lower case -> [most common form, count].

    A page's words are counted again only when its staged text changed (``known``, from
    the last build): the registers and the timeline were 0.25 s of every edit's index.
    """
    counts: dict[str, int] = {}
    forms: dict[str, dict[str, int]] = {}
    for relative, path in bucket.pages:
        if bucket.name != BUCKET_PAGES or is_guide(app, relative.rsplit(".", 1)[0]):
            # the words of the pages that list everything (archive, registers, topics,
            # timeline) and of the entries themselves; the reports' long texts add few
            # words of their own and were most of the indexing time (suggestions come
            # from what readers find by default, so not from the writer's guide)
            continue
        staged = bucket.staged.get(relative)
        if staged is None:
            staged = _staged_page(path.read_text(encoding="utf-8"))
        digest = hashlib.sha256(staged.encode("utf-8")).hexdigest()[:20]
        last = known.get(relative)
        page = last[1] if isinstance(last, list) and len(last) == 2 and last[0] == digest else _page_forms(staged)
        bucket.page_words[relative] = [digest, page]
        for key, written in page.items():
            seen = forms.setdefault(key, {})
            for form, n in written.items():
                seen[form] = seen.get(form, 0) + n
                counts[key] = counts.get(key, 0) + n
    for _, page_html in bucket.records:
        count_words(page_html[page_html.find("<main") :], counts, forms)
    return {key: [max(forms[key].items(), key=lambda kv: (kv[1], kv[0]))[0], n] for key, n in counts.items()}


def _record_file(record: SearchRecord) -> str:
    """The staged file of a record, named by what it is, so that an unchanged record
    keeps its file from one build to the next."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", f"{record.docname}--{record.anchor or 'sida'}--{record.kind}")
    return f"{name[:150]}-{hashlib.sha256(repr(record).encode()).hexdigest()[:8]}.html"


def search_records(app: Sphinx) -> list[SearchRecord]:
    """Every decision, FAQ entry and action with a hit of its own; once per build (the
    stores do not change after reading)."""
    return cache.computed(app.env, "search-records", lambda: entry_records(app) + action_records(app))


def _record_pages(app: Sphinx) -> list[tuple[str, str, str]]:
    """(bucket, staged file name, page) of every record; the bucket is "" for the
    primary bundle. Once per build: ``write-started`` stages them, ``build-finished``
    indexes them."""
    return cache.computed(
        app.env,
        "search-record-pages",
        lambda: [(record_bucket(app, r), _record_file(r), _record_page(app, r)) for r in search_records(app)],
    )


def _write_staged(target: Path, data: bytes, made: set[Path]) -> None:
    """Write one staged file unless it holds ``data`` already."""
    try:
        if target.read_bytes() == data:
            return
        # a new file, never written through: the folder of an older version held hard
        # links to the site's pages
        target.unlink()
    except FileNotFoundError:
        if target.parent not in made:  # once per folder (3,900 files in a first build)
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
    target.write_bytes(data)


@dataclass
class _RecordStaging:
    """The record pages staged while the HTML pages are written (``write-started``)."""

    thread: threading.Thread | None = None
    error: BaseException | None = None


def _on_write_started(app: Sphinx, builder: Any) -> None:
    """Stage the record pages in a thread while the pages are written.

    The records are known once the environment is (decisions, FAQ entries and actions,
    from the stores), and creating their 3,300 small files took 1 to 2.5 s of a first
    build at 520 reports, serially before Pagefind could start; file writes wait on the
    disk, not on Python, so they overlap with writing the pages. At ``build-finished``,
    :func:`_stage` finds them in place and writes only what differs (a record whose
    part turned out to be another, when a new year became the primary part).
    """
    if not _enabled(app):
        return
    records = _record_pages(app)
    # the primary part as plan_buckets will choose it: the newest year of any page or record
    primary = _primary([page_bucket(app, docname) or "" for docname in app.env.all_docs] + [r[0] for r in records])
    root = Path(app.doctreedir) / STAGING_DIR
    files = [(root / (name or primary) / RECORDS_DIR / file, page) for name, file, page in records]
    staging = cache.computed(app.env, "search-record-staging", _RecordStaging)

    def run() -> None:
        made: set[Path] = set()
        try:
            for target, page in files:
                _write_staged(target, page.encode("utf-8"), made)
        except BaseException as exc:  # noqa: BLE001 - build-finished stages them again
            staging.error = exc

    staging.thread = threading.Thread(target=run, name="rapport-sokposter", daemon=True)
    staging.thread.start()


def _wait_for_record_staging(app: Sphinx) -> None:
    staging = cache.computed(app.env, "search-record-staging", _RecordStaging)
    if staging.thread is not None:
        staging.thread.join()
        staging.thread = None
    if staging.error is not None:
        logger.info("sökposterna skrivs om: %s", staging.error)


def _stage(staging: Path, bucket: Bucket) -> None:
    """The bucket's pages (:func:`_staged_page`) and record pages in ``staging``, for
    Pagefind.

    The folder is kept between builds and only what changed is written: creating the
    2,000 record files of a decade again took about 1 s at 520 reports, writing the
    few that changed takes nothing. Files that are no longer part of the bucket are
    removed.
    """
    wanted: set[Path] = set()
    folder = staging / RECORDS_DIR
    if bucket.records:
        folder.mkdir(parents=True, exist_ok=True)
    made: set[Path] = {folder}
    pages = [(staging / relative, bucket.staged[relative]) for relative, _ in bucket.pages]
    for target, page in pages + [(folder / file, page) for file, page in bucket.records]:
        wanted.add(target)
        _write_staged(target, page.encode("utf-8"), made)
    for dirpath, _dirs, files in os.walk(staging):
        for name in files:
            path = Path(dirpath, name)
            if path not in wanted:
                path.unlink()


#: what Pagefind writes into a bundle folder (the primary's also holds the other buckets)
_BUNDLE_DIRS = ("fragment", "index", "filter")


#: in a bundle folder while Pagefind writes into it; found at the next build, it means
#: that run was stopped (Ctrl+C, a new save in the preview) and files may be half written
IN_PROGRESS = ".rapport-indexerar"


def _prepare_bundle(folder: Path) -> None:
    """Make ``folder`` ready for Pagefind, keeping the files of the last index.

    Pagefind names fragments and chunks by a hash of their content and does not write a
    file that exists: at 520 reports an edit re-indexed its decade in 0.6 s into the
    folder as it was, against 2 to 2.8 s into an emptied one (creating 2,300 files
    again). What the new index no longer uses is removed after the run
    (:func:`_prune_bundle`). A folder that a stopped run left is emptied first: a file
    may be cut short under its full name there.
    """
    if (folder / IN_PROGRESS).exists() or not (folder / "pagefind-entry.json").is_file():
        _clear_bundle(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / IN_PROGRESS).touch()


def _prune_bundle(folder: Path) -> None:
    """Remove the fragments, chunks and meta files the bundle's entry no longer lists."""
    try:
        entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
        keep: dict[str, set[str]] = {"fragment": set(), "index": set(), "filter": set()}
        metas: set[str] = set()
        for info in entry["languages"].values():
            metas.add(f"pagefind.{info['hash']}.pf_meta")
            # [version, pages [[fragment, words]], index chunks [[from, to, hash]],
            #  filters [[name, hash]], sorts, meta fields]
            meta = _read_chunk(folder / f"pagefind.{info['hash']}.pf_meta")
            keep["fragment"].update(f"{page[0]}.pf_fragment" for page in meta[1])
            keep["index"].update(f"{chunk[-1]}.pf_index" for chunk in meta[2])
            keep["filter"].update(f"{item[1]}.pf_filter" for item in meta[3])
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        # an entry this code does not understand: the next build starts from an empty folder
        logger.info("sökindexets gamla filer rensas nästa gång (%s)", exc)
        return
    for child in folder.glob("pagefind.*.pf_meta"):
        if child.name not in metas:
            child.unlink(missing_ok=True)
    for kind, names in keep.items():
        for child in (folder / kind).iterdir() if (folder / kind).is_dir() else ():
            if child.name not in names:
                child.unlink(missing_ok=True)
    (folder / IN_PROGRESS).unlink(missing_ok=True)


def _clear_bundle(folder: Path) -> None:
    """Remove a bundle's own files (Pagefind never deletes; old fragments would stay)."""
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.is_dir():
            if child.name in _BUNDLE_DIRS:
                shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(("pagefind", "wasm.")):
            child.unlink(missing_ok=True)


def _bundle_folder(site: Path, name: str, primary: str) -> Path:
    return site / "pagefind" if name == primary else site / "pagefind" / name


def _load_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


#: in the live preview, the process still indexing after the previous build (the session
#: of its Pagefind runs)
PREVIEW_INDEXERS = "rapport-sokindex.pid"


def _stop_previous_indexers(doctreedir: Path) -> None:
    """The preview indexes in the background: a save during indexing starts new runs,
    and the old ones must not write into the folders the new ones fill."""
    path = doctreedir / PREVIEW_INDEXERS
    try:
        pids = [int(line) for line in path.read_text(encoding="utf-8").split()]
    except (OSError, ValueError):
        return
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGTERM)
        except OSError:
            pass  # finished already
    path.unlink(missing_ok=True)


def index_buckets(app: Sphinx, buckets: dict[str, Bucket], primary: str, state: dict[str, Any]) -> list[str]:
    """Run Pagefind for every bucket whose input changed, a few at a time; the names of
    the buckets indexed. Raises :class:`FileNotFoundError` without the binary."""
    site = Path(app.outdir)
    executable = pagefind_executable()
    if executable is None:
        raise FileNotFoundError("pagefind")
    todo = []
    for name in sorted(buckets, key=lambda n: (n != primary, n)):
        bucket = buckets[name]
        folder = _bundle_folder(site, name, primary)
        _digest_bucket(app, bucket, folder.relative_to(site).as_posix())
        seen = state.get(name) or {}
        if (
            seen.get("digest") == bucket.digest
            and (folder / "pagefind-entry.json").is_file()
            and not (folder / IN_PROGRESS).exists()
        ):
            bucket.words = seen.get("words") or {}
            bucket.page_words = seen.get("pages") or {}
            bucket.staged.clear()
            continue
        todo.append((name, folder))
    staging_root = Path(app.doctreedir) / STAGING_DIR
    running: list[tuple[str, Path, Path, subprocess.Popen[str]]] = []
    failed: list[str] = []
    # Pagefind is fast per bucket; two or three at once keep both cores busy
    width = max(1, min(3, (os.cpu_count() or 1) + 1))

    def finish(item: tuple[str, Path, Path, subprocess.Popen[str]]) -> None:
        name, folder, staging, proc = item
        out, err = proc.communicate()
        if proc.returncode != 0:
            detail = " ".join((err or out).split())[-400:]
            warn(
                "search-index",
                f"Sökindexet kunde inte byggas (Pagefind avslutades med kod {proc.returncode}): {detail}",
                None,
            )
            failed.append(name)
            return
        canonicalise_bundle(folder)
        remove_unused_ui(folder)
        _prune_bundle(folder)
        if name != primary:
            # merged bundles use the primary's script and WebAssembly
            for extra in ("pagefind.js", "pagefind-worker.js"):
                (folder / extra).unlink(missing_ok=True)
            for wasm in folder.glob("wasm.*.pagefind"):
                wasm.unlink()

    for name, folder in todo:
        bucket = buckets[name]
        staging = staging_root / name
        _stage(staging, bucket)
        _prepare_bundle(folder)
        while len(running) >= width:
            finish(running.pop(0))
        command = pagefind_command(executable, staging, folder)
        running.append(
            (
                name,
                folder,
                staging,
                subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
            )
        )
        # the words are counted while Pagefind indexes (0.15 s of an edit at 520 reports)
        bucket.words = _bucket_words(app, bucket, (state.get(name) or {}).get("pages") or {})
        bucket.staged.clear()
    while running:
        finish(running.pop(0))
    for name in failed:
        buckets[name].digest = ""
    return [name for name, _ in todo if name not in failed]


def pagefind_command(executable: Path, site: Path, output: Path) -> list[str]:
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


def write_manifest(site: Path, buckets: dict[str, Bucket], primary: str) -> None:
    """``pagefind/rapport-index.json``: the buckets the browser merges into the primary,
    newest year first (a date-sorted search goes year by year), the pages last."""
    years = sorted((n for n in buckets if n not in (primary, BUCKET_PAGES)), reverse=True)
    merge = [{"path": f"{n}/", "weight": 1} for n in years]
    if BUCKET_PAGES in buckets and primary != BUCKET_PAGES:
        merge.append({"path": f"{BUCKET_PAGES}/", "weight": PAGES_WEIGHT})
    manifest: dict[str, Any] = {"merge": merge, "words": WORDS_FILE, "guide": TYPE_GUIDE}
    if primary == BUCKET_PAGES:
        manifest["weight"] = PAGES_WEIGHT
    (site / "pagefind").mkdir(parents=True, exist_ok=True)  # the preview's indexers may not have made it yet
    _write_if_changed(site / "pagefind" / MANIFEST, json.dumps(manifest, ensure_ascii=False, separators=(",", ":")))
    words: dict[str, list] = {}
    for bucket in buckets.values():
        for key, (form, count) in bucket.words.items():
            if key in words:
                words[key][1] += count
            else:
                words[key] = [form, count]
    common = sorted(words.values(), key=lambda fc: (-fc[1], fc[0]))[:MAX_WORDS]
    _write_if_changed(site / "pagefind" / WORDS_FILE, json.dumps(common, ensure_ascii=False, separators=(",", ":")))


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        _write_whole(path, text)


def _write_whole(path: Path, text: str) -> None:
    """Write ``path`` so that a reader (the browser, the next build) never sees half of
    it: the preview's indexer may be stopped at any moment by the next save."""
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    if not _enabled(app):
        return
    _wait_for_record_staging(app)  # also after a failed build: no thread outlives it
    if exception is not None:
        return
    if not app.config.rapport_preview:
        index_site(app)
        return
    # The live preview does not wait for the index (rapport förhandsgranska): the browser
    # reloads as soon as the pages are written, and the search catches up a moment later.
    # Everything after the pages (which records, which parts changed, staging, Pagefind,
    # the list of parts) is done by a copy of this process in a session of its own, so
    # the next save can stop it (half a second of every save at 520 reports); the next
    # rebuild stops it at builder-inited.
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns into the build
        code = 0
        try:
            os.setsid()
            index_site(app)
        except BaseException:  # noqa: BLE001 - a stopped or failed run is redone by the next build
            code = 1
        finally:
            os._exit(code)
    (Path(app.doctreedir) / PREVIEW_INDEXERS).write_text(str(pid), encoding="utf-8")


def index_site(app: Sphinx) -> None:
    """Index what changed and write the list of parts and the words (``build-finished``,
    or a copy of the preview's process)."""
    site = Path(app.outdir)
    started = time.perf_counter()
    records = search_records(app)
    buckets, primary = plan_buckets(app)
    state_path = Path(app.doctreedir) / BUCKETS_STATE
    state = _load_state(state_path)
    if state.get("primary") != primary:
        state = {}  # the primary moved (a new year): every folder changes
    try:
        indexed = index_buckets(app, buckets, primary, state.get("buckets") or {})
    except FileNotFoundError:
        warn("search-index", "Sökindexet kunde inte byggas: programmet Pagefind (paketet pagefind-bin) saknas", None)
        # an index of older pages would find what is no longer there
        shutil.rmtree(site / "pagefind", ignore_errors=True)
        state_path.unlink(missing_ok=True)
        return
    except (OSError, subprocess.SubprocessError) as exc:
        warn("search-index", f"Sökindexet kunde inte byggas: {exc}", None)
        return
    # buckets that no longer exist (a year without pages now), and the primary's folder
    # from before it became the primary, leave nothing behind
    bundle = site / "pagefind"
    for child in bundle.iterdir() if bundle.is_dir() else ():
        if child.is_dir() and child.name not in _BUNDLE_DIRS and (child.name not in buckets or child.name == primary):
            shutil.rmtree(child, ignore_errors=True)
    staging = Path(app.doctreedir) / STAGING_DIR
    for child in staging.iterdir() if staging.is_dir() else ():
        if child.name not in buckets:
            shutil.rmtree(child, ignore_errors=True)
    if not (bundle / "pagefind-entry.json").is_file():
        return
    write_manifest(site, buckets, primary)
    state = {
        "primary": primary,
        "buckets": {
            n: {"digest": b.digest, "words": b.words, "pages": b.page_words} for n, b in buckets.items() if b.digest
        },
    }
    _write_whole(state_path, json.dumps(state, ensure_ascii=False))
    seconds = time.perf_counter() - started
    logger.info(
        "sökindex byggt på %.1f s (%d av %d delar: %s)",
        seconds,
        len(indexed),
        len(buckets),
        ", ".join(indexed) or "inga",
    )
    # for the benchmark (bench/search_metrics.py); kept beside the doctrees, not published
    stats = {"seconds": round(seconds, 3), "records": len(records), "buckets": len(buckets), "indexed": indexed}
    (Path(app.doctreedir) / STATS_FILE).write_text(json.dumps(stats), encoding="utf-8")


def setup(app: Sphinx) -> None:
    app.add_post_transform(HeadingAnchors)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_html_page_context)
    app.connect("write-started", _on_write_started)
    app.connect("build-finished", _on_build_finished)
