"""Self-contained and accessible: the real site in Chromium, with axe-core (WCAG 2.1 A/AA).

The real site (docs/) is built into a temporary folder and served by http.server on
127.0.0.1. Every request the browser makes is recorded: nothing may leave 127.0.0.1
(no web fonts, scripts or images from elsewhere). axe-core (bundled with
axe-playwright-python, injected from disk, so it runs offline) checks the pages a
reader uses most; every page also gets the structural checks: ``<html lang="sv">``,
exactly one ``h1`` and a Swedish skip link.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from browsertools import WCAG_TAGS, Server, axe_run, html_pages, violations_of

#: the pages the issue names, plus the accessibility statement itself
AXE_PAGES = [
    "index.html",
    "rapporter/2025/2025-09-25.html",
    "rapporter/index.html",
    "rapporter/2025/index.html",
    "beslutsregister.html",
    "faq.html",
    "tidslinje.html",
    "search.html",
    "tillganglighet.html",
]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site(real_site: Any) -> Path:
    """The real site, built once per test run as make site builds it (conftest.real_site)."""
    return real_site.html


@pytest.fixture(scope="module")
def origin(real_server: Server) -> str:
    return real_server.origin


def _visit(browser: Any, url: str) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url, wait_until="networkidle")
    return context, page, requests


def _foreign(requests: list[str], origin: str) -> list[str]:
    return [u for u in requests if not u.startswith((origin + "/", "data:", "blob:", "about:"))]


@pytest.mark.parametrize("path", AXE_PAGES)
def test_page_is_self_contained_and_has_no_axe_violations(browser: Any, origin: str, path: str) -> None:
    context, page, requests = _visit(browser, f"{origin}/{path}")
    try:
        assert page.evaluate("document.documentElement.lang") == "sv"
        response = axe_run(page, {"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert violations_of(response) == []
        # axe ran: it checked rules (a test that cannot fail would pass with none)
        assert len(response["passes"]) > 10
        page.wait_for_load_state("networkidle")
        assert _foreign(requests, origin) == []
        assert any(u.endswith(".css") for u in requests)
    finally:
        context.close()


def test_request_recording_would_catch_a_foreign_request(browser: Any, origin: str) -> None:
    """The recording sees a request that leaves 127.0.0.1 (it is refused, not fetched)."""
    context = browser.new_context()
    # the probe page is answered by the browser itself: other tests read every page of the site
    context.route(
        f"{origin}/_probe.html",
        lambda route: route.fulfill(
            content_type="text/html",
            body='<!doctype html><html lang="sv"><img src="http://192.0.2.1/x.png" alt=""></html>',
        ),
    )
    context.route("http://192.0.2.1/**", lambda route: route.abort())
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(f"{origin}/_probe.html", wait_until="load")
        assert _foreign(requests, origin) == ["http://192.0.2.1/x.png"]
    finally:
        context.close()


def test_keyboard_reaches_the_skip_link_first(browser: Any, origin: str) -> None:
    context, page, _ = _visit(browser, f"{origin}/rapporter/2025/2025-09-25.html")
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.tagName, document.activeElement.textContent.trim(), "
                                "document.activeElement.getAttribute('href')]")
        assert focused[0] == "A" and focused[1] == "Hoppa till huvudinnehåll"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == focused[2]
    finally:
        context.close()


def test_every_page_has_lang_one_h1_and_a_swedish_skip_link(site: Path) -> None:
    problems = {}
    pages = html_pages(site)
    assert len(pages) > 15
    for path in pages:
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        found = []
        if soup.html.get("lang") != "sv":
            found.append(f"lang={soup.html.get('lang')}")
        if len(soup.find_all("h1")) != 1:
            found.append(f"{len(soup.find_all('h1'))} h1")
        skip = soup.select_one("#pst-skip-link a")
        if skip is None or skip.get_text(strip=True) != "Hoppa till huvudinnehåll":
            found.append(f"skip link {skip}")
        elif not soup.find(id=skip["href"].lstrip("#")):
            found.append(f"skip link target {skip['href']} missing")
        if found:
            problems[str(path.relative_to(site))] = found
    assert problems == {}


def test_accessibility_statement_is_linked_from_every_page(site: Path) -> None:
    for path in html_pages(site):
        if path.name == "tillganglighet.html":
            continue  # the statement itself
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        links = [a for a in soup.select("footer a, .bd-footer a, .footer-item a") if "tillganglighet.html" in a.get("href", "")]
        assert links, path
