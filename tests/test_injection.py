"""No injection: script tags, attribute-breaking quotes and javascript: links from the
sources never become live markup, in any output.

tests/roots/test-inject feeds ``<script>alert(1)</script>``, ``" onmouseover="x`` and
``javascript:`` links through the report title, front matter topics, decision titel and
organ, FAQ fraga and amne, action channel, link text and URL, a topic name, raw HTML in
MyST and reST, and reST links.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pikepdf
import pytest
from bs4 import BeautifulSoup

from trusttools import build, copy_root, readable

SCRIPT = "<script>alert(1)</script>"
#: the theme's own buttons (print, full screen) carry onclick; nothing from the sources may
THEME_HANDLERS = {("button", "onclick")}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    base = tmp_path_factory.mktemp("inject")
    src = copy_root("inject", base)
    pdf = build(src, base, "rapportpdf", rapport_pdf_dir=str(base / "rapportpdf"))
    html = build(src, base, "html", rapport_pdf_dir=str(base / "rapportpdf"))
    return base, html.warnings + pdf.warnings


def live_markup(path: Path) -> list[str]:
    soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
    found = [f"<script> {s}" for s in soup.find_all("script") if "alert" in (s.string or "") or "alert" in s.get("src", "")]
    for element in soup.find_all(True):
        if element.name == "img" and element.get("src") == "x":
            found.append(f"<img> {element}")
        for name, value in element.attrs.items():
            if name.lower().startswith("on") and (element.name, name.lower()) not in THEME_HANDLERS:
                found.append(f"{name} on <{element.name}>")
            if name in ("href", "src", "action", "formaction") and "javascript" in str(value).lower().replace(" ", ""):
                found.append(f"{name}={value}")
    return found


def test_raw_html_and_script_links_are_warned_with_file_and_line(site: tuple[Path, list[str]]) -> None:
    _, warnings = site
    raw = [w for w in warnings if w.endswith("[rapport.raw-html]")]
    assert sorted({w.split(": WARNING")[0] for w in raw}) == [
        "rapporter/2025/2025-01-10.md:12",
        "rapporter/2025/2025-01-10.md:25",
        "rapporter/2025/2025-01-10.md:6",
        "rapporter/2025/2025-01-10.md:9",
        "rapporter/2025/2025-01-17.rst:10",
    ]
    assert (
        "rapporter/2025/2025-01-10.md:12: WARNING: HTML-kod är inte tillåten i rapporterna och visas som text: "
        "”<script>alert(1)</script>” (skriv Markdown i stället; rapport_allow_raw_html = True i conf.py "
        "tillåter HTML) [rapport.raw-html]" in warnings
    )
    unsafe = [w for w in warnings if w.endswith("[rapport.link-unsafe]")]
    assert unsafe == [
        "rapporter/2025/2025-01-17.rst:8: WARNING: Länken ”javascript:alert(1)” kan köra kod i läsarens webbläsare "
        "och visas som vanlig text (använd en http-, https- eller mailto-länk) [rapport.link-unsafe]",
        "rapporter/2025/2025-01-17.rst:8: WARNING: Länken ”JaVaScRiPt&#58;alert(1)” kan köra kod i läsarens "
        "webbläsare och visas som vanlig text (använd en http-, https- eller mailto-länk) [rapport.link-unsafe]",
    ]
    assert (
        "rapporter/2025/2025-01-10.md:26: WARNING: Åtgärdens länk ”javascript:alert(1)” är felaktig; "
        "endast http-, https- och mailto-länkar godtas [rapport.action-link]" in warnings
    )


def test_no_live_markup_in_any_page(site: tuple[Path, list[str]]) -> None:
    base, _ = site
    pages = sorted((base / "html").rglob("*.html"))
    assert len(pages) >= 8
    assert {str(p.relative_to(base / "html")): live_markup(p) for p in pages if live_markup(p)} == {}
    report = BeautifulSoup((base / "html/rapporter/2025/2025-01-10.html").read_text("utf-8"), "html.parser")
    # the text is still there for the reader, as text
    assert report.h1.get_text() .startswith(f"Rapport {SCRIPT}")
    assert SCRIPT in report.select_one("section#sammanfattning").get_text()
    register = BeautifulSoup((base / "html/beslutsregister.html").read_text("utf-8"), "html.parser")
    assert f'Beslut {SCRIPT}" onmouseover="x' in register.get_text()
    faq = BeautifulSoup((base / "html/faq.html").read_text("utf-8"), "html.parser")
    assert f'Fråga {SCRIPT}" onmouseover="x?' in faq.get_text()


def test_the_check_itself_finds_live_markup(tmp_path: Path) -> None:
    """The test above can fail: the same check on a page with live markup finds it."""
    page = tmp_path / "x.html"
    page.write_text(f'<p>{SCRIPT}<a href=" javascript:alert(1)" onmouseover="x">a</a><img src=x onerror="alert(1)"></p>')
    assert len(live_markup(page)) == 5


def test_rapport_allow_raw_html_lets_it_through(tmp_path: Path) -> None:
    src = copy_root("inject", tmp_path)
    result = build(src, tmp_path, "html", rapport_allow_raw_html=True, rapport_search="sphinx")
    assert not [w for w in result.warnings if "rapport.raw-html" in w]
    soup = BeautifulSoup((tmp_path / "html/rapporter/2025/2025-01-10.html").read_text("utf-8"), "html.parser")
    assert any(s.string == "alert(1)" for s in soup.find_all("script"))


def test_feed_json_search_meta_and_pdf_metadata_carry_the_text_escaped(site: tuple[Path, list[str]]) -> None:
    base, _ = site
    feed = ET.parse(base / "html/rapporter.atom").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [t.text for t in feed.findall("a:entry/a:title", ns)]
    assert f"Rapport {SCRIPT} ” onmouseover=”x" in titles
    terms = [c.get("term") for c in feed.findall("a:entry/a:category", ns)]
    assert terms == [SCRIPT, '" onmouseover="x']
    assert not feed.findall(".//script") and not feed.findall(".//{http://www.w3.org/1999/xhtml}script")

    decisions = json.loads((base / "html/beslut.json").read_text("utf-8"))["beslut"]
    assert decisions[0]["titel"] == f'Beslut {SCRIPT}" onmouseover="x'
    assert decisions[0]["organ"] == f'Nämnd {SCRIPT}" onmouseover="x'
    faq = json.loads((base / "html/faq.json").read_text("utf-8"))["faq"]
    assert faq[0]["fraga"] == f'Fråga {SCRIPT}" onmouseover="x?'

    # Pagefind's metadata: the title is stored as text
    fragments = [readable(p) for p in (base / "html/pagefind/fragment").iterdir()]
    assert any(f'"title":"Rapport {SCRIPT} ” onmouseover=”x"' in f for f in fragments)

    with pikepdf.open(base / "rapportpdf/rapporter/2025/2025-01-10.pdf") as pdf:
        assert str(pdf.docinfo["/Title"]) == f"Rapport {SCRIPT} ” onmouseover=”x"
        assert f"Rapport {SCRIPT} ” onmouseover=”x" in str(pdf.open_metadata().get("dc:title"))
