"""Readers on every device (issue 13): the real site at phone and desktop widths.

In Debian's Chromium, for every type of page: no sideways scrolling at 320, 390 and
1400 px (WCAG 1.4.10 Reflow); the menu opens on a tap and on Enter, shows its links,
takes focus and gives it back on Escape; axe-core by the WCAG 2.0/2.1 A and AA tags,
with the experimental rules of those tags switched on (label-content-name-mismatch,
WCAG 2.5.3, is one: a default run leaves it out); self-contained: no request leaves
127.0.0.1 (no web fonts, scripts or images from elsewhere). Without a browser: no English
theme string in any built page (text, title= or aria-label=), breadcrumbs below the start
page, and the Swedish theme catalog compiled from its source.

The browser checks share their visits: each view (a size, touch or not, light or dark) is
one tab that loads every page type in turn (a new document each, the site's storage emptied
before it), and every check that looks through that view runs on the loaded page, the
checks that only look first and the one that opens or folds the menu last. A failing check
does not hide the others: the test lists every failure with its page type and view.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from browsertools import WCAG_TAGS, Server, axe_run, html_pages, violations_of
from playwright.sync_api import Error as PlaywrightError

REPO = Path(__file__).resolve().parent.parent

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
#: the pages whose text is also checked for English after the theme's scripts ran
SCRIPTED = ("report", "search", "landing")

#: interface words of the themes that must not reach a reader untranslated
ENGLISH = [
    "Toggle", "Search", "Light", "Dark", "System Settings", "Site navigation", "On this page",
    "Main", "Color mode", "Version warning", "Skip to main content", "Back to top", "Contents",
    "previous", "next", "Index",
]
_ENGLISH_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b")


@pytest.fixture(scope="module")
def site(real_site: Any) -> Path:
    """The real site as make site builds it (PDFs first), once per test run (conftest)."""
    return real_site.html


@dataclass(frozen=True)
class View:
    """How the browser looks at a page: its size, a touch screen or not, the system's colour mode."""

    width: str  # a key of SIZES
    touch: bool = False
    scheme: str = "light"

    def __str__(self) -> str:
        return f"{self.width} px" + (", touch" if self.touch else "") + f", {self.scheme}"


#: resolves when the page is drawn with its fonts and no CSS transition is running
SETTLED = """async () => {
    await document.fonts.ready;
    await new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn)));
    const transitions = document.getAnimations().filter((a) => a instanceof CSSTransition);
    await Promise.all(transitions.map((t) => t.finished.catch(() => null)));
    return true;
}"""


def go(page: Any, url: str) -> None:
    """Load ``url`` in ``page`` and wait until it is ready to be read: its load event (every
    style sheet, script and image the page names), its fonts, and the end of the CSS
    transitions that started as it was drawn (the theme fades its colours in as it sets the
    colour mode: a contrast measured halfway is not what a reader sees). Not "networkidle",
    which adds half a second of silence to every visit; the search page's results load after
    the load event and are waited for by themselves."""
    page.goto(url, wait_until="load")
    page.evaluate(SETTLED)
    if "/search.html?q=" in url:
        page.locator(".rapport-search__result").first.wait_for(state="visible", timeout=10_000)


@pytest.fixture
def tab_in(browser: Any, real_server: Server) -> Iterator[Callable[[View], Any]]:
    """A tab in a view (a browser context) of its own; every context is closed after the test."""
    contexts: list[Any] = []

    def open_tab(view: View) -> Any:
        width, height = SIZES[view.width]
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="sv-SE", has_touch=view.touch,
            color_scheme=view.scheme,
        )
        contexts.append(context)
        page = context.new_page()
        # every request the tab makes, to show that nothing leaves 127.0.0.1
        page.requests = []
        page.on("request", lambda request: page.requests.append(request.url))
        return page

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def visit(tab_in: Callable[[View], Any], real_server: Server) -> Callable[[str, View], Any]:
    """Open a page of the real site in a new tab in a view of its own."""

    def open_page(path: str, view: View) -> Any:
        page = tab_in(view)
        go(page, real_server.base + path)
        return page

    return open_page


# -- reflow --------------------------------------------------------------------------------


def reflows_without_sideways_scrolling(page: Any) -> None:
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


