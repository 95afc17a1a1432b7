"""Atom feed of the reports and a sitemap, written after an HTML build.

Runs at ``build-finished`` (HTML builders only) and adds the feed's ``<link>`` to every
page at ``html-page-context``. Links are absolute, from ``html_baseurl`` (set by the
``RAPPORT_BASE_URL`` environment variable in ``conf.py``). Both files are generated
from the domain's records, never from the clock, so the same sources give the same
bytes (drafts and future reports are left out, as on the landing page and archive).
XML is written with ElementTree, which escapes every value taken from the sources;
control characters, which XML 1.0 forbids even escaped, are stripped from every text
and attribute just before writing (:func:`rapport.trust.text.strip_controls`).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from rapport.config import get_series, is_report
from rapport.corrections import corrections_of
from rapport.registry import get_domain
from rapport.reports import STORE, is_published, published_reports
from rapport.trust.text import strip_controls

if TYPE_CHECKING:
    from sphinx.application import Sphinx

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_FILE = "rapporter.atom"
SITEMAP_FILE = "sitemap.xml"
FEED_SIZE = 50  # newest reports in the feed; the archive has the rest
TZ = ZoneInfo("Europe/Stockholm")
WEB_BUILDERS = ("html", "dirhtml")


def _base(app: Sphinx) -> str:
    base = app.config.html_baseurl or "http://127.0.0.1:8000/"
    return base if base.endswith("/") else base + "/"


def _absolute(app: Sphinx, docname: str) -> str:
    return urljoin(_base(app), app.builder.get_target_uri(docname))


def _stamp(moment: dt.datetime | None) -> str:
    moment = moment or dt.datetime(1970, 1, 1)
    return moment.replace(tzinfo=TZ).isoformat()


def _clean(root: ET.Element) -> ET.Element:
    """Strip control characters from every text, tail and attribute value under ``root``."""
    for element in root.iter():
        if element.text:
            element.text = strip_controls(element.text)
        if element.tail:
            element.tail = strip_controls(element.tail)
        for name, value in element.attrib.items():
            element.set(name, strip_controls(value))
    return root


def build_feed(app: Sphinx) -> bytes:

    reports = published_reports(app)[:FEED_SIZE]
    series = get_series(app.config)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "sv"})
    ET.SubElement(feed, f"{{{ATOM}}}title").text = series.title if series else app.config.project
    ET.SubElement(feed, f"{{{ATOM}}}id").text = urljoin(_base(app), FEED_FILE)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=urljoin(_base(app), FEED_FILE))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=_base(app))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(reports[0].compiled if reports else None)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = app.config.author or app.config.project
    for report in reports:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = _absolute(app, report.docname)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = report.title or report.docname
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=url)
        # a correction updates the entry (dated, with what changed), as GOV.UK's change notes do
        fixes = corrections_of(app.env, report.docname)
        updated = max([report.compiled, *(c.when for c in fixes)], key=lambda d: d or dt.datetime.min)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(updated)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _stamp(report.compiled)
        summary = report.summary
        if fixes:
            last = fixes[-1]
            summary = f"Rättelse {last.date_text}: {last.right or last.note}" + (f" – {summary}" if summary else "")
        if summary:
            ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = summary
        for topic in report.topics:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=topic)
    ET.indent(_clean(feed))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def build_sitemap(app: Sphinx) -> bytes:

    reports = get_domain(app.env).store(STORE)
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    for docname in sorted(app.env.found_docs):
        if docname in reports and not is_published(reports[docname], app.config):
            continue
        if is_report(app.config, docname) and docname not in reports:
            continue
        if "orphan" in app.env.metadata.get(docname, {}) and docname not in reports:
            continue
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = _absolute(app, docname)
        if docname in reports and reports[docname].compiled:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = reports[docname].compiled.date().isoformat()
    ET.indent(_clean(urlset))
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def write_files(app: Sphinx, exception: Exception | None) -> None:
    # the web site only: the PDF builder is HTML-format too but writes no feed
    if exception is not None or app.builder.name not in WEB_BUILDERS:
        return
    out = Path(app.outdir)
    (out / FEED_FILE).write_bytes(build_feed(app))
    (out / SITEMAP_FILE).write_bytes(build_sitemap(app))


def add_feed_link(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if app.builder.name not in WEB_BUILDERS:
        return
    href = app.builder.get_relative_uri(pagename, "index").rsplit("index", 1)[0] + FEED_FILE
    tag = f'<link rel="alternate" type="application/atom+xml" title="Rapporter (Atom)" href="{href}">'
    context["metatags"] = context.get("metatags", "") + tag


def setup(app: Sphinx) -> None:
    app.connect("build-finished", write_files)
    app.connect("html-page-context", add_feed_link)
