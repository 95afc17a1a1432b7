"""Screenshot pages of a built site in headless Chromium: python tools/screenshot.py SITE OUT PAGE...

For looking at what a reader sees; not part of the build.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    site, out, *pages = sys.argv[1:]
    handler = functools.partial(_Quiet, directory=site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    Path(out).mkdir(parents=True, exist_ok=True)
    width = 1280
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        page = browser.new_page(viewport={"width": width, "height": 900})
        for name in pages:
            page.goto(f"http://127.0.0.1:{port}/{name}")
            target = Path(out) / (name.replace("/", "_").replace(".html", "") + ".png")
            page.screenshot(path=str(target), full_page=True)
            print(target)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