def _menu_settles(page: Any, settled: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The menu's state once ``settled`` holds for it, or after three seconds whatever it is
    then (the caller's assertion says what is wrong): the theme slides and folds the menu
    with CSS transitions, so a state read at once may be halfway."""
    deadline = time.monotonic() + 3
    state = _menu_state(page)
    while not settled(state) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
        state = _menu_state(page)
    return state


def phone_menu_opens_on_tap_and_closes_on_escape(page: Any) -> None:
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
    # the sidebar slides back out of view
    closed = _menu_settles(page, lambda state: state["visibleLinks"] == [])
    assert closed["expanded"] == "false" and closed["visibleLinks"] == []
    # the close button in the drawer works too
    page.locator(".primary-toggle").tap()
    page.get_by_role("button", name="Stäng menyn").tap()
    assert _menu_state(page)["dialogOpen"] is False


def phone_menu_opens_with_the_keyboard(page: Any) -> None:
    page.locator(".primary-toggle").focus()
    page.keyboard.press("Enter")
    opened = _menu_state(page)
    assert opened["dialogOpen"] and opened["focusInDialog"] and "Arkiv" in opened["visibleLinks"]
    page.keyboard.press("Escape")
    page.wait_for_function("document.activeElement === document.querySelector('.primary-toggle')")
    page.keyboard.press("Space")
    assert _menu_state(page)["dialogOpen"]


def desktop_menu_folds_and_unfolds_with_enter_keeping_focus(page: Any) -> None:
    shown = _menu_state(page)
    assert shown["expanded"] == "true" and "Arkiv" in shown["visibleLinks"]
    page.locator(".primary-toggle").focus()
    page.keyboard.press("Enter")
    # the theme's fold transition
    folded = _menu_settles(page, lambda state: state["visibleLinks"] == [])
    assert folded["expanded"] == "false" and folded["visibleLinks"] == [] and folded["focusOnButton"]
    page.keyboard.press("Enter")
    unfolded = _menu_settles(page, lambda state: "Arkiv" in state["visibleLinks"])
    assert unfolded["expanded"] == "true" and "Arkiv" in unfolded["visibleLinks"]
    assert not unfolded["dialogOpen"]


@pytest.mark.browser
@pytest.mark.slow
def test_phone_table_of_contents_opens_and_closes(visit: Callable[[str, View], Any]) -> None:
    page = visit(PAGES["report"], View("390", touch=True))
    state = """() => [document.getElementById('pst-secondary-sidebar-modal').open,
                     document.querySelector('.secondary-toggle').getAttribute('aria-expanded'),
                     document.activeElement === document.querySelector('.secondary-toggle')]"""
    toggle = page.get_by_role("button", name="Innehåll på sidan")
    toggle.tap()
    assert page.evaluate(state)[:2] == [True, "true"]
    assert page.get_by_role("dialog", name="Innehåll på sidan").get_by_role(
        "link", name="Kommunikativ lägesbild").is_visible()
    page.get_by_role("button", name="Stäng", exact=True).tap()
    page.wait_for_function("document.activeElement === document.querySelector('.secondary-toggle')")
    assert page.evaluate(state) == [False, "false", True]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", ["320", "1400"])
def test_site_name_in_the_header_links_home(visit: Callable[[str, View], Any], width: str) -> None:
    page = visit(PAGES["faq"], View(width))
    home = page.locator(".bd-header-article a.rapport-webbplatsnamn")
    assert home.is_visible()
    assert home.inner_text().strip() in ("Samordning vårdinformationsmiljö", "Samordning VIM")
    home.click()
    page.wait_for_load_state()
    assert page.url.endswith("/index.html")


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


def no_axe_violations_by_wcag_tags_with_experimental_rules(page: Any, scheme: str) -> None:
    """In the colour mode the theme follows from the system (the statement says both colour
    modes are checked)."""
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    experimental, options = _wcag_rules(page)
    assert "label-content-name-mismatch" in experimental
    response = axe_run(page, options)
    ran = {r["id"] for kind in ("passes", "violations", "incomplete", "inapplicable") for r in response[kind]}
    assert "label-content-name-mismatch" in ran
    assert violations_of(response) == []
    assert len(response["passes"]) > 10


@pytest.mark.browser
@pytest.mark.slow
def test_axe_run_would_catch_a_label_in_name_mismatch(browser: Any) -> None:
    """The experimental rule really runs: a button that shows one thing and is named another."""
    context = browser.new_context()
    page = context.new_page()
    try:
        # set_content, not a file in the shared site: other tests read every page of it
        page.set_content(
            '<!doctype html><html lang="sv"><head><title>Prov</title></head><body><main><h1>Prov</h1>'
            '<button aria-label="Sök">Visa alla rapporter</button></main></body></html>'
        )
        _, options = _wcag_rules(page)
        response = axe_run(page, options)
        assert "label-content-name-mismatch" in {v["id"] for v in response["violations"]}
    finally:
        context.close()


# -- every page type, every view -------------------------------------------------------------


def no_english_interface_strings_after_scripts_ran(page: Any) -> None:
    """What the theme's scripts add (tooltips, labels) is Swedish too."""
    english = _english_in(BeautifulSoup(page.content(), "html.parser"))
    assert english == []


Check = Callable[[Any], None]

#: the views a reader's browser has, with the checks that run in each on every page type:
#: those that only look first, the one that opens or folds the menu last (it changes the page)
VIEWS: dict[str, tuple[View, list[Check]]] = {
    "320": (View("320"), [reflows_without_sideways_scrolling, phone_menu_opens_with_the_keyboard]),
    "390": (View("390"), [
        reflows_without_sideways_scrolling,
        functools.partial(no_axe_violations_by_wcag_tags_with_experimental_rules, scheme="light"),
    ]),
    "390-touch": (View("390", touch=True), [phone_menu_opens_on_tap_and_closes_on_escape]),
    # axe once per colour scheme: light at a phone's width, dark at a desktop's (the rules
    # that depend on the width, such as target size and reflow, run in the phone views;
    # four axe runs per page type were most of the suite's time)
    "1400": (View("1400"), [
        reflows_without_sideways_scrolling,
        no_english_interface_strings_after_scripts_ran,  # on the SCRIPTED page types only
        desktop_menu_folds_and_unfolds_with_enter_keeping_focus,
    ]),
    "1400-dark": (View("1400", scheme="dark"), [
        functools.partial(no_axe_violations_by_wcag_tags_with_experimental_rules, scheme="dark"),
    ]),
}  # fmt: skip


def foreign_requests(requests: list[str], origin: str) -> list[str]:
    """The requests that leave the site's own server."""
    return [u for u in requests if not u.startswith((origin + "/", "data:", "blob:", "about:"))]


@pytest.mark.browser
@pytest.mark.slow
def test_request_recording_would_catch_a_foreign_request(tab_in: Callable[[View], Any], real_server: Server) -> None:
    """The recording sees a request that leaves 127.0.0.1 (it is refused, not fetched)."""
    page = tab_in(View("390"))
    # the probe page is answered by the browser itself: other tests read every page of the site
    page.context.route(
        f"{real_server.origin}/_probe.html",
        lambda route: route.fulfill(
            content_type="text/html",
            body='<!doctype html><html lang="sv"><img src="http://192.0.2.1/x.png" alt=""></html>',
        ),
    )
    page.context.route("http://192.0.2.1/**", lambda route: route.abort())
    go(page, f"{real_server.origin}/_probe.html")
    assert foreign_requests(page.requests, real_server.origin) == ["http://192.0.2.1/x.png"]


def _name(check: Check) -> str:
    return getattr(check, "func", check).__name__


def _every_page_type_in(view_id: str, tab_in: Callable[[View], Any], real_server: Server) -> None:
    """Every page type in turn in one tab of the view: each a new document, with the site's
    storage emptied before it (as in a new tab), so no page type sees what another left."""
    view, checks = VIEWS[view_id]
    page = tab_in(view)
    failures = []
    for name, path in PAGES.items():
        if page.url.startswith(real_server.origin):
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        first_request = len(page.requests)
        try:
            go(page, real_server.base + path)
        except PlaywrightError as error:
            failures.append(f"{name} ({path}) at {view}: loading: {error}")
            continue
        for check in checks:
            if check is no_english_interface_strings_after_scripts_ran and name not in SCRIPTED:
                continue
            try:
                check(page)
            except (AssertionError, PlaywrightError) as error:
                failures.append(f"{name} ({path}) at {view}: {_name(check)}: {error}")
        # self-contained: no web font, script or image from elsewhere, also after the checks
        # opened the menu (a request that leaves is refused by the test machine, not fetched)
        if foreign := foreign_requests(page.requests[first_request:], real_server.origin):
            failures.append(f"{name} ({path}) at {view}: requests leaving 127.0.0.1: {foreign}")
    # the recording saw the site's own style sheets (it records at all)
    if not any(".css" in url for url in page.requests):
        failures.append(f"no style sheet request recorded at {view}")
    assert not failures, "\n".join(failures)


# Two classes: make test runs pytest-xdist with --dist loadscope, which gives each class to one
# worker (a test file otherwise), so the views are shared out over both workers.
PHONE_VIEWS = ["320", "390", "390-touch"]
DARK_AND_DESKTOP_VIEWS = ["1400", "1400-dark"]


def test_the_two_classes_run_every_view() -> None:
    assert sorted(PHONE_VIEWS + DARK_AND_DESKTOP_VIEWS) == sorted(VIEWS)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "view_id" in metafunc.fixturenames:
        metafunc.parametrize("view_id", metafunc.cls.VIEW_IDS)


class _EveryPageType:
    pytestmark = [pytest.mark.browser, pytest.mark.slow]
    VIEW_IDS: list[str] = []

    def test_every_page_type_reflows_has_a_working_menu_and_no_axe_violations(
        self, tab_in: Callable[[View], Any], real_server: Server, view_id: str
    ) -> None:
        _every_page_type_in(view_id, tab_in, real_server)


class TestPhoneViews(_EveryPageType):
    VIEW_IDS = PHONE_VIEWS


class TestDarkAndDesktopViews(_EveryPageType):
    VIEW_IDS = DARK_AND_DESKTOP_VIEWS


# -- Swedish everywhere ----------------------------------------------------------------------


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
    pages = html_pages(site)
    assert len(pages) > 15
    found = {}
    for path in pages:
        english = _english_in(BeautifulSoup(path.read_text("utf-8"), "html.parser"))
        if english:
            found[str(path.relative_to(site))] = english
    assert found == {}
    assert not (site / "genindex.html").exists()


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
    for path in html_pages(site):
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        # the site name links home from the header of every page
        home = soup.select_one(".bd-header-article a.rapport-webbplatsnamn")
        assert home is not None and (path.parent / home["href"]).resolve() == (site / "index.html").resolve(), path
        if path.name == "index.html" and path.parent == site:
            continue
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


# -- the real site's text ------------------------------------------------------------------


def _text(site: Path, path: str, selector: str = "article") -> str:
    soup = BeautifulSoup((site / path).read_text("utf-8"), "html.parser")
    return " ".join(soup.select_one(selector).get_text().split())


def test_swedish_quotation_marks_and_even_wording(site: Path) -> None:
    report = _text(site, PAGES["report"])
    assert "De svarar: ”Läkemedelsverket har noga följt" in report and "“" not in report
    timeline = _text(site, PAGES["timeline"])
    # one pattern, "date: title (channel) – comment", and one "Omnämnt i:"
    assert "22 september 2025: Klart med ytterligare minskning av organisationen runt Millennium (Vårdskiftet)" in timeline
    assert "16 september 2025: Expertgruppen lämnar utlåtande" in timeline
    assert "Omnämnt i rapporterna" not in timeline
    # a decision named inside a sentence keeps its lower-case "senast"
    assert "se beslutet senast 25 september 2025, Läkemedelsverket:" in _text(site, PAGES["faq"])
    topics = [a.get_text() for a in BeautifulSoup((site / PAGES["topics"]).read_text("utf-8"), "html.parser").select(
        "ul.rapport-amnen a")]
    assert "Expertgruppen" in topics and "expertgruppen" not in topics


def test_accessibility_statement_follows_digg_and_says_the_contact_is_missing(site: Path) -> None:
    soup = BeautifulSoup((site / PAGES["statement"]).read_text("utf-8"), "html.parser")
    headings = [h.get_text().rstrip("#").strip() for h in soup.select("article h2, article h3")]
    for heading in (
        "Hur tillgänglig är webbplatsen?",
        "Vad kan du göra om du inte kan använda delar av webbplatsen?",
        "Rapportera brister i webbplatsens tillgänglighet",
        "Tillsyn",
        "Innehåll som inte är tillgängligt",
        "Hur vi testat webbplatsen",
    ):
        assert heading in headings
    text = " ".join(soup.select_one("article").get_text().split())
    assert "delvis förenlig" in text
    assert "Bedömningen (självskattningen) gjordes den 30 november 2026" in text
    assert soup.select_one('article a[href="https://www.digg.se/tdosanmalan"]') is not None
    assert "Uppgiften är inte ifylld ännu." in text
    assert "Kontaktväg att fylla i" not in text
    # the link to its own "not accessible" list works
    for link in soup.select('article a[href^="#"]'):
        assert soup.find(id=link["href"][1:]) is not None, link


def test_placeholder_links_are_plain_text_for_readers(site: Path) -> None:
    soup = BeautifulSoup((site / PAGES["report"]).read_text("utf-8"), "html.parser")
    placeholders = soup.select("article .rapport-platshallare")
    assert placeholders and all(p.find_parent("a") is None and p.find("a") is None for p in placeholders)
    assert "rapport-forhandsgranskning" not in (soup.body.get("class") or [])
    css = (site / "_static" / "rapport.css").read_text("utf-8")
    assert ".rapport-platshallare { text-decoration: none; }" in css
    assert ".rapport-forhandsgranskning .rapport-platshallare {" in css


# -- the report page, contacts and warnings (the fictitious root test-readers) --------------

ROOT = "readers"
REPORT = "rapporter/2025/2025-03-14"


def _conf_line(app: Any, setting: str) -> int:
    """The line of conf.py that sets ``setting`` (where a warning about it points)."""
    lines = Path(app.srcdir, "conf.py").read_text("utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(f"{setting} "))


@pytest.mark.sphinx("rapportpdf", testroot=ROOT, srcdir="readers-page", freshenv=True)
def test_report_page_has_downloads_feed_and_contact(app: Any, make_app: Any) -> None:
    from conftest import warnings_of

    app.build()
    assert warnings_of(app) == []
    html = make_app("html", srcdir=app.srcdir, confoverrides={"rapport_pdf_dir": str(app.outdir)})
    html.build()
    # (a second app in one process re-registers Sphinx's own nodes and directives: not ours)
    assert [w for w in warnings_of(html) if "[rapport." in w] == []
    soup = BeautifulSoup((html.outdir / f"{REPORT}.html").read_text("utf-8"), "html.parser")
    box = soup.select_one("article .rapport-hamta")
    # right under the compiled date, before the first section; not in the search index
    assert box.parent.get("data-pagefind-ignore") == "all"
    assert box.parent.find_previous_sibling("p")["class"] == ["rapport-meta"]
    links = {a.get_text(): a["href"] for a in box.select("a")}
    assert links == {
        "Ladda ner rapporten": f"../../pdf/{REPORT}.pdf",
        "Samlingsvolym med alla rapporter": "../../pdf/samlingsvolym.pdf",
        "Beslutsregister": "../../pdf/beslutsregister.pdf",
        "Frågor och svar": "../../pdf/faq.pdf",
        "Prenumerera på nya rapporter": "../../rapporter.atom",
        "rapport@fjallmark.example": "mailto:rapport%40fjallmark.example",
    }
    for text, href in links.items():
        if not href.startswith("mailto:"):
            assert (html.outdir / REPORT).parent.joinpath(href).resolve().is_file(), text
    assert " ".join(box.select_one(".rapport-kontakt").get_text().split()) == (
        "Kontakt: Kommunikationsenheten i Fjällmark, e-post rapport@fjallmark.example"
    )
    statement = BeautifulSoup((html.outdir / "tillganglighet.html").read_text("utf-8"), "html.parser")
    assert " ".join(statement.select_one(".rapport-tillganglighetskontakt").get_text().split()) == (
        "Kontakta oss: e-post tillganglighet@fjallmark.example, telefon 010-000 00 00."
    )
    # the register and the FAQ link their own PDF instead; every page's footer the feed and the volume
    for name in ("faq", "beslutsregister"):
        page = BeautifulSoup((html.outdir / f"{name}.html").read_text("utf-8"), "html.parser")
        assert page.select_one(".rapport-hamta") is None
        assert page.select_one("article .rapport-nedladdning a")["href"] == f"pdf/{name}.pdf"
        assert page.select_one("article .rapport-nedladdning").parent.get("data-pagefind-ignore") == "all"
    footer = {a.get_text(): a["href"] for a in soup.select(".rapport-sidfot-lankar a")}
    assert footer == {"Prenumerera på nya rapporter": "../../rapporter.atom", "Alla rapporter som PDF": "../../pdf/samlingsvolym.pdf"}


@pytest.mark.sphinx(
    "html", testroot=ROOT, srcdir="readers-nocontact", freshenv=True,
    confoverrides={"rapport_contact": {}, "rapport_accessibility_contact": None, "html_baseurl": "http://127.0.0.1:8000/"},
)
def test_missing_contacts_and_the_local_address_are_one_warning_each(app: Any) -> None:
    from conftest import warnings_of

    app.build()
    contact_line, base_line = _conf_line(app, "rapport_contact"), _conf_line(app, "html_baseurl")
    assert sorted(warnings_of(app)) == sorted([
        f"conf.py:{base_line}: WARNING: html_baseurl är den lokala förhandsadressen http://127.0.0.1:8000/; flödet "
        "och webbplatskartan leder då bara till den här datorn. Ange den publicerade adressen, till exempel "
        "make site RAPPORT_BASE_URL=https://…/ [rapport.base-url]",
        f"conf.py:{contact_line}: WARNING: rapport_contact saknar kontaktuppgift (epost, telefon eller webbadress); "
        "rapportsidorna visar därför ingen kontakt för serien [rapport.contact-missing]",
        "tillganglighet.md:7: WARNING: Tillgänglighetsredogörelsen saknar kontaktväg: fyll i "
        "[tillganglighetskontakt] (eller [kontakt]) i rapport.toml, till exempel epost = \"…\", eller i "
        "skrivbordets Inställningar "
        "[rapport.contact-missing]",
    ])
    soup = BeautifulSoup((app.outdir / f"{REPORT}.html").read_text("utf-8"), "html.parser")
    assert soup.select_one(".rapport-kontakt") is None
    statement = BeautifulSoup((app.outdir / "tillganglighet.html").read_text("utf-8"), "html.parser")
    assert "Uppgiften är inte ifylld ännu." in statement.select_one(".rapport-tillganglighetskontakt").get_text()


@pytest.mark.sphinx(
    "html", testroot=ROOT, srcdir="readers-preview", freshenv=True,
    confoverrides={"rapport_preview": True, "html_baseurl": "http://127.0.0.1:8000/"},
)
def test_preview_marks_placeholder_links_and_does_not_warn_about_its_own_address(app: Any) -> None:
    from conftest import warnings_of

    app.build()
    assert warnings_of(app) == []
    soup = BeautifulSoup((app.outdir / f"{REPORT}.html").read_text("utf-8"), "html.parser")
    assert "rapport-forhandsgranskning" in soup.body["class"]
    assert soup.select_one(".rapport-platshallare").get_text() == "Länk som saknar adress ännu"


def _link_actions(path: Path) -> list[tuple[int, str, str]]:
    """(page, kind, target) of every link annotation: URI, GoToR file#destination, GoTo page."""
    import pikepdf

    found = []
    with pikepdf.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            for annot in page.obj.get("/Annots", []):
                action = annot.get("/A")
                if action is None:
                    continue
                if action.S == "/URI":
                    found.append((index, "URI", str(action.URI)))
                elif action.S == "/GoToR":
                    found.append((index, "GoToR", f"{action.F.F}#{action.D if isinstance(action.D, pikepdf.String) else ''}"))
                elif action.S == "/GoTo":
                    found.append((index, "GoTo", str(pikepdf.Page(action.D[0]).index)))
    return found


@pytest.mark.sphinx("rapportpdf", testroot=ROOT, srcdir="readers-pdf", freshenv=True)
def test_pdf_links_use_the_published_address_and_the_bundle_its_appendices(app: Any) -> None:
    import pikepdf

    app.build()
    base = "https://rapport.fjallmark.example/"
    single = _link_actions(app.outdir / f"{REPORT}.pdf")
    assert (0, "URI", f"{base}faq.html#faq-fjallstation") in single
    assert (0, "URI", f"{base}beslutsregister.html#beslut-fs-2025-03-01") in single
    everything = [a for p in sorted(app.outdir.rglob("*.pdf")) for a in _link_actions(p)]
    assert everything and not [a for a in everything if "127.0.0.1" in a[2] or a[2].startswith("file:")]
    # in the collected volume the same references jump to the entries in its appendices
    bundle = app.outdir / "samlingsvolym.pdf"
    with pikepdf.open(bundle) as pdf:
        with pdf.open_outline() as outline:
            starts = {item.title: pikepdf.Page(item.destination[0]).index for item in outline.root}
    faq_page = starts["Bilaga 2. Frågor och svar"]
    register_page = starts["Bilaga 1. Beslutsregister"]
    links = _link_actions(bundle)
    report_page = starts["14 mars 2025"]
    from_report = {target for page, kind, target in links if page == report_page and kind == "GoTo"}
    assert {str(faq_page), str(register_page)} <= from_report
    assert not [a for a in links if a[0] == report_page and a[1] == "URI" and "fjallmark.example" in a[2]]


@pytest.mark.sphinx(
    "rapportpdf", testroot=ROOT, srcdir="readers-pdf-local", freshenv=True,
    confoverrides={"html_baseurl": "http://127.0.0.1:8000/"},
)
def test_pdf_built_with_the_local_address_links_its_sibling_pdfs_instead(app: Any) -> None:
    from conftest import warnings_of

    app.build()
    assert [w for w in warnings_of(app) if w.endswith("[rapport.base-url]")] == [
        f"conf.py:{_conf_line(app, 'html_baseurl')}: WARNING: html_baseurl är den lokala förhandsadressen "
        "http://127.0.0.1:8000/; länkarna i PDF:erna leder då bara till den här datorn. Ange den publicerade "
        "adressen, till exempel make site RAPPORT_BASE_URL=https://…/ [rapport.base-url]"
    ]
    single = _link_actions(app.outdir / f"{REPORT}.pdf")
    assert (0, "GoToR", "../../faq.pdf#faq-fjallstation") in single
    assert not [a for a in single if a[1] == "URI" and "127.0.0.1" in a[2]]


def test_real_site_pdfs_built_with_a_base_address_never_link_the_local_preview(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "RAPPORT_BASE_URL": "https://intranat.example/rapport/"}
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "rapportpdf", "-q", "-c", str(REPO), "-d", str(tmp_path / "dt"),
         str(REPO / "docs"), str(tmp_path / "pdf")],
        capture_output=True, text=True, env=env, cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert "[rapport.base-url]" not in result.stderr
    links = {p.name: _link_actions(p) for p in (tmp_path / "pdf").rglob("*.pdf") if ".cache" not in p.parts}
    assert links["2025-09-25.pdf"]
    assert [a for found in links.values() for a in found if "127.0.0.1" in a[2]] == []
    assert (0, "URI", "https://intranat.example/rapport/faq.html#faq-ambulink") in links["2025-09-25.pdf"]


# -- the report first, on every phone (issue 24) -----------------------------------------


def _fold(browser: Any, url: str, script: str, javascript: bool = True) -> Any:
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=javascript, locale="sv-SE")
    try:
        page = context.new_page()
        page.goto(url)
        return page.evaluate(script)
    finally:
        context.close()


_BOX = "(s) => { const b = document.querySelector(s).getBoundingClientRect(); return [b.top, b.bottom]; }"


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["skript", "utan-skript"])
def test_at_320_by_640_the_summary_and_its_first_point_are_on_the_first_screen(
    browser: Any, real_server: Any, javascript: bool
) -> None:
    found = _fold(
        browser,
        real_server.base + PAGES["report"],
        f"""() => {{ const box = {_BOX};
            return {{heading: box('#sammanfattning h2'), first: box('#sammanfattning li'),
                     pdf: box('.rapport-hamta a.rapport-pdf-lank'), more: box('.rapport-hamta-mer > summary'),
                     crumbs: box('.rapport-brodsmulor'), title: box('article h1'),
                     width: document.documentElement.scrollWidth}}; }}""",
        javascript,
    )
    assert 0 <= found["heading"][0] and found["first"][1] <= 640, found
    # nothing lost on the way: breadcrumb, title, the PDF and the line to the other downloads
    for name in ("crumbs", "title", "pdf", "more"):
        assert 0 <= found[name][0] < found["heading"][0], (name, found)
    assert found["width"] <= 320


