"""Screenshot pages of a built site in headless Chromium, at phone and desktop widths.

    python tools/screenshot.py SITE OUT PAGE... [--bredder 320,390,1400]

For looking at what a reader sees; not part of the build. One PNG per page and width,
``OUT/<page>-<width>.png``, of the whole page.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _widths(value: str) -> list[int]:
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"”{value}” är inga bredder (skriv till exempel 320,390,1400)") from None


def main() -> None:
    parser = argparse.ArgumentParser(description="Skärmbilder av sidor i en byggd webbplats, i Chromium.")
    parser.add_argument("site", metavar="WEBBPLATS", help="mappen med den byggda webbplatsen, till exempel _build/html")
    parser.add_argument("out", metavar="UT", help="mappen som bilderna skrivs till")
    parser.add_argument("pages", metavar="SIDA", nargs="+", help="sidans adress i webbplatsen, till exempel faq.html")
    parser.add_argument("--bredder", type=_widths, default=[320, 390, 1400], help="bredder i pixlar (320,390,1400)")
    args = parser.parse_args()
    if not Path(args.site).is_dir():
        parser.error(f"mappen {args.site} finns inte")
    handler = functools.partial(_Quiet, directory=args.site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    Path(args.out).mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        for width in args.bredder:
            page = browser.new_page(viewport={"width": width, "height": 900}, locale="sv-SE")
            for name in args.pages:
                page.goto(f"http://127.0.0.1:{port}/{name}", wait_until="load")
                stem = name.split("#")[0].replace("/", "_").replace(".html", "")
                target = Path(args.out) / f"{stem}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            page.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
