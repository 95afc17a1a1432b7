"""Readers on every device (issue 13): the real site at phone and desktop widths.

In Debian's Chromium, for every type of page: no sideways scrolling at 320, 390 and
1400 px (WCAG 1.4.10 Reflow); the menu opens on a tap and on Enter, shows its links,
takes focus and gives it back on Escape; axe-core by the WCAG 2.0/2.1 A and AA tags,
with the experimental rules of those tags switched on (label-content-name-mismatch,
WCAG 2.5.3, is one: a default run leaves it out). Without a browser: no English theme
string in any built page (text, title= or aria-label=), breadcrumbs below the start
page, and the Swedish theme catalog compiled from its source.
"""

from __future__ import annotations

import functools
import http.server
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: one page of every type a reader meets
PAGES = {
    "landing": "index.html",
    "report": "rapporter/2025/2025-09-25.html",
    "year": "rapporter/2025/index.html",
    "archive": "rapporter/index.html",
    "timeline": "tidslinje.html",
    "topics": "amnen/index.html",
    "topic": "amnen/millennium.html",
    "register": "beslutsregister.html",
    "faq": "faq.html",
    "search": "search.html?q=ambulink",
    "statement": "tillganglighet.html",
    "guide": "skrivguide/index.html",
    "coordination": "samordning.html",
}
SIZES = {"320": (320, 640), "390": (390, 844), "1400": (1400, 1000)}
PHONE, DESKTOP = SIZES["390"], SIZES["1400"]