@pytest.mark.browser
def test_at_320_by_640_the_start_page_shows_the_latest_reports_title_date_and_first_point(
    browser: Any, real_server: Any
) -> None:
    found = _fold(
        browser,
        real_server.base + PAGES["landing"],
        f"""() => {{ const box = {_BOX};
            return {{title: box('.rapport-senaste-rubrik'), date: box('.rapport-senaste .rapport-meta'),
                     first: box('.rapport-senaste .rapport-sammanfattning'), h1: box('article h1'),
                     text: document.querySelector('.rapport-senaste .rapport-sammanfattning').textContent}}; }}""",
    )
    for name in ("h1", "title", "date", "first"):
        assert 0 <= found[name][0] and found[name][1] <= 640, (name, found)
    assert found["text"].startswith("Arbetet med slutrapporten intensifieras")


@pytest.mark.browser
def test_the_other_downloads_open_from_their_line_without_a_script(browser: Any, real_server: Any) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(real_server.base + PAGES["report"])
        summary = page.locator(".rapport-hamta-mer > summary")
        assert summary.inner_text() == "Fler PDF-filer, prenumeration"
        box = page.locator(".rapport-hamta")
        volume = box.get_by_role("link", name="Samlingsvolym med alla rapporter")
        assert not volume.is_visible()
        summary.click()
        assert volume.is_visible() and box.get_by_role("link", name="Prenumerera på nya rapporter").is_visible()
    finally:
        context.close()


