"""The search index in parts (rapport.site.search), without a browser.

The fictitious test project tests/roots/test-search (Region Fjällmark, reports in 2024
and 2025) is built with Sphinx's testing fixtures.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from rapport.site import search
from rapport.site.search import (
    BUCKETS_STATE,
    IN_PROGRESS,
    PREVIEW_INDEXERS,
    RECORDS_DIR,
    STAGING_DIR,
    WORDS_FILE,
    _read_chunk,
    year_bucket,
)


def test_parts_span_fixed_years() -> None:
    assert [year_bucket(y) for y in (2019, 2020, 2029, 2030)] == ["2010-2019", "2020-2029", "2020-2029", "2030-2039"]
    assert year_bucket(2024, 1) == "2024"
    assert year_bucket(2024, 5) == "2020-2024"


@pytest.mark.sphinx("html", testroot="search", freshenv=True, confoverrides={"rapport_preview": True})
def test_the_preview_does_not_wait_for_the_index(app) -> None:
    """In the live preview the index is made by a copy of the build's process: the build
    is done when the pages are; the index follows, in the same folders as in a full
    build, and a save while it runs stops it and starts again."""
    app.build()
    bundle = app.outdir / "pagefind"
    pid = int((app.doctreedir / PREVIEW_INDEXERS).read_text(encoding="utf-8"))
    assert pid != os.getpid()
    report = app.srcdir / "rapporter" / "2025" / "2025-09-18.md"
    report.write_text(report.read_text(encoding="utf-8") + "\nEn andra sparning.\n", encoding="utf-8")
    app.build()  # the next save: the first indexer is stopped
    second = int((app.doctreedir / PREVIEW_INDEXERS).read_text(encoding="utf-8"))
    assert second != pid
    # the indexers are copies of this process (forked in app.build): wait for the second
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and os.waitpid(second, os.WNOHANG) == (0, 0):
        time.sleep(0.1)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    state_path = app.doctreedir / BUCKETS_STATE
    state = json.loads(state_path.read_text(encoding="utf-8"))
    assert sorted(state["buckets"]) == ["2020-2029", "sidor"]
    manifest = json.loads((bundle / "rapport-index.json").read_text(encoding="utf-8"))
    assert manifest["merge"] == [{"path": "sidor/", "weight": 0.3}]
    assert (bundle / "pagefind-entry.json").is_file()
    assert _bundle_files(bundle) == _referenced(bundle)
    assert not (bundle / IN_PROGRESS).exists()
    fragments = [gzip.decompress((bundle / n).read_bytes()) for n in _bundle_files(bundle) if n.startswith("fragment/")]
    assert sum("En andra sparning.".encode() in f for f in fragments) == 1


def _bundle_files(bundle: Path) -> set[str]:
    """The bundle's own fragment, index, filter and meta files (not the merged parts)."""
    names = {p.name for p in bundle.glob("pagefind.*.pf_meta")}
    for kind in ("fragment", "index", "filter"):
        names |= {f"{kind}/{p.name}" for p in (bundle / kind).iterdir()}
    return names


