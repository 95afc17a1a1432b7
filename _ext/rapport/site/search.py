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
``build-finished``
    one small record page per decision, FAQ entry and communication action (from the
    domain stores, so incremental builds index entries of pages that were not
    rewritten) is written to a scratch folder in the output, Pagefind indexes the site (the bundled binary
    from ``pagefind-bin``; no network), and the scratch folder is removed again. A
    record page carries the URL of the entry it stands for (meta ``url``), which the
    search interface links to.

The search interface (``static/rapport-search.js``) is a small Swedish UI on Pagefind's
JavaScript API, loaded from the site itself.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import html
import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

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
    # the theme's "#" permalink after every heading is not content
    ".headerlink",
)
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
    try:
        # the search page template comes with the site's templates (_templates/search/);
        # a project without them (another theme, a test project) keeps its own page
        app.builder.templates.environment.get_template("search/page.html")  # type: ignore[attr-defined]
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
    info: dict[str, Any] = {"type": TYPE_PAGE, "title": title, "date": None}
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
    context["body"] = f"<div data-pagefind-body>{_meta_html(info)}{context['body']}</div>"


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


def write_record_pages(app: Sphinx, records: list[SearchRecord]) -> Path:
    folder = Path(app.outdir) / RECORDS_DIR
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for number, record in enumerate(records):
        (folder / f"{number:06d}.html").write_text(_record_page(app, record), encoding="utf-8")
    return folder


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
            for name, chunk_hash in filters:
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


def _on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or not _enabled(app):
        return
    site = Path(app.outdir)
    records = entry_records(app) + action_records(app)
    started = time.perf_counter()
    folder = write_record_pages(app, records)
    # Pagefind names its files by content hash and never deletes; an old index's
    # fragments would stay beside the new one (and keep removed entries on disk)
    shutil.rmtree(site / "pagefind", ignore_errors=True)
    try:
        result = run_pagefind(site)
    except FileNotFoundError:
        warn("search-index", "Sökindexet kunde inte byggas: programmet Pagefind (paketet pagefind-bin) saknas", None)
        return
    except (OSError, subprocess.SubprocessError) as exc:
        warn("search-index", f"Sökindexet kunde inte byggas: {exc}", None)
        return
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if result.returncode != 0:
        detail = " ".join((result.stderr or result.stdout).split())[-400:]
        warn(
            "search-index",
            f"Sökindexet kunde inte byggas (Pagefind avslutades med kod {result.returncode}): {detail}",
            None,
        )
        return
    canonicalise_bundle(site / "pagefind")
    remove_unused_ui(site / "pagefind")
    seconds = time.perf_counter() - started
    logger.info("sökindex byggt på %.1f s (%d beslut, FAQ-poster och åtgärder)", seconds, len(records))
    # for the benchmark (bench/search_metrics.py); kept beside the doctrees, not published
    stats = {"seconds": round(seconds, 3), "records": len(records)}
    (Path(app.doctreedir) / STATS_FILE).write_text(json.dumps(stats), encoding="utf-8")


def setup(app: Sphinx) -> None:
    app.add_post_transform(HeadingAnchors)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_html_page_context)
    app.connect("build-finished", _on_build_finished)
