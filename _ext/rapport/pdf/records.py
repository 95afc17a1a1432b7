"""The PDF build's records and small helpers, shared by its modules and other rooms.

Any phase: plain values. :class:`Rendered` is what the bundle needs to know about one
report's PDF; :func:`pdf_dir` and :func:`format_size` are how the web site and the
e-mail find and describe the PDFs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapport.config import settings
from rapport.messages import warn

CACHE_DIR = ".cache"


# -- records -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bookmark:
    title: str
    level: int  # 1 = the page title, 2 = a section, ...
    page: int  # 0-based page index in the document's own PDF
    top: float  # PDF user-space y of the heading


@dataclass
class Rendered:
    """What the bundle needs to know about one rendered PDF (kept small: no documents)."""

    docname: str
    title: str
    path: str  # absolute path of the PDF
    pages: int
    bookmarks: list[Bookmark]
    key: str  # content hash of the inputs
    warnings: list[tuple[str, str, str]] = field(default_factory=list)  # subtype, message, location
    rendered: bool = False  # laid out in this build (False: taken from the cache)
    seconds: float = 0.0  # wall-clock layout and writing time
    cpu_seconds: float = 0.0  # the same in CPU time (robust on a busy machine)


# -- small helpers ---------------------------------------------------------------------


def format_size(size: int) -> str:
    """``120 kB``, ``1,4 MB``: SI prefixes, decimal comma (Swedish style)."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{max(1, round(size / 1000))} kB"
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


def pdf_dir(config: Any) -> Path:
    return Path(settings(config).confdir, settings(config).values.pdf_dir)


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def parse_iso(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        warn("pdf-config", f"{name} = ”{value}” är inte ett datum på formen ÅÅÅÅ-MM-DD; gränsen används inte", None)
        return None
