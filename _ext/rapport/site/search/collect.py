"""Which pages and records the index holds, and in which part (the HTML build).

Runs at ``write-started`` (the record pages, staged early) and ``build-finished`` (the
:class:`~rapport.site.search.plan.IndexPlan`), the same for the build and the live
preview. The entries with a hit of their own (decisions, FAQ entries, communication
actions) are offered by the rooms that own them, through the event
``rapport-search-records`` (:class:`rapport.events.SearchRecord`); each becomes a small
record page carrying the URL of the entry it stands for (meta ``url``), which the search
interface links to. They come from the domain's stores, so incremental builds index
entries of pages that were not rewritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapport import cache, events
from rapport.config import is_report, settings
from rapport.events import SearchRecord
from rapport.registry import get_domain
from rapport.reports import is_published
from rapport.site.search.markup import TYPE_GUIDE, hidden, is_guide, meta_html, published_page
from rapport.site.search.pagefind import pagefind_executable
from rapport.site.search.plan import BUCKET_PAGES, IndexPlan, PartPlan, primary_of, year_bucket
from rapport.trust.text import strip_controls

if TYPE_CHECKING:
    from sphinx.application import Sphinx

_YEAR_RE = re.compile(r"(?:^|/)((?:19|20)\d\d)(?=$|[/-])")


def search_records(app: Sphinx) -> list[SearchRecord]:
    """Every entry with a hit of its own, from the rooms that own them; those of drafts
    and future reports are left out. Once per build (the stores do not change after
    reading)."""

    def collect() -> list[SearchRecord]:
        offered = app.events.emit(events.SEARCH_RECORDS)
        return [
            record
            for records in offered
            for record in records
            if record.docname in app.env.all_docs and published_page(app, record.docname)
        ]

    return cache.computed(app.env, "search-records", collect)


def page_bucket(app: Sphinx, docname: str) -> str | None:
    """The part a page is indexed in; ``None`` for pages that are not indexed."""
    report = get_domain(app.env).store("reports").get(docname)
    if report is not None and is_report(app.config, docname):
        if not is_published(report, app.config):
            return None
        span = settings(app.config).values.search_years_per_part
        if report.compiled is not None:
            return year_bucket(report.compiled.year, span)
        match = _YEAR_RE.search(docname)
        return year_bucket(int(match.group(1)), span) if match else BUCKET_PAGES
    return BUCKET_PAGES


def record_bucket(app: Sphinx, record: SearchRecord) -> str:
    """A record goes with its date's year ("" when undated: the primary part), so a
    date-sorted search can go year by year."""
    if record.date:
        return year_bucket(int(record.date[:4]), settings(app.config).values.search_years_per_part)
    bucket = page_bucket(app, record.docname)
    return bucket if bucket and bucket != BUCKET_PAGES else ""


def record_page(app: Sphinx, record: SearchRecord) -> str:
    """The small page Pagefind indexes for a record."""
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
    meta = meta_html(info) + hidden("data-pagefind-meta", f"url:{url}")
    # the title is searchable too, unless the text already says it (an action's title)
    title_para = "" if info["title"] in record.text else f"<p>{html.escape(info['title'])}</p>"
    return strip_controls(
        f'<!DOCTYPE html><html lang="{html.escape(app.config.language or "sv")}"><head><meta charset="utf-8">'
        f"<title>{html.escape(info['title'])}</title></head><body><main data-pagefind-body>{meta}"
        # the entry's own text first, so the excerpt does not repeat the title shown above it
        f"<p>{html.escape(record.text)}</p>{title_para}</main></body></html>"
    )


def record_file(record: SearchRecord) -> str:
    """The staged file of a record, named by what it is, so that an unchanged record
    keeps its file from one build to the next."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", f"{record.docname}--{record.anchor or 'sida'}--{record.kind}")
    return f"{name[:150]}-{hashlib.sha256(repr(record).encode()).hexdigest()[:8]}.html"


def record_pages(app: Sphinx) -> list[tuple[str, str, str]]:
    """(part, staged file name, page) of every record; the part is "" for the primary.
    Once per build: ``write-started`` stages them, ``build-finished`` indexes them."""
    return cache.computed(
        app.env,
        "search-record-pages",
        lambda: [(record_bucket(app, r), record_file(r), record_page(app, r)) for r in search_records(app)],
    )


def primary_part(app: Sphinx) -> str:
    """The newest years of any page or record (the pages' part when none has a year)."""
    pages = [page_bucket(app, docname) or "" for docname in app.env.all_docs]
    return primary_of(pages + [part for part, _, _ in record_pages(app)])


def make_plan(app: Sphinx) -> IndexPlan:
    """Every part with the pages and records it indexes."""
    site = Path(app.outdir)
    primary = primary_part(app)
    # in the order the parts are first met (pages by name, then records): the word
    # list takes a word's written form from the first part that has it
    parts: dict[str, PartPlan] = {}
    for docname in sorted(app.env.all_docs):
        name = page_bucket(app, docname)
        if name is None:
            continue
        path = Path(app.builder.get_outfilename(docname))  # type: ignore[attr-defined]
        if path.is_file():
            relative = path.relative_to(site).as_posix()
            # suggestions come from the pages that list everything (not the reports'
            # long texts, not the writer's guide: what readers find by default)
            words = name == BUCKET_PAGES and not is_guide(app, relative.rsplit(".", 1)[0])
            parts.setdefault(name, PartPlan(name)).pages.append((relative, str(path), words))
    records = record_pages(app)
    for name, file, page in records:
        if name:
            parts.setdefault(name, PartPlan(name)).records.append((file, page))
    # the undated ones after the primary's dated records
    parts.setdefault(primary, PartPlan(primary)).records.extend((f, page) for name, f, page in records if not name)
    executable = pagefind_executable()
    return IndexPlan(
        site=str(site),
        doctreedir=str(Path(app.doctreedir)),
        primary=primary,
        parts=parts,
        records=len(records),
        executable=str(executable) if executable else "",
        guide=TYPE_GUIDE,
    )
