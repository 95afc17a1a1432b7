"""Helpers of the browser tests: a static server on 127.0.0.1, a recorded search tab, axe.

The browser itself is one Chromium per test process (conftest.browser); the real site's
server is conftest.real_server.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: axe gives every rule's result, but the nodes of the violations only: the passes with all
#: their nodes are most of the work and of the answer, and no test reads them
AXE_RESULT_TYPES = ["violations"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class Server:
    """A static server on a free port of 127.0.0.1; ``prefix`` serves the site below a path."""

    def __init__(self, directory: Path, prefix: str = "") -> None:
        handler = functools.partial(_Quiet, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.base = f"{self.origin}/{prefix}"
        # shutdown() waits for the serving loop to look at its flag, which it does once per
        # poll interval (half a second by default, on every close)
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def axe_run(page: Any, options: dict[str, Any]) -> dict[str, Any]:
    """axe-core's answer for ``page`` with ``options`` (and only the violations' nodes)."""
    return Axe().run(page, options={"resultTypes": AXE_RESULT_TYPES, **options}).response


def violations_of(response: dict[str, Any]) -> list[tuple[str, str, list[Any]]]:
    """(rule, impact, up to five targets) of every violation: what a failing test shows."""
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5]) for v in response["violations"]]


def html_pages(site: Path) -> list[Path]:
    """The built site's pages, without the theme's and Pagefind's own files."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts and "pagefind" not in p.parts)


# -- a tab that records the search's answers --------------------------------------------------

# Every query's results are announced by rapport-search.js; the test waits for the
# announcement of the query it typed, not for a fixed time.
_RECORD_RESULTS = """
window.__searches = [];
document.addEventListener("rapport-search-results", (event) => window.__searches.push(event.detail));
window.__injected = 0;
window.__runs = [];
"""

# The search's runs, each noted with the field's value it started with once it has ended:
# a query that is not searched (blank) announces nothing, and the test waits for its run.
_TRACK_RUNS = """(scope) => {
    const found = document.querySelector(scope);
    const root = found.closest("[data-rapport-search]") || found.querySelector("[data-rapport-search]");
    const search = root.rapportSearch;
    if (!search.__tracked) {
        const run = search.run.bind(search);
        search.run = async (...args) => {
            const value = search.input.value;
            try {
                return await run(...args);
            } finally {
                window.__runs.push(value);
            }
        };
        search.__tracked = true;
    }
    return window.__runs.length;
}"""


class Tab:
    """One page with its requests and console recorded."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(_RECORD_RESULTS)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        # Chromium asks every origin for /favicon.ico by itself; that 404 is not the site's
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def open(self, url: str) -> None:
        """Load ``url``: its scripts, style sheets and fonts (a layout the tests measure is
        the reader's). Not "networkidle": that waits half a second after the last request
        on every page, and the search's own requests come later, when a query is typed."""
        self.page.goto(url, wait_until="load")
        self.page.evaluate("document.fonts.ready.then(() => true)")

    def search(self, query: str, scope: str = "#pst-search-dialog") -> dict[str, Any]:
        """Type ``query`` into the search field of ``scope``; the announced results."""
        field = self.page.locator(f"{scope} input[name=q]")
        done = self.searches()
        runs = self.page.evaluate(_TRACK_RUNS, scope) if not query.strip() else 0
        field.fill("")
        if len(query) > 50:
            field.fill(query[:-1])
            field.press_sequentially(query[-1:])
        else:
            # key by key, as a reader types (each key its own input event); the search waits
            # for a pause longer than the gap between these keys, as it does for a reader's
            field.press_sequentially(query)
        if not query.strip():
            # nothing is searched and nothing announced: wait until the search has run for
            # the field as typed (a run for an earlier state of it, such as the emptied
            # field, does not count), whatever that run did
            self.page.wait_for_function(
                "([n, q]) => window.__runs.slice(n).includes(q)", arg=[runs, query], timeout=10000
            )
            return {"query": "", "count": 0}
        self.page.wait_for_function(
            "([n, q]) => window.__searches.slice(n).some((s) => s.query === q)",
            arg=[done, query[:200].strip()],
            timeout=10000,
        )
        return self.page.evaluate("window.__searches[window.__searches.length - 1]")

    def searches(self) -> int:
        """How many searches have announced their results so far."""
        return self.page.evaluate("window.__searches.length")

    def wait_for_search_after(self, done: int) -> None:
        """Wait until a search after the first ``done`` ones has announced its results."""
        self.page.wait_for_function("([n]) => window.__searches.length > n", arg=[done])

    def open_dialog(self) -> None:
        self.page.keyboard.press("Control+k")
        self.page.locator("#pst-search-dialog input[name=q]").wait_for(state="visible")

    def results(self, scope: str = "#pst-search-dialog") -> list[dict[str, Any]]:
        return self.page.eval_on_selector_all(
            f"{scope} .rapport-search__result",
            """(items) => items.map((li) => ({
                type: li.querySelector('.rapport-search__type')?.textContent || '',
                date: li.querySelector('time')?.getAttribute('datetime') || '',
                dateText: li.querySelector('time')?.textContent || '',
                organ: li.querySelector('.rapport-search__organ')?.textContent || '',
                title: li.querySelector('.rapport-search__title')?.textContent || '',
                href: li.querySelector('.rapport-search__title a')?.href || '',
                marks: [...li.querySelectorAll('mark')].map((m) => m.textContent),
                subs: [...li.querySelectorAll('.rapport-search__subresults a')].map((a) => a.href),
            }))""",
        )

    def facets(self, scope: str = "#pst-search-dialog") -> dict[str, list[str]]:
        return self.page.eval_on_selector_all(
            f"{scope} .rapport-search__facet",
            """(groups) => Object.fromEntries(groups.map((g) => [
                g.querySelector('legend').textContent,
                [...g.querySelectorAll('label')].map((l) => l.textContent.trim()),
            ]))""",
        )

    def status(self, scope: str = "#pst-search-dialog") -> str:
        return self.page.locator(f"{scope} .rapport-search__status").inner_text()

    def check_clean(self, origin: str) -> None:
        outside = [url for url in self.requests if not url.startswith(origin + "/")]
        assert outside == [], "requests that left the site"
        assert self.errors == []

    def reset(self) -> None:
        """As a new tab for the next test: the storage of the site it shows emptied, a blank
        page, nothing recorded (one tab serves the tests one after another: loading a page in
        a tab that exists costs Chromium a third of what a new tab costs)."""
        if self.page.url.startswith("http"):
            self.page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        self.page.goto("about:blank")
        self.requests.clear()
        self.errors.clear()

    def close(self) -> None:
        self.context.close()


def path_of(url: str) -> str:
    return re.sub(r"^http://127\.0\.0\.1:\d+/", "", url)