def _referenced(bundle: Path) -> set[str]:
    """What the bundle's entry and meta file use, read the way the browser reads them."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    names = set()
    for info in entry["languages"].values():
        meta_name = f"pagefind.{info['hash']}.pf_meta"
        names.add(meta_name)
        meta = _read_chunk(bundle / meta_name)
        names |= {f"fragment/{page[0]}.pf_fragment" for page in meta[1]}
        names |= {f"index/{chunk[-1]}.pf_index" for chunk in meta[2]}
        names |= {f"filter/{item[1]}.pf_filter" for item in meta[3]}
    return names


@pytest.mark.sphinx("html", testroot="search", freshenv=True)
def test_a_re_index_keeps_unchanged_files_and_leaves_nothing_stale(app) -> None:
    """Pagefind writes into the last index (it skips files whose hashed name exists);
    what the new index no longer uses is removed, a file cut short by a stopped run is
    not kept, and the search finds the edit."""
    app.build()
    bundle = app.outdir / "pagefind"
    assert _bundle_files(bundle) == _referenced(bundle)
    kept = sorted(_bundle_files(bundle))
    # a stopped run: its marker is left, and a fragment under its full name is cut short
    broken = next(name for name in kept if name.startswith("fragment/"))
    (bundle / broken).write_bytes(b"avbruten")
    (bundle / IN_PROGRESS).touch()
    report = app.srcdir / "rapporter" / "2025" / "2025-09-18.md"
    report.write_text(
        report.read_text(encoding="utf-8") + "\nOrdet fjällsippeglans finns bara här.\n", encoding="utf-8"
    )
    app.build()
    assert _bundle_files(bundle) == _referenced(bundle)
    assert not (bundle / IN_PROGRESS).exists()
    assert gzip.decompress((bundle / broken).read_bytes()).startswith(b"pagefind_dcd")  # written again, whole
    words = json.loads((bundle / WORDS_FILE).read_text(encoding="utf-8"))
    assert "fjällsippeglans" not in {w.lower() for w, _ in words}  # report words are not suggestions
    fragments = [
        gzip.decompress((bundle / name).read_bytes()) for name in _bundle_files(bundle) if name.startswith("fragment/")
    ]
    assert sum("fjällsippeglans".encode() in f for f in fragments) == 1

    # the next edit keeps what did not change: only the edited report's files are new
    before = _bundle_files(bundle)
    report.write_text(
        report.read_text(encoding="utf-8").replace("fjällsippeglans", "fjällsippeglansen"), encoding="utf-8"
    )
    app.build()
    after = _bundle_files(bundle)
    assert after == _referenced(bundle)
    new_fragments = {n for n in after - before if n.startswith("fragment/")}
    assert len(new_fragments) == 1


@pytest.mark.sphinx("html", testroot="search", freshenv=True)
def test_pagefind_is_given_the_indexed_part_of_each_page_and_the_site_keeps_its_pages(app) -> None:
    """The staged copy of a page is its language and its indexed part only (Pagefind
    parses every byte it is given); writing it never touches the page on the site."""
    app.build()
    name = "rapporter/2025/2025-09-18.html"
    staged = app.doctreedir / STAGING_DIR / "2020-2029" / name
    text = staged.read_text(encoding="utf-8")
    assert text.startswith('<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title></title></head><body>')
    assert text.endswith("</body></html>")
    assert "<div data-pagefind-body>" in text
    assert "bd-sidebar" not in text and "<script" not in text
    page = app.outdir / name
    assert "bd-sidebar" in page.read_text(encoding="utf-8")
    report = app.srcdir / "rapporter" / "2025" / "2025-09-18.md"
    report.write_text(report.read_text(encoding="utf-8") + "\nEn ny mening om fjällrävar.\n", encoding="utf-8")
    app.build()
    assert "fjällrävar" in staged.read_text(encoding="utf-8")
    assert not os.path.samefile(staged, page)
    assert "bd-sidebar" in page.read_text(encoding="utf-8") and "fjällrävar" in page.read_text(encoding="utf-8")


@pytest.mark.sphinx("html", testroot="search", freshenv=True)
def test_record_pages_are_staged_while_the_pages_are_written(app) -> None:
    """At write-started a thread stages the record pages of every part, the same files
    build-finished stages, so only what differs is written after the pages."""
    app.build()
    staging = app.doctreedir / STAGING_DIR
    staged = {p.relative_to(staging): p.read_bytes() for p in staging.rglob(f"{RECORDS_DIR}/*.html")}
    assert len(staged) >= 5
    shutil.rmtree(staging)
    search._on_write_started(app, app.builder)
    search._wait_for_record_staging(app)
    again = {p.relative_to(staging): p.read_bytes() for p in staging.rglob(f"{RECORDS_DIR}/*.html")}
    assert again == staged


@pytest.mark.sphinx("html", testroot="search", srcdir="search-words", freshenv=True)
def test_a_pages_words_are_counted_again_only_when_it_changed(app, monkeypatch) -> None:
    """The suggestions ("Menade du …?") come from the pages that list everything; a
    re-index counts only the pages whose text changed, and the list is the same as
    when every page is counted."""
    counted: list[int] = []
    forms = search._page_forms
    monkeypatch.setattr(search, "_page_forms", lambda text: counted.append(1) or forms(text))
    app.build()
    first = len(counted)
    assert first >= 3
    page = app.srcdir / "om-sidan.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nEn sista mening om fjällsippor.\n", encoding="utf-8")
    counted.clear()
    app.build()
    assert len(counted) == 1  # the edited page, not the other pages of its part
    words = (app.outdir / "pagefind" / WORDS_FILE).read_text(encoding="utf-8")
    assert "fjällsippor" in {w.lower() for w, _ in json.loads(words)}
    (app.doctreedir / BUCKETS_STATE).unlink()  # no state: every page counted, every part indexed
    counted.clear()
    app.build()
    assert len(counted) == first
    assert (app.outdir / "pagefind" / WORDS_FILE).read_text(encoding="utf-8") == words
