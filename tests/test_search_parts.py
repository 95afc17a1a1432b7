"""The search index in parts (rapport.site.search), without a browser.

The fictitious test project tests/roots/test-search (Region Fjällmark, reports in 2024
and 2025) is built with Sphinx's testing fixtures.
"""

from __future__ import annotations

import json
import time

import pytest

from rapport.site.search import BUCKETS_STATE, PREVIEW_INDEXERS, year_bucket


def test_parts_span_fixed_years() -> None:
    assert [year_bucket(y) for y in (2019, 2020, 2029, 2030)] == ["2010-2019", "2020-2029", "2020-2029", "2030-2039"]
    assert year_bucket(2024, 1) == "2024"
    assert year_bucket(2024, 5) == "2020-2024"


@pytest.mark.sphinx("html", testroot="search", freshenv=True, confoverrides={"rapport_preview": True})
def test_the_preview_does_not_wait_for_the_index(app) -> None:
    """In the live preview Pagefind runs in the background: the build is done when the
    pages are; the index follows, in the same folders as in a full build."""
    app.build()
    bundle = app.outdir / "pagefind"
    # written before the build ended: the list of parts and the words for suggestions
    manifest = json.loads((bundle / "rapport-index.json").read_text(encoding="utf-8"))
    assert manifest["merge"] == [{"path": "sidor/", "weight": 0.3}]
    assert (app.doctreedir / PREVIEW_INDEXERS).is_file()
    state = json.loads((app.doctreedir / BUCKETS_STATE).read_text(encoding="utf-8"))
    assert sorted(state["buckets"]) == ["2020-2029", "sidor"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
        (bundle / "pagefind-entry.json").is_file() and (bundle / "sidor" / "pagefind-entry.json").is_file()
    ):
        time.sleep(0.2)
    assert (bundle / "pagefind-entry.json").is_file()
    assert (bundle / "sidor" / "pagefind-entry.json").is_file()