#: interface words of the themes that must not reach a reader untranslated
ENGLISH = [
    "Toggle", "Search", "Light", "Dark", "System Settings", "Site navigation", "On this page",
    "Main", "Color mode", "Version warning", "Skip to main content", "Back to top", "Contents",
    "previous", "next", "Index",
]
_ENGLISH_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("readers")
    result = subprocess.run(
        [
            sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(REPO),
            "-d", str(out / "doctrees"), "-D", f"rapport_pdf_dir={out / 'pdf'}",
            str(REPO / "docs"), str(out / "html"),
        ],
        capture_output=True, text=True, cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    return out / "html"


@pytest.fixture(scope="module")
def origin(site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debians Chromium saknas (/usr/bin/chromium); make test installerar den")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()


def _open(browser: Any, url: str, size: tuple[int, int], touch: bool = False) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="sv-SE", has_touch=touch)
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    if "search.html?q=" in url:
        page.locator(".rapport-search__result").first.wait_for(state="visible", timeout=10_000)
    return context, page


# -- reflow --------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_reflows_without_sideways_scrolling(browser: Any, origin: str, name: str, width: str) -> None:
    context, page = _open(browser, f"{origin}/{PAGES[name]}", SIZES[width])
    try:
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        # what sticks out, to say why when it fails
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')].filter(e => {
                   const r = e.getBoundingClientRect();
                   return r.width > 0 && r.right > window.innerWidth + 1;
               }).slice(0, 5).map(e => e.tagName + '.' + [...e.classList].join('.'))"""
        )
        assert widths[0] <= widths[1], wide
        assert page.evaluate("getComputedStyle(document.documentElement).overflowX") != "hidden"
    finally:
        context.close()


# -- the menu ------------------------------------------------------------------------------


def _menu_state(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const button = document.querySelector('.primary-toggle');
            const dialog = document.getElementById('pst-primary-sidebar-modal');
            const sidebar = document.getElementById('pst-primary-sidebar');
            const holder = dialog.open ? dialog : sidebar;
            const links = [...holder.querySelectorAll('nav a')].filter(a => {
                const r = a.getBoundingClientRect();
                return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= window.innerWidth
                    && getComputedStyle(a).visibility !== 'hidden';
            });
            return {
                expanded: button.getAttribute('aria-expanded'),
                dialogOpen: dialog.open,
                visibleLinks: links.map(a => a.textContent.trim()),
                focusInDialog: dialog.contains(document.activeElement),
                focusOnButton: document.activeElement === button,
                buttonName: button.textContent.trim(),
            };
        }"""
    )


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("name", ["report", "landing", "statement"])
def test_phone_menu_opens_on_tap_and_closes_on_escape(browser: Any, origin: str, name: str) -> None:
    context, page = _open(browser, f"{origin}/{PAGES[name]}", PHONE, touch=True)
    try:
        before = _menu_state(page)
        assert before["buttonName"] == "Meny" and before["expanded"] == "false"
        assert before["visibleLinks"] == []
        page.locator(".primary-toggle").tap()
        opened = _menu_state(page)
        assert opened["dialogOpen"] and opened["expanded"] == "true"
        assert {"Arkiv", "Beslutsregister", "Frågor och svar"} <= set(opened["visibleLinks"])
        assert opened["focusInDialog"]
        page.keyboard.press("Escape")
        page.wait_for_function("!document.getElementById('pst-primary-sidebar-modal').open")
        page.wait_for_function("document.activeElement === document.querySelector('.primary-toggle')")
        page.wait_for_timeout(400)  # the sidebar slides back out of view
        closed = _menu_state(page)
        assert closed["expanded"] == "false" and closed["visibleLinks"] == []
        # the close button in the drawer works too
        page.locator(".primary-toggle").tap()
        page.get_by_role("button", name="Stäng menyn").tap()
        assert _menu_state(page)["dialogOpen"] is False
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("size", [SIZES["320"], PHONE])
def test_phone_menu_opens_with_the_keyboard(browser: Any, origin: str, size: tuple[int, int]) -> None:
    context, page = _open(browser, f"{origin}/{PAGES['report']}", size)
    try:
        page.locator(".primary-toggle").focus()
        page.keyboard.press("Enter")
        opened = _menu_state(page)
        assert opened["dialogOpen"] and opened["focusInDialog"] and "Arkiv" in opened["visibleLinks"]
        page.keyboard.press("Escape")
        page.wait_for_function("document.activeElement === document.querySelector('.primary-toggle')")
        page.keyboard.press("Space")
        assert _menu_state(page)["dialogOpen"]
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_desktop_menu_folds_and_unfolds_with_enter_keeping_focus(browser: Any, origin: str) -> None:
    context, page = _open(browser, f"{origin}/{PAGES['report']}", DESKTOP)
    try:
        shown = _menu_state(page)
        assert shown["expanded"] == "true" and "Arkiv" in shown["visibleLinks"]
        page.locator(".primary-toggle").focus()
        page.keyboard.press("Enter")
        page.wait_for_timeout(400)  # the theme's fold transition
        folded = _menu_state(page)
        assert folded["expanded"] == "false" and folded["visibleLinks"] == [] and folded["focusOnButton"]
        page.keyboard.press("Enter")
        page.wait_for_timeout(400)
        unfolded = _menu_state(page)
        assert unfolded["expanded"] == "true" and "Arkiv" in unfolded["visibleLinks"]
        assert not unfolded["dialogOpen"]
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("size", [SIZES["320"], DESKTOP])
def test_site_name_in_the_header_links_home(browser: Any, origin: str, size: tuple[int, int]) -> None:
    context, page = _open(browser, f"{origin}/{PAGES['faq']}", size)
    try:
        home = page.locator(".bd-header-article a.rapport-webbplatsnamn")
        assert home.is_visible()
        assert home.inner_text().strip() in ("Samordning vårdinformationsmiljö", "Samordning VIM")
        home.click()
        page.wait_for_load_state()
        assert page.url.endswith("/index.html")
    finally:
        context.close()


# -- axe -----------------------------------------------------------------------------------


