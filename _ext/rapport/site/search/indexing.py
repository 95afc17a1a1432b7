"""The index in the HTML build: record pages staged early, the index made at the end.

Build phases:

``builder-inited``
    this build becomes the newest (:func:`~rapport.site.search.background.supersede`):
    an indexer the live preview left running for an earlier save stops.
``write-started``
    the record pages are staged in a thread while the pages are written.
``build-finished``
    one preparation path for every build: the plan
    (:func:`~rapport.site.search.collect.make_plan`), then the index
    (:func:`~rapport.site.search.indexer.run`) before the build returns, or, in the live
    preview, in a process of its own (:mod:`~rapport.site.search.background`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

from rapport import cache
from rapport.config import settings
from rapport.messages import warn
from rapport.site.search import background, indexer
from rapport.site.search.collect import make_plan, primary_part, record_pages
from rapport.site.search.markup import enabled
from rapport.site.search.staging import RECORDS_DIR, STAGING_DIR, EarlyStaging

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)


def on_builder_inited(app: Sphinx) -> None:
    if enabled(app):
        # a save while the last index is still being made: that run is outdated, and
        # its Pagefind processes would take a core from this build for seconds (after
        # the preview's first build, the whole site's index: a save then took 3.3 s to
        # reload against 2.4 s)
        background.supersede(Path(app.doctreedir))


def _early(app: Sphinx) -> EarlyStaging:
    return cache.computed(app.env, "search-record-staging", EarlyStaging)


def on_write_started(app: Sphinx, builder: Any) -> None:
    """Stage the record pages in a thread while the pages are written; at
    ``build-finished`` the index finds them in place and writes only what differs."""
    if not enabled(app):
        return
    primary = primary_part(app)
    root = Path(app.doctreedir) / STAGING_DIR
    files = [(root / (name or primary) / RECORDS_DIR / file, page) for name, file, page in record_pages(app)]
    _early(app).start(files)


def on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    if not enabled(app):
        return
    error = _early(app).wait()  # also after a failed build: no thread outlives it
    if error is not None:
        logger.info("sökposterna skrivs om: %s", error)
    if exception is not None:
        return
    doctrees = Path(app.doctreedir)
    lock = background.take_lock(doctrees)
    if lock is None:
        warn("search-index", "Sökindexet byggdes inte: en tidigare indexering avslutades inte i tid", None)
        return
    plan = make_plan(app)
    if settings(app.config).values.preview:
        # this build's token (from builder-inited), unless a newer build has begun
        token = background.current_token(doctrees) or background.supersede(doctrees)
        background.start(plan, token, lock)
        return
    try:
        result = indexer.run(plan)
    finally:
        os.close(lock)
    for message in result.warnings:
        warn("search-index", message, None)
    for note in result.notes:
        logger.info(note)
