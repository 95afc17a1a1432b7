"""The search index in parts (rapport.site.search), without a browser.

The fictitious test project tests/roots/test-search (Region Fjällmark, reports in 2024
and 2025) is built with Sphinx's testing fixtures.
"""

from __future__ import annotations

import ast
import gzip
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from rapport.site.search import background, indexing
from rapport.site.search import words as word_list
from rapport.site.search.bundle import IN_PROGRESS
from rapport.site.search.canonical import read_chunk
from rapport.site.search.indexer import BUCKETS_STATE
from rapport.site.search.plan import IndexPlan, PartPlan, year_bucket
from rapport.site.search.staging import RECORDS_DIR, STAGING_DIR
from rapport.site.search.words import WORDS_FILE


def test_parts_span_fixed_years() -> None:
    assert [year_bucket(y) for y in (2019, 2020, 2029, 2030)] == ["2010-2019", "2020-2029", "2020-2029", "2030-2039"]
    assert year_bucket(2024, 1) == "2024"
    assert year_bucket(2024, 5) == "2020-2024"


@pytest.mark.sphinx("html", testroot="search", freshenv=True, confoverrides={"rapport_preview": True})
def test_the_preview_does_not_wait_for_the_index(app) -> None:
    """In the live preview the index is made by a process of its own: the build is done
    when the pages are; the index follows, in the same folders as in a full build. A
    save while it runs tells it to stop, and the next indexer starts only after it
    has ended."""
    app.build()
    first = background.started(app.doctreedir)
    assert first is not None and first.pid != os.getpid()
    report = app.srcdir / "rapporter" / "2025" / "2025-09-18.md"
    report.write_text(report.read_text(encoding="utf-8") + "\nEn andra sparning.\n", encoding="utf-8")
    app.build()  # the next save
    second = background.started(app.doctreedir)
    assert second is not first
    # the first indexer had ended (indexed, or stopped for the newer build) before the
    # second was started: they never write into the same folders
    assert first.returncode in (0, 3)
    assert second.wait(timeout=60) == 0
    bundle = app.outdir / "pagefind"
    state_path = app.doctreedir / BUCKETS_STATE
    state = json.loads(state_path.read_text(encoding="utf-8"))
    assert sorted(state["buckets"]) == ["2020-2029", "sidor"]
    manifest = json.loads((bundle / "rapport-index.json").read_text(encoding="utf-8"))
    assert manifest["merge"] == [{"path": "sidor/", "weight": 0.3}]
    assert (bundle / "pagefind-entry.json").is_file()
    assert _bundle_files(bundle) == _referenced(bundle)
    assert not (bundle / IN_PROGRESS).exists()
    fragments = [gzip.decompress((bundle / n).read_bytes()) for n in _bundle_files(bundle) if n.startswith("fragment/")]
    assert sum(b"En andra sparning." in f for f in fragments) == 1


def _slow_pagefind(folder: Path) -> Path:
    """A stand-in for Pagefind that notes its process id and waits (so it is still
    running when the next build comes)."""
    script = folder / "langsam-pagefind"
    script.write_text(f"#!/bin/sh\necho $$ > {folder / 'pid'}\nexec sleep 60\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def test_a_newer_build_stops_the_preview_indexer_and_its_pagefind(tmp_path: Path) -> None:
    """The indexer stops its own Pagefind run (a process it started) and exits when a
    newer build has written its token; the lock is free again afterwards. No process
    id is read to be signalled."""
    doctrees, site = tmp_path / "doctrees", tmp_path / "html"
    site.mkdir()
    page = '<!DOCTYPE html><html lang="sv"><body><main data-pagefind-body><p>Fjällsippor.</p></main></body></html>'
    plan = IndexPlan(
        site=str(site),
        doctreedir=str(doctrees),
        primary="2020-2029",
        parts={"2020-2029": PartPlan("2020-2029", records=[("post.html", page)])},
        records=1,
        executable=str(_slow_pagefind(tmp_path)),
    )
    token = background.supersede(doctrees)
    lock = background.take_lock(doctrees)
    assert lock is not None
    indexer = background.start(plan, token, lock)
    deadline = time.monotonic() + 30
    while not (tmp_path / "pid").is_file() and time.monotonic() < deadline:
        time.sleep(0.05)
    pagefind = int((tmp_path / "pid").read_text(encoding="utf-8"))
    assert Path(f"/proc/{pagefind}").exists()
    assert background.take_lock(doctrees, wait=0.2) is None  # held by the running indexer
    background.supersede(doctrees)  # the next save's build
    assert indexer.wait(timeout=20) == 3
    assert not Path(f"/proc/{pagefind}").exists()  # ended and reaped by the indexer
    lock = background.take_lock(doctrees, wait=1)
    assert lock is not None
    os.close(lock)
    # the stopped run left its mark: the next run starts from an empty folder
    assert (site / "pagefind" / IN_PROGRESS).exists()
    assert not list(doctrees.glob("rapport-sokindex-*.json"))  # the plan was taken


def test_the_search_code_never_forks_or_signals_by_process_id() -> None:
    """Processes are started with subprocess and ended through their handles only: no
    os.fork, os.kill or os.killpg, no signal module, anywhere in the search's code."""
    found = []
    for path in Path(background.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id == "os" and node.attr in ("fork", "kill", "killpg", "forkpty"):
                    found.append(f"{path.name}:{node.lineno} os.{node.attr}")
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                if "signal" in names:
                    found.append(f"{path.name}:{node.lineno} import signal")
    assert found == []


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
        meta = read_chunk(bundle / meta_name)
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
    indexing.on_write_started(app, app.builder)
    indexing._early(app).wait()
    again = {p.relative_to(staging): p.read_bytes() for p in staging.rglob(f"{RECORDS_DIR}/*.html")}
    assert again == staged


@pytest.mark.sphinx("html", testroot="search", srcdir="search-words", freshenv=True)
def test_a_pages_words_are_counted_again_only_when_it_changed(app, monkeypatch) -> None:
    """The suggestions ("Menade du …?") come from the pages that list everything; a
    re-index counts only the pages whose text changed, and the list is the same as
    when every page is counted."""
    counted: list[int] = []
    forms = word_list.page_forms
    monkeypatch.setattr(word_list, "page_forms", lambda text: counted.append(1) or forms(text))
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