@pytest.mark.browser
def test_without_scripts_links_keep_their_colour_and_the_pdf_box_its_frame(browser: Any, real_server: Any) -> None:
    script = """() => {
        const link = getComputedStyle(document.querySelector('#sammanfattning a'));
        const box = getComputedStyle(document.querySelector('.rapport-hamta'));
        return [document.documentElement.dataset.theme, link.color, box.borderTopWidth, box.borderTopStyle,
                box.borderTopColor, box.backgroundColor]; }"""
    scripted = _fold(browser, real_server.base + PAGES["report"], script)
    plain = _fold(browser, real_server.base + PAGES["report"], script, javascript=False)
    assert scripted[0] == "light" and plain[0] == "auto"
    assert plain[1:] == scripted[1:]  # the same colours and frame as the light theme
    assert plain[1] != "rgb(0, 0, 0)" and plain[2] == "1px" and plain[3] == "solid"


def test_the_site_name_links_to_the_start_page_and_the_site_has_an_icon(site: Path) -> None:
    for name in ("index.html", PAGES["report"]):
        soup = BeautifulSoup((site / name).read_text("utf-8"), "html.parser")
        assert soup.html["lang"] == "sv"
        for link in soup.select("a.navbar-brand, a.rapport-webbplatsnamn"):
            assert link["href"] not in ("#", ""), (name, str(link)[:120])
            assert (site / name).parent.joinpath(link["href"]).resolve() == (site / "index.html").resolve()
        icon = soup.select_one('link[rel="icon"]')
        path = (site / name).parent.joinpath(icon["href"]).resolve()
        assert path.suffix == ".svg" and path.read_text("utf-8").startswith("<svg")


