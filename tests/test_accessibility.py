"""Accessible structure: the real site's skip link in Chromium, and on every page
``<html lang="sv">``, exactly one ``h1``, a Swedish skip link and a link to the
accessibility statement.

axe-core (WCAG 2.0/2.1 A and AA) and the check that no request leaves 127.0.0.1 run in
tests/test_readers.py, on every page type in every view a reader's browser has (phone and
desktop widths, light and dark): one visit per page and view serves all of its checks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from browsertools import Server, html_pages

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site(real_site: Any) -> Path:
    """The real site, built once per test run as make site builds it (conftest.real_site)."""
    return real_site.html


@pytest.fixture(scope="module")
def origin(real_server: Server) -> str:
    return real_server.origin


def _visit(browser: Any, url: str) -> tuple[Any, Any]:
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.goto(url, wait_until="load")
    return context, page


def test_keyboard_reaches_the_skip_link_first(browser: Any, origin: str) -> None:
    context, page = _visit(browser, f"{origin}/rapporter/2025/2025-09-25.html")
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "[document.activeElement.tagName, document.activeElement.textContent.trim(), "
            "document.activeElement.getAttribute('href')]"
        )
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
        links = [
            a
            for a in soup.select("footer a, .bd-footer a, .footer-item a")
            if "tillganglighet.html" in a.get("href", "")
        ]
        assert links, path
