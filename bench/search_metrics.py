"""Search figures of a built site, measured in headless Chromium (issue 5).

Usage::

    python bench/search_metrics.py SITE [--doctrees DIR] [--query Norrsken] [--runs 3]

``SITE`` is a built HTML directory. The engine is detected: a ``pagefind/`` folder means
the site's own search (rapport.site.search), a ``searchindex.js`` means Sphinx's built-in
search (a build with ``-D rapport_search=sphinx``), so both can be compared on the same
corpus. Prints one JSON object; :func:`measure` returns the same figures for
``bench/run.py``.

Figures:

``index_seconds``
    Pagefind's indexing inside the build (record pages and the Pagefind run), read from
    ``rapport-search-stats.json`` that the build leaves in the doctree directory.
``first_query_kb``
    kilobytes transferred for the first query on a freshly opened report page with an
    empty cache. Pagefind: every response after the page has loaded, while the query
    runs (pagefind.js, WebAssembly, index and filter chunks, result fragments), plus
    the site's search script which every page loads. Sphinx: the responses of the
    search page opened with the query (searchindex.js, searchtools.js, stemmer, which
    the theme also loads on every page, and the pages Sphinx fetches for snippets).
``results_ms``
    milliseconds from the last keystroke to the first visible result (median of
    ``--runs`` runs, each in a fresh browser context). Pagefind: typed into the search
    dialog (Ctrl+K). Sphinx: from opening the search page with the query (what Enter
    in the theme's field does) to its first result.

Headless Chromium is Debian's (``/usr/bin/chromium``); nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
STATS_FILE = "rapport-search-stats.json"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """The site on a free port of 127.0.0.1, as a base URL ending in ``/``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def engine_of(site: Path) -> str:
    if (site / "pagefind" / "pagefind.js").exists():
        return "pagefind"
    if (site / "searchindex.js").exists():
        return "sphinx"
    raise SystemExit(f"{site}: varken pagefind/ eller searchindex.js finns")


def sample_page(site: Path) -> str:
    """A report page two levels deep (the newest), as readers open them."""
    reports = sorted(p for p in site.glob("rapporter/*/*.html") if p.name != "index.html")
    page = reports[-1] if reports else site / "index.html"
    return page.relative_to(site).as_posix()


def _size(response: Any) -> int:
    try:
        sizes = response.request.sizes()
        return int(sizes["responseBodySize"]) + int(sizes["responseHeadersSize"])
    except Exception:  # a failed or aborted response has no sizes
        return 0


# The page records the time of every keystroke and the moment a result appears.
_WATCH = """
(query) => {
  window.__searchTimes = { key: 0, visible: 0 };
  document.addEventListener("keydown", () => { window.__searchTimes.key = performance.now(); }, true);
  // rapport-search.js announces each query whose first results are on screen
  document.addEventListener("rapport-search-visible", (event) => {
    if (event.detail.query === query && !window.__searchTimes.visible) window.__searchTimes.visible = performance.now();
  });
}
"""


def _open_counting(browser: Any, url: str) -> tuple[Any, Any, list[int], list[str]]:
    """A fresh browser context with ``url`` loaded; from then on the size and address of
    every response are appended to the two lists returned with it."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    transferred: list[int] = []
    urls: list[str] = []

    def on_response(response: Any) -> None:
        transferred.append(_size(response))
        urls.append(response.url)

    page.on("response", on_response)
    return context, page, transferred, urls


def _pagefind_run(browser: Any, site: Path, base: str, page_path: str, query: str) -> tuple[float, int, list[str]]:
    context, page, transferred, urls = _open_counting(browser, base + page_path)
    page.evaluate(_WATCH, query)
    page.keyboard.press("Control+k")
    page.locator("#pst-search-dialog input[name=q]").press_sequentially(query, delay=60)
    page.wait_for_function("window.__searchTimes.visible > 0", timeout=15000)
    page.wait_for_load_state("networkidle")
    times = page.evaluate("window.__searchTimes")
    # the search script itself is part of the cost, though every page loads it up front
    script_bytes = (site / "_static" / "rapport-search.js").stat().st_size
    context.close()
    return times["visible"] - times["key"], sum(transferred) + script_bytes, urls


def _sphinx_run(browser: Any, site: Path, base: str, page_path: str, query: str) -> tuple[float, int, list[str]]:
    context, page, transferred, urls = _open_counting(browser, base + page_path)
    # Sphinx's search runs on the search page, opened with the query (what Enter in the
    # theme's search field does); the clock runs from that navigation
    start = time.perf_counter()
    page.goto(base + "search.html?q=" + urllib.parse.quote(query), wait_until="commit")
    page.wait_for_selector("#search-results ul.search li a", state="attached", timeout=60000)
    elapsed = (time.perf_counter() - start) * 1000
    # it then fetches every hit's page for its snippet: part of the query's transfer
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)
    context.close()
    return elapsed, sum(transferred), urls


def measure(site: Path, doctrees: Path | None = None, query: str = "Norrsken", runs: int = 3) -> dict[str, Any]:
    """Figures for ``site``; see the module docstring."""
    from playwright.sync_api import sync_playwright

    engine = engine_of(site)
    page_path = sample_page(site)
    result: dict[str, Any] = {"engine": engine, "page": page_path, "query": query}
    if engine == "pagefind" and doctrees is not None and (doctrees / STATS_FILE).exists():
        stats = json.loads((doctrees / STATS_FILE).read_text(encoding="utf-8"))
        result["index_seconds"] = stats["seconds"]
        result["index_records"] = stats["records"]
    if engine == "pagefind":
        bundle = site / "pagefind"
        result["index_total_kb"] = round(sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()) / 1024, 1)
    else:
        result["searchindex_kb"] = round((site / "searchindex.js").stat().st_size / 1024, 1)
    timings, sizes = [], []
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        run = _pagefind_run if engine == "pagefind" else _sphinx_run
        for _ in range(runs):
            ms, size, urls = run(browser, site, base, page_path, query)
            timings.append(ms)
            sizes.append(size)
            outside = [u for u in urls if not u.startswith(base)]
            if outside:
                raise SystemExit(f"förfrågningar utanför webbplatsen: {outside}")
        browser.close()
    result["first_query_kb"] = round(max(sizes) / 1024, 1)
    result["results_ms"] = round(statistics.median(timings))
    result["results_ms_all"] = [round(t) for t in timings]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--doctrees", type=Path, default=None)
    parser.add_argument("--query", default="Norrsken")
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    json.dump(measure(opts.site, opts.doctrees, opts.query, opts.runs), sys.stdout, ensure_ascii=False, indent=2)
    print()


if __name__ == "__main__":
    main()