@pytest.mark.browser
def test_long_words_may_break_with_a_hyphen_at_320_px(browser: Any, real_server: Any) -> None:
    # Swedish hyphenation where the browser has it (Debian's Chromium ships no dictionaries)
    found = _fold(
        browser,
        real_server.base + "tillganglighet.html",
        """() => [document.documentElement.lang, getComputedStyle(document.querySelector('article h1')).hyphens,
                  getComputedStyle(document.querySelector('article p')).hyphens,
                  getComputedStyle(document.querySelector('.bd-sidebar-primary')).hyphens]""",
    )
    assert found == ["sv", "auto", "auto", "auto"]


def test_the_menus_long_words_carry_soft_hyphens_and_the_indexed_text_none(site: Path) -> None:
    soup = BeautifulSoup((site / "tillganglighet.html").read_text("utf-8"), "html.parser")
    entry = soup.select_one('nav.rapport-nav a[href="tillganglighet.html"]')
    assert entry.get_text() == "Till\xadgäng\xadlig\xadhets\xadre\xaddo\xadgö\xadrelse"
    assert entry.get_text().replace("\xad", "") == "Tillgänglighetsredogörelse"
    # the search index reads the article: its words stay whole
    assert "\xad" not in soup.select_one("[data-pagefind-body]").get_text()