def _wcag_rules(page: Any) -> tuple[list[str], dict[str, Any]]:
    """axe's rules for the WCAG tags, and options that also switch on the experimental ones
    among them (axe leaves rules tagged "experimental" out of a tag run)."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate(Axe().axe_script)
    experimental = page.evaluate(
        "tags => axe.getRules(tags).filter(r => r.tags.includes('experimental')).map(r => r.ruleId)", WCAG_TAGS
    )
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "rules": {rule: {"enabled": True} for rule in experimental},
    }
    return experimental, options


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", ["390", "1400"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_axe_violations_by_wcag_tags_with_experimental_rules(
    browser: Any, origin: str, name: str, width: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context, page = _open(browser, f"{origin}/{PAGES[name]}", SIZES[width])
    try:
        experimental, options = _wcag_rules(page)
        assert "label-content-name-mismatch" in experimental
        response = Axe().run(page, options=options).response
        ran = {r["id"] for kind in ("passes", "violations", "incomplete", "inapplicable") for r in response[kind]}
        assert "label-content-name-mismatch" in ran
        violations = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5]) for v in response["violations"]
        ]
        assert violations == []
        assert len(response["passes"]) > 10
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_axe_run_would_catch_a_label_in_name_mismatch(browser: Any, origin: str, site: Path) -> None:
    """The experimental rule really runs: a button that shows "Sök Ctrl K" but is named "Sök"."""
    from axe_playwright_python.sync_playwright import Axe

    probe = site / "_probe_label.html"
    probe.write_text(
        '<!doctype html><html lang="sv"><head><title>Prov</title></head><body><main><h1>Prov</h1>'
        '<button aria-label="Sök">Visa alla rapporter</button></main></body></html>',
        "utf-8",
    )
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{origin}/_probe_label.html")
        _, options = _wcag_rules(page)
        response = Axe().run(page, options=options).response
        assert "label-content-name-mismatch" in {v["id"] for v in response["violations"]}
    finally:
        context.close()
        probe.unlink()


# -- Swedish everywhere ----------------------------------------------------------------------


def _html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts and "pagefind" not in p.parts)


def _english_in(soup: BeautifulSoup) -> list[str]:
    for hidden in soup.select("script, style, pre, code, kbd, samp, .highlight"):
        hidden.decompose()
    found = []
    text = soup.body.get_text(" ") if soup.body else ""
    found += [f"text: {m}" for m in _ENGLISH_RE.findall(text)]
    for attr in ("title", "aria-label", "placeholder", "alt"):
        for element in soup.find_all(attrs={attr: True}):
            found += [f"{attr}: {m}" for m in _ENGLISH_RE.findall(element[attr])]
    title = soup.title.get_text() if soup.title else ""
    found += [f"<title>: {m}" for m in _ENGLISH_RE.findall(title)]
    return found


def test_english_scan_would_catch_a_theme_string() -> None:
    soup = BeautifulSoup(
        '<html><head><title>Index</title></head><body><button title="Toggle primary sidebar"></button>'
        '<nav aria-label="Main"></nav><p>Back to top</p><pre>next</pre></body></html>',
        "html.parser",
    )
    assert sorted(_english_in(soup)) == sorted(
        ["<title>: Index", "title: Toggle", "aria-label: Main", "text: Back to top"]
    )


def test_no_english_interface_strings_in_any_page(site: Path) -> None:
    pages = _html_pages(site)
    assert len(pages) > 15
    found = {}
    for path in pages:
        english = _english_in(BeautifulSoup(path.read_text("utf-8"), "html.parser"))
        if english:
            found[str(path.relative_to(site))] = english
    assert found == {}
    assert not (site / "genindex.html").exists()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("name", ["report", "search", "landing"])
def test_no_english_interface_strings_after_scripts_ran(browser: Any, origin: str, name: str) -> None:
    """What the theme's scripts add (tooltips, labels) is Swedish too."""
    context, page = _open(browser, f"{origin}/{PAGES[name]}", DESKTOP)
    try:
        english = _english_in(BeautifulSoup(page.content(), "html.parser"))
        assert english == []
    finally:
        context.close()


def test_breadcrumbs_below_the_start_page(site: Path) -> None:
    def trail(path: str) -> list[str] | None:
        soup = BeautifulSoup((site / path).read_text("utf-8"), "html.parser")
        nav = soup.select_one('nav[aria-label="Brödsmulor"]')
        return None if nav is None else [li.get_text(strip=True) for li in nav.select("li")]

    assert trail("index.html") is None
    assert trail(PAGES["report"]) == ["Start", "Arkiv", "2025", "25 september 2025"]
    assert trail(PAGES["year"]) == ["Start", "Arkiv", "2025"]
    assert trail(PAGES["faq"]) == ["Start", "Frågor och svar"]
    assert trail("skrivguide/skriva.html") == ["Start", "Skrivguide", "Skriva rapporten"]
    for path in _html_pages(site):
        if path.name == "index.html" and path.parent == site:
            continue
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        nav = soup.select_one('nav[aria-label="Brödsmulor"]')
        assert nav is not None, path
        assert nav.select_one("a")["href"].endswith("index.html")
        assert nav.select("[aria-current=page]"), path


def test_swedish_theme_catalog_is_compiled_from_its_source() -> None:
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = REPO / "_ext" / "rapport" / "locale" / "sv" / "LC_MESSAGES"
    with open(folder / "sphinx.po", "rb") as po_file, open(folder / "sphinx.mo", "rb") as mo_file:
        po, mo = read_po(po_file), read_mo(mo_file)
    source = {m.id: m.string for m in po if m.id}
    compiled = {m.id: m.string for m in mo if m.id}
    assert compiled == source
    assert source["System Settings"] == "Som i systemet"
