"""The pages as Pagefind is given them, staged beside the doctrees.

Runs in the HTML build (``write-started`` stages the record pages in a thread) and
wherever a part is indexed (:mod:`rapport.site.search.indexer`). Each part's pages,
reduced to what Pagefind indexes, and its record pages are written into
``<doctrees>/rapport-sokindex/<part>/``; the folder is kept between builds and only what
changed is written.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: where the pages of a part are staged for Pagefind, in the doctree directory
STAGING_DIR = "rapport-sokindex"
#: where a part's record pages are staged, inside its folder
RECORDS_DIR = "_sokposter"

_BODY_MARK = "<div data-pagefind-body>"
_LANG_RE = re.compile(r"<html\b[^>]*?\blang=\"([^\"]*)\"")


def body_part(text: str) -> str:
    """What Pagefind indexes of a page: from the body marker to the article's end."""
    start = text.find(_BODY_MARK)
    if start < 0:
        return ""
    end = text.find("</article>", start)
    return text[start : end if end > 0 else len(text)]


def staged_page(text: str) -> str:
    """The page as Pagefind is given it: its language and the part it indexes.

    The theme's header, sidebar and scripts are two thirds of a report page, and
    Pagefind parses every byte it is given; staging the indexed part alone took an
    edited report's decade from 0.67 to 0.53 s at 520 reports. What Pagefind keeps is
    the same: it reads the language from ``<html lang>`` and everything else from
    inside the ``data-pagefind-body`` element.
    """
    body = body_part(text)
    if not body:
        return ""  # not indexed: Pagefind skips a page without the body marker
    lang = _LANG_RE.search(text, 0, 2000)
    return (
        f'<!DOCTYPE html><html lang="{lang.group(1) if lang else ""}"><head><meta charset="utf-8">'
        f"<title></title></head><body>{body}</body></html>"
    )


def write_staged(target: Path, data: bytes, made: set[Path]) -> None:
    """Write one staged file unless it holds ``data`` already."""
    try:
        if target.read_bytes() == data:
            return
        # a new file, never written through: the folder of an older version held hard
        # links to the site's pages
        target.unlink()
    except FileNotFoundError:
        if target.parent not in made:  # once per folder (3,900 files in a first build)
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
    target.write_bytes(data)


def stage(staging: Path, pages: Iterable[tuple[str, str]], records: Iterable[tuple[str, str]]) -> None:
    """A part's staged ``pages`` (path in the site, staged text) and ``records`` (file
    name, page) in ``staging``; files no longer part of it are removed.

    Creating the 2,000 record files of a decade again took about 1 s at 520 reports,
    writing the few that changed takes nothing.
    """
    wanted: set[Path] = set()
    folder = staging / RECORDS_DIR
    records = list(records)
    if records:
        folder.mkdir(parents=True, exist_ok=True)
    made: set[Path] = {folder}
    files = [(staging / relative, page) for relative, page in pages]
    for target, page in files + [(folder / file, page) for file, page in records]:
        wanted.add(target)
        write_staged(target, page.encode("utf-8"), made)
    for dirpath, _dirs, names in os.walk(staging):
        for name in names:
            path = Path(dirpath, name)
            if path not in wanted:
                path.unlink()


@dataclass
class EarlyStaging:
    """Record pages staged in a thread while the HTML pages are written.

    The records are known once the environment is, and creating their 3,300 small
    files took 1 to 2.5 s of a first build at 520 reports, serially before Pagefind
    could start; file writes wait on the disk, not on Python, so they overlap with
    writing the pages. :func:`stage` later finds them in place.
    """

    thread: threading.Thread | None = None
    error: BaseException | None = None

    def start(self, files: list[tuple[Path, str]]) -> None:
        def run() -> None:
            made: set[Path] = set()
            try:
                for target, page in files:
                    write_staged(target, page.encode("utf-8"), made)
            except BaseException as exc:  # noqa: BLE001 - the index stages them again
                self.error = exc

        self.thread = threading.Thread(target=run, name="rapport-sokposter", daemon=True)
        self.thread.start()

    def wait(self) -> BaseException | None:
        """Until the thread is done (no thread outlives the build); what stopped it."""
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        error, self.error = self.error, None
        return error
