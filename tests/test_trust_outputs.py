"""Every output escapes or strips what writer text could smuggle in.

tests/roots/test-trust-outputs names an unknown section ``"><svg/onload=alert(1)>`` (in
Markdown and reST) and puts control characters into a report title and body text
(vertical tab, which Python and MyST also count as a line break), into the options of a
decision and an FAQ entry (escape), and into ``conf.py``'s author and series title. The sources are built with the source guard switched off, so the defence at each
output is what is tested: the feed and the sitemap parse as XML, and no page, export,
search fragment or PDF metadata carries a control character.
"""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from trusttools import build, copy_root, pdf_metadata, pdftotext

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SVG_ID = "svg-onload-alert-1"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    import rapport.trust.sourceguard

    base = tmp_path_factory.mktemp("outputs")
    src = copy_root("trust-outputs", base)
    for path in [*src.rglob("*.md"), *src.rglob("*.rst")]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("{VT}", "\x0b").replace("{ESC}", "\x1b"), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        # the guard cleans sources when read; switched off, the outputs must hold alone
        patch.setattr(rapport.trust.sourceguard, "setup", lambda app: None)
        html = build(src, base, "html", rapport_pdf_dir=str(base / "rapportpdf"))
        pdf = build(src, base, "rapportpdf", rapport_pdf_dir=str(base / "rapportpdf"))
    return base, html.warnings + pdf.warnings


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_unknown_section_key_becomes_a_slug_not_markup(site: tuple[Path, list[str]]) -> None:
    base, warnings = site
    for page, line in (("2025-01-10", 19), ("2025-01-17", 10)):
        suffix = "md" if page.endswith("10") else "rst"
        assert any(
            w.startswith(f"rapporter/2025/{page}.{suffix}:{line}: WARNING: Okänt avsnitt ”\"><svg/onload=alert(1)>”")
            and w.endswith("[rapport.section-unknown]")
            for w in warnings
        ), page
        text = (base / f"html/rapporter/2025/{page}.html").read_text("utf-8")
        soup = BeautifulSoup(text, "html.parser")
        assert "<svg" not in text.lower()
        assert soup.find("svg") is None
        section = soup.find(id=SVG_ID)
        assert section is not None and section.name == "section"
        assert f'href="#{SVG_ID}"' in text  # the page's table of contents links the slug
        ids = [tag["id"] for tag in soup.find_all(id=True) if "rapport-avsnitt" in tag.get("class", [])]
        assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids), ids


def test_feed_and_sitemap_parse_without_control_characters(site: tuple[Path, list[str]]) -> None:
    base, _ = site
    atom = ET.fromstring((base / "html/rapporter.atom").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.findtext("a:title", namespaces=ns) == "Testrapport Fjällmark"
    assert atom.findtext("a:author/a:name", namespaces=ns) == "Testavdelningen Fjällmark[31m"
    titles = [e.findtext("a:title", namespaces=ns) for e in atom.findall("a:entry", ns)]
    assert "Rapport medstyrtecken" in titles
    sitemap = ET.fromstring((base / "html/sitemap.xml").read_bytes())
    assert len(sitemap) > 3
    for element in [*atom.iter(), *sitemap.iter()]:
        for value in [element.text or "", *element.attrib.values()]:
            assert not CONTROL.search(value), value


def test_no_control_character_in_pages_exports_or_search(site: tuple[Path, list[str]]) -> None:
    base, _ = site
    html = base / "html"
    checked = 0
    for path in sorted(html.rglob("*.html")):
        assert not CONTROL.search(path.read_text("utf-8")), path
        checked += 1
    for name in ("beslut.json", "faq.json"):
        data = json.loads((html / name).read_text("utf-8"))
        assert not [s for s in _strings(data) if CONTROL.search(s)], name
    assert "Beslut medstyrtecken" in _strings(json.loads((html / "beslut.json").read_text("utf-8")))
    assert "Fråga medstyrtecken?" in _strings(json.loads((html / "faq.json").read_text("utf-8")))
    fragments = sorted((html / "pagefind/fragment").glob("*.pf_fragment"))
    for path in fragments:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
        data = json.loads(text[text.index("{"):])  # after Pagefind's "pagefind_dcd" signature
        assert not [s for s in _strings(data) if CONTROL.search(s)], path
    assert checked > 5 and len(fragments) > 3


def test_pdf_metadata_and_bookmarks_have_no_control_characters(site: tuple[Path, list[str]]) -> None:
    base, _ = site
    pdfs = sorted((base / "rapportpdf").rglob("*.pdf"))
    assert len(pdfs) >= 3  # two reports and the bundle
    for path in pdfs:
        meta = pdf_metadata(path)
        assert not CONTROL.search(meta), path
        # pdftotext separates pages with a form feed of its own
        assert not CONTROL.search(pdftotext(path).replace("\f", "")), path
    assert "Testavdelningen Fjällmark" in pdf_metadata(base / "rapportpdf/rapporter/2025/2025-01-10.pdf")
