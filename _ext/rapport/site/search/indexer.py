"""Carry out an :class:`~rapport.site.search.plan.IndexPlan`: stage, run Pagefind, write
the list of parts and the words.

Runs at ``build-finished`` inside the HTML build, or, for the live preview, as
``python -m rapport.site.search.indexer`` in a process of its own
(:mod:`rapport.site.search.background`); the steps are the same. Needs no Sphinx.

A build hashes what each part would index and runs Pagefind only for the parts whose
input changed, several at a time; an edited report re-indexes its years and the pages
that list it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapport.site.search.bundle import BUNDLE_DIRS, IN_PROGRESS, bundle_folder, finish_bundle, prepare_bundle
from rapport.site.search.pagefind import EXCLUDE_SELECTORS, pagefind_command
from rapport.site.search.plan import BUCKET_PAGES, IndexPlan, PartPlan
from rapport.site.search.staging import STAGING_DIR, stage, staged_page
from rapport.site.search.words import WORDS_FILE, part_words, word_list

#: how much a hit on a navigation page counts against a report or entry (Pagefind's
#: ``indexWeight``): for "ambulink" the topic page and the landing page ranked above
#: the report itself at 1.0
PAGES_WEIGHT = 0.3
#: the list of parts the browser merges, inside the primary bundle
MANIFEST = "rapport-index.json"
#: what each part last indexed (content hash, words), in the doctree directory
BUCKETS_STATE = "rapport-search-buckets.json"
#: indexing time and record count of the last build, in the doctree directory; for the
#: benchmark (bench/search_metrics.py), not published
STATS_FILE = "rapport-search-stats.json"
#: the message subtype of every warning about the index
SUBTYPE = "search-index"


class Stopped(Exception):
    """A newer build wants the index: this run stops (the preview's indexer)."""


@dataclass
class IndexResult:
    indexed: list[str] = field(default_factory=list)  # the parts Pagefind indexed
    warnings: list[str] = field(default_factory=list)  # Swedish, for the writer
    notes: list[str] = field(default_factory=list)  # for the build's log
    stopped: bool = False


@dataclass
class _Part:
    plan: PartPlan
    folder: Path
    staged: dict[str, str] = field(default_factory=dict)  # path in the site -> staged page
    digest: str = ""
    words: dict[str, list] = field(default_factory=dict)
    #: path in the site -> [digest of its staged text, its words], kept in the state
    page_words: dict[str, list] = field(default_factory=dict)


def _load_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_whole(path: Path, text: str) -> None:
    """Write ``path`` so that a reader (the browser, the next build) never sees half of
    it: the preview's indexer may be stopped at any moment by the next save."""
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        _write_whole(path, text)


def _digest(part: _Part, folder: str) -> None:
    digest = hashlib.sha256(f"{folder}\n{','.join(EXCLUDE_SELECTORS)}\n".encode())
    for relative, file, _words in part.plan.pages:
        digest.update(f"\n{relative}\n".encode())
        staged = part.staged[relative] = staged_page(Path(file).read_text(encoding="utf-8"))
        digest.update(staged.encode("utf-8"))
    for file, page in part.plan.records:
        digest.update(f"\n-{file}\n".encode() + page.encode("utf-8"))
    part.digest = digest.hexdigest()


def _finish(
    name: str,
    proc: subprocess.Popen[str],
    parts: dict[str, _Part],
    primary: str,
    result: IndexResult,
    wanted: Callable[[], bool],
) -> None:
    """Wait for the Pagefind run of part ``name`` (asking ``wanted`` meanwhile) and
    finish its bundle."""
    part = parts[name]
    while True:
        try:
            out, err = proc.communicate(timeout=0.1)
            break
        except subprocess.TimeoutExpired:
            if not wanted():
                raise Stopped from None
    if proc.returncode != 0:
        detail = " ".join((err or out).split())[-400:]
        result.warnings.append(
            f"Sökindexet kunde inte byggas (Pagefind avslutades med kod {proc.returncode}): {detail}"
        )
        part.digest = ""
        return
    result.notes += finish_bundle(part.folder, name == primary)
    result.indexed.append(name)


def _index_parts(
    plan: IndexPlan, parts: dict[str, _Part], state: dict[str, Any], result: IndexResult, wanted: Callable[[], bool]
) -> None:
    """Run Pagefind for every part whose input changed, a few at a time."""
    site = plan.site_path
    todo = []
    for name in sorted(parts, key=lambda n: (n != plan.primary, n)):
        part = parts[name]
        _digest(part, part.folder.relative_to(site).as_posix())
        seen = state.get(name) or {}
        if (
            seen.get("digest") == part.digest
            and (part.folder / "pagefind-entry.json").is_file()
            and not (part.folder / IN_PROGRESS).exists()
        ):
            part.words = seen.get("words") or {}
            part.page_words = seen.get("pages") or {}
            part.staged.clear()
            continue
        todo.append(name)
    staging_root = plan.doctree_path / STAGING_DIR
    running: list[tuple[str, subprocess.Popen[str]]] = []
    # Pagefind is fast per part; two or three at once keep both cores busy
    width = max(1, min(3, (os.cpu_count() or 1) + 1))
    try:
        for name in todo:
            if not wanted():
                raise Stopped
            part = parts[name]
            pages = [(relative, part.staged[relative]) for relative, _, _ in part.plan.pages]
            stage(staging_root / name, pages, part.plan.records)
            prepare_bundle(part.folder)
            while len(running) >= width:
                # taken off the list once finished: a stopped run still ends it below
                _finish(*running[0], parts, plan.primary, result, wanted)
                running.pop(0)
            command = pagefind_command(plan.executable, staging_root / name, part.folder)
            running.append((name, subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
            # the words are counted while Pagefind indexes (0.15 s of an edit at 520 reports)
            counted = [(relative, part.staged[relative]) for relative, _, words in part.plan.pages if words]
            known = (state.get(name) or {}).get("pages") or {}
            part.words = part_words(counted, (page for _, page in part.plan.records), known, part.page_words)
            part.staged.clear()
        while running:
            _finish(*running[0], parts, plan.primary, result, wanted)
            running.pop(0)
    finally:
        # stopped (a newer build) or failed: the runs this process started end with it
        for _name, proc in running:
            proc.terminate()
            proc.wait()


def write_manifest(plan: IndexPlan, parts: dict[str, _Part]) -> None:
    """``pagefind/rapport-index.json``: the parts the browser merges into the primary,
    newest years first (a date-sorted search goes year by year), the pages last; and
    ``pagefind/ordlista.json``, the words for "Menade du …?"."""
    site, primary = plan.site_path, plan.primary
    years = sorted((n for n in parts if n not in (primary, BUCKET_PAGES)), reverse=True)
    merge = [{"path": f"{n}/", "weight": 1} for n in years]
    if BUCKET_PAGES in parts and primary != BUCKET_PAGES:
        merge.append({"path": f"{BUCKET_PAGES}/", "weight": PAGES_WEIGHT})
    manifest: dict[str, Any] = {"merge": merge, "words": WORDS_FILE, "guide": plan.guide}
    if primary == BUCKET_PAGES:
        manifest["weight"] = PAGES_WEIGHT
    (site / "pagefind").mkdir(parents=True, exist_ok=True)
    _write_if_changed(site / "pagefind" / MANIFEST, json.dumps(manifest, ensure_ascii=False, separators=(",", ":")))
    common = word_list(part.words for part in parts.values())
    _write_if_changed(site / "pagefind" / WORDS_FILE, json.dumps(common, ensure_ascii=False, separators=(",", ":")))


def run(plan: IndexPlan, wanted: Callable[[], bool] = lambda: True) -> IndexResult:
    """Index what changed and write the list of parts and the words. ``wanted`` is asked
    while Pagefind runs: when it says no, the run stops (:class:`IndexResult.stopped`)."""
    started = time.perf_counter()
    result = IndexResult()
    site, doctrees = plan.site_path, plan.doctree_path
    state_path = doctrees / BUCKETS_STATE
    state = _load_state(state_path)
    if state.get("primary") != plan.primary:
        state = {}  # the primary moved (a new year): every folder changes
    if not plan.executable:
        result.warnings.append("Sökindexet kunde inte byggas: programmet Pagefind (paketet pagefind-bin) saknas")
        # an index of older pages would find what is no longer there
        shutil.rmtree(site / "pagefind", ignore_errors=True)
        state_path.unlink(missing_ok=True)
        return result
    parts = {name: _Part(p, bundle_folder(site, name, plan.primary)) for name, p in plan.parts.items()}
    try:
        _index_parts(plan, parts, state.get("buckets") or {}, result, wanted)
    except Stopped:
        result.stopped = True
        return result
    except (OSError, subprocess.SubprocessError) as exc:
        result.warnings.append(f"Sökindexet kunde inte byggas: {exc}")
        return result
    # parts that no longer exist (a year without pages now), and the primary's folder
    # from before it became the primary, leave nothing behind
    bundle = site / "pagefind"
    for child in bundle.iterdir() if bundle.is_dir() else ():
        if child.is_dir() and child.name not in BUNDLE_DIRS and (child.name not in parts or child.name == plan.primary):
            shutil.rmtree(child, ignore_errors=True)
    staging = doctrees / STAGING_DIR
    for child in staging.iterdir() if staging.is_dir() else ():
        if child.name not in parts:
            shutil.rmtree(child, ignore_errors=True)
    if not (bundle / "pagefind-entry.json").is_file():
        return result
    write_manifest(plan, parts)
    kept = {n: {"digest": p.digest, "words": p.words, "pages": p.page_words} for n, p in parts.items() if p.digest}
    _write_whole(state_path, json.dumps({"primary": plan.primary, "buckets": kept}, ensure_ascii=False))
    seconds = time.perf_counter() - started
    result.notes.append(
        f"sökindex byggt på {seconds:.1f} s ({len(result.indexed)} av {len(parts)} delar: "
        f"{', '.join(result.indexed) or 'inga'})"
    )
    stats = {"seconds": round(seconds, 3), "records": plan.records, "buckets": len(parts), "indexed": result.indexed}
    (doctrees / STATS_FILE).write_text(json.dumps(stats), encoding="utf-8")
    return result


# -- the live preview's indexer process --------------------------------------------------


def main(argv: list[str]) -> int:
    """``python -m rapport.site.search.indexer PLAN TOKEN LOCKFD``: the preview's index.

    Started by :func:`rapport.site.search.background.start`, which hands this process
    the lock it holds (file descriptor ``LOCKFD``) and the token of the build that made
    ``PLAN``. The run stops as soon as the token file names a newer build. Exit codes:
    0 indexed, 1 indexed with warnings (printed), 3 stopped for a newer build.
    """
    from rapport.site.search.background import still_current

    plan_path, token, lock_fd = Path(argv[0]), argv[1], int(argv[2])
    try:
        plan = IndexPlan.loads(plan_path.read_text(encoding="utf-8"))
    finally:
        plan_path.unlink(missing_ok=True)
    fcntl.flock(lock_fd, fcntl.LOCK_EX)  # held already (inherited); kept until this process ends
    result = run(plan, lambda: still_current(plan.doctree_path, token))
    for message in result.warnings:
        print(f"WARNING: {message} [rapport.{SUBTYPE}]", file=sys.stderr, flush=True)
    if result.stopped:
        return 3
    return 1 if result.warnings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
