"""``rapport kontroll`` in seconds: the build's environment and every page's warnings, kept.

A full check reads and resolves every page (49 s at 520 reports). Most of that work
was already done by the last build or check, so this module keeps what they found:

Inside every serial HTML build and every check (``builder-inited`` …
``build-finished``), a logging handler notes each warning together with the page that
was being read or resolved when it was given, and ``rapport-kontroll.json`` in the
doctree folder keeps, per page, the warnings of its reading and of its resolving, each
with a digest of the page's source and every file it depends on (its standing
sections, the reports a year page lists). Warnings given outside a page (the global
checks at ``env-updated``, the consistency check) are not kept: every run gives them
afresh.

``rapport kontroll`` (:func:`rapport.writer.kontroll.sphinx_findings`) then runs Sphinx
with the builder ``rapportkontroll`` on the build's doctree folder. Sphinx re-reads the
pages it knows to be changed; the builder adds the pages whose kept warnings are older
than their sources (a page the HTML build re-read in a parallel build, or never kept)
and resolves only pages without current warnings. Every other page's warnings are
replayed from the file, so the check lists what a full check lists, in the time an
incremental build takes. What it cannot see, as Sphinx's own incremental builds cannot:
an unchanged page whose cross-reference breaks because another page removed its target
keeps the warnings it had (the extension's own references are checked globally at
``env-updated`` and are always current).

The checks of ``rapport kontroll`` itself (personal data, placeholders, dates) are kept
per file too, keyed by a digest of the file and the settings (:func:`cached_scan`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.builders.dummy import DummyBuilder
from sphinx.locale import __
from sphinx.util.build_phase import BuildPhase
from sphinx.util.display import status_iterator
from sphinx.util.logging import (
    ColorizeFormatter,
    OnceFilter,
    WarningLogRecordTranslator,
    WarningSuppressor,
    pending_warnings,
)

from rapport import compat, events, registry

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: the builder of ``rapport kontroll``
BUILDER = "rapportkontroll"
#: per page: its warnings and the digests they belong to; in the doctree folder
CACHE_FILE = "rapport-kontroll.json"
#: the own checks' findings per file; in the doctree folder
SCAN_CACHE_FILE = "rapport-kontroll-filer.json"
#: the builders whose resolving warnings are kept (the web site's and the check's; the
#: PDF and e-mail builders resolve for their own output). Every serial build keeps the
#: warnings of the pages it reads: reading is the same whichever builder reads, and in
#: ``rapport bygg`` the PDF step reads before the HTML step
CAPTURING = ("html", "dirhtml", BUILDER)
VERSION = 1

Tag = tuple[str, str]  # (docname, "read" | "write")
#: the warnings of Sphinx's consistency check, kept like a page's
CONSISTENCY: Tag = ("", "consistency")


class _Capture(logging.Handler):
    """Sees every warning as it is given (Sphinx holds the stream's back until the
    end of a phase) and formats it as the warning stream does, with its own copies of
    the stream's filters so the stream itself is not affected."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__(logging.WARNING)
        self.app = app
        self.tag: Tag | None = None
        self.lines: list[tuple[Tag | None, str]] = []
        self.read: set[str] = set()
        self.written: set[str] = set()
        # Sphinx checks consistency (pages in no toctree ...) only when a page was read
        self.checked_consistency = False
        for log_filter in (WarningSuppressor(app), WarningLogRecordTranslator(app), OnceFilter()):
            self.addFilter(log_filter)
        self.setFormatter(ColorizeFormatter())

    def handle(self, record: logging.LogRecord) -> bool:
        # the filters rewrite the record; the stream's handler must see the original
        return bool(super().handle(copy.copy(record)))

    def emit(self, record: logging.LogRecord) -> None:
        tag = self.tag
        if tag is None and getattr(self.app.builder, "phase", None) == BuildPhase.CONSISTENCY_CHECK:
            tag = CONSISTENCY
        try:
            self.lines.append((tag, self.format(record)))
        except Exception:  # noqa: BLE001 - a warning we cannot format is the stream's to show
            pass


@dataclass
class _State:
    """One application's capture: made at ``builder-inited``, listening until
    ``build-finished``, read by :func:`warnings_text` after the build."""

    capture: _Capture | None = None


def _state(where: Sphinx | BuildEnvironment) -> _State:
    return registry.app_state(where, __name__, _State)


def _capture(where: Sphinx | BuildEnvironment) -> _Capture | None:
    return _state(where).capture


# -- digests of a page's inputs -------------------------------------------------------------


class Digests:
    """The digest of each page's source and dependencies (each file read once)."""

    def __init__(self, env: BuildEnvironment) -> None:
        self.env = env
        self._files: dict[str, str] = {}

    def _file(self, path: Path) -> str:
        key = str(path)
        if key not in self._files:
            try:
                self._files[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                self._files[key] = "-"
        return self._files[key]

    def __call__(self, docname: str) -> str:
        env = self.env
        try:
            source = Path(env.doc2path(docname))
        except Exception:  # noqa: BLE001 - a page Sphinx no longer knows
            return "-"
        parts = [self._file(source)]
        for dependency in sorted(str(d) for d in env.dependencies.get(docname, ())):
            parts.append(f"{dependency}={self._file(Path(env.srcdir) / dependency)}")
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def load(doctreedir: str | Path) -> dict[str, Any]:
    try:
        data = json.loads((Path(doctreedir) / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"version": VERSION, "docs": {}}
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("docs"), dict):
        return {"version": VERSION, "docs": {}}
    return data


def stale(env: BuildEnvironment, docs: dict[str, Any], phase: str, digests: Digests) -> set[str]:
    """Pages whose kept warnings of ``phase`` ("read" or "write") are missing or older
    than their inputs."""
    return {
        docname
        for docname in env.found_docs
        if (entry := docs.get(docname)) is None
        or phase not in entry
        or entry.get(f"{phase}_digest") != digests(docname)
    }


# -- event handlers (inside the build) ------------------------------------------------------


def _on_builder_inited(app: Sphinx) -> None:
    if app.parallel > 1:
        # warnings of forked workers come back out of order; a parallel build keeps
        # nothing, so the next check reads again what this build read
        (Path(app.doctreedir) / CACHE_FILE).unlink(missing_ok=True)
        return
    capture = _state(app).capture = _Capture(app)
    logging.getLogger("sphinx").addHandler(capture)


def _on_before_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    capture = _capture(app)
    if capture is not None:
        capture.read.update(docnames)


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    capture = _capture(app)
    if capture is not None and docname in capture.read:
        capture.tag = (docname, "read")


def _on_doctree_read(app: Sphinx, doctree: Any) -> None:
    capture = _capture(app)
    if capture is not None:
        capture.tag = None


def _on_check_consistency(app: Sphinx, env: BuildEnvironment) -> None:
    """Writing starts: mark each page as it is resolved. The environment was pickled
    just before (``env-check-consistency`` comes after), so the wrapper is never saved."""
    capture = _capture(app)
    if capture is None:
        return
    capture.checked_consistency = True
    if isinstance(app.builder, CheckBuilder) or app.builder.name not in CAPTURING:
        return  # the check's builder marks the pages itself; others' resolving is not kept
    resolve = env.get_and_resolve_doctree

    def get_and_resolve_doctree(docname: str, *args: Any, **kwargs: Any) -> Any:
        capture.tag = (docname, "write")
        capture.written.add(docname)
        return resolve(docname, *args, **kwargs)

    env.get_and_resolve_doctree = get_and_resolve_doctree  # type: ignore[method-assign]


def _end_of_pages(app: Sphinx, *args: Any) -> list[Any]:
    capture = _capture(app)
    if capture is not None:
        capture.tag = None
    return []


def _on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    capture = _capture(app)
    if capture is None:
        return
    capture.tag = None
    logging.getLogger("sphinx").removeHandler(capture)
    app.env.__dict__.pop("get_and_resolve_doctree", None)
    if exception is not None:
        return
    save(app.env, Path(app.doctreedir), capture)


def save(env: BuildEnvironment, doctreedir: Path, capture: _Capture) -> dict[str, Any]:
    data = load(doctreedir)
    docs: dict[str, Any] = data["docs"]
    digests = Digests(env)
    by_tag: dict[Tag, list[str]] = {}
    for tag, line in capture.lines:
        if tag is not None:
            by_tag.setdefault(tag, []).append(line)
    for phase, names in (("read", capture.read), ("write", capture.written)):
        for docname in names:
            if docname not in env.all_docs:
                continue
            entry = docs.setdefault(docname, {})
            entry[phase] = by_tag.get((docname, phase), [])
            entry[f"{phase}_digest"] = digests(docname)
            if phase == "read":
                entry.pop("write", None)  # read again: what it resolved to before is no longer known
    for docname in list(docs):
        if docname not in env.all_docs:
            del docs[docname]
    if capture.checked_consistency:
        data["consistency"] = by_tag.get(CONSISTENCY, [])
    path = doctreedir / CACHE_FILE
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


# -- the check's own builder ----------------------------------------------------------------


class CheckBuilder(DummyBuilder):
    """Reads and resolves like ``dummy``, but only what has no current kept warnings."""

    name = BUILDER
    writes_pages = False  # rapport.registry: no page digests for the check
    allow_parallel = False  # the warnings are kept per page, in the order they come

    def get_outdated_docs(self) -> set[str]:
        return stale(self.env, load(self.doctreedir)["docs"], "write", Digests(self.env))

    def write_documents(self, docnames: Set[str]) -> None:
        """Resolve the pages one by one, noting each (Sphinx's public hook for a builder
        that writes no file per page; ``allow_parallel`` is off, so this is the serial
        writer Sphinx would run, with the same held-back warnings and progress line)."""
        # Sphinx adds the pages that env-updated calls stale for this builder (an
        # aggregate's list, a report's neighbours): their output is not this builder's
        # business, only their warnings, and those are kept per page with the digests of
        # everything the page depends on. After a build, the first check was given every
        # page that way (this builder had never written any) and resolved them all.
        current = stale(self.env, load(self.doctreedir)["docs"], "write", Digests(self.env))
        todo = sorted(docname for docname in docnames if docname in current)
        capture = _capture(self.env)
        with pending_warnings():
            for docname in status_iterator(
                todo, __("writing output... "), "darkgreen", len(todo), self.config.verbosity
            ):
                if capture is not None:
                    capture.tag = (docname, "write")
                    capture.written.add(docname)
                compat.write_docname(self, docname)
        if capture is not None:
            capture.tag = None


def _on_env_get_outdated(app: Sphinx, env: BuildEnvironment, added: set, changed: set, removed: set) -> list[str]:
    """For the check: re-read pages whose kept reading warnings are not current (read by
    a parallel build, or changed in a build that kept nothing)."""
    if app.builder.name != BUILDER:
        return []
    again = stale(env, load(app.doctreedir)["docs"], "read", Digests(env))
    return sorted(again - added - changed - removed)


def warnings_text(app: Sphinx) -> str:
    """After a check: this run's global warnings and every page's kept warnings, as the
    warning stream of a full check would show them."""
    capture = _capture(app)
    if capture is None:
        return ""
    data = load(app.doctreedir)
    docs = data["docs"]
    lines = [line for tag, line in capture.lines if tag is None]
    lines += data.get("consistency", [])
    for docname in sorted(app.env.found_docs):
        entry = docs.get(docname, {})
        lines += entry.get("read", [])
        lines += entry.get("write", [])
    return "\n".join(lines) + ("\n" if lines else "")


# -- the check's own scans, per file ---------------------------------------------------------


def cached_scan(
    doctreedir: Path,
    files: Iterable[Path],
    settings: str,
    scan: Callable[[Path], list[Any]],
    encode: Callable[[Any], dict[str, Any]],
    decode: Callable[[dict[str, Any]], Any],
) -> list[Any]:
    """``scan(path)`` for each file whose content or ``settings`` changed since the last
    check; the kept findings for the others."""
    path = doctreedir / SCAN_CACHE_FILE
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(kept, dict):
            kept = {}
    except (OSError, ValueError):
        kept = {}
    fresh: dict[str, Any] = {}
    findings: list[Any] = []
    for file in files:
        try:
            digest = hashlib.sha256(settings.encode("utf-8") + b"\0" + file.read_bytes()).hexdigest()
        except OSError:
            digest = ""
        entry = kept.get(str(file))
        if digest and entry and entry.get("digest") == digest:
            found = [decode(item) for item in entry["findings"]]
        else:
            found = scan(file)
        findings += found
        if digest:
            fresh[str(file)] = {"digest": digest, "findings": [encode(f) for f in found]}
    try:
        doctreedir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(fresh, ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass  # a read-only folder: the next check scans again
    return findings


def setup(app: Sphinx) -> None:
    app.add_builder(CheckBuilder)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-before-read-docs", _on_before_read, priority=events.CHECK_PAGES_TO_READ)
    app.connect("source-read", _on_source_read, priority=events.CHECK_PAGE_READ_STARTS)
    app.connect("doctree-read", _on_doctree_read, priority=events.CHECK_PAGE_READ_ENDS)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("env-check-consistency", _on_check_consistency)
    app.connect("html-collect-pages", _end_of_pages)
    app.connect("build-finished", _on_build_finished, priority=events.CHECK_SAVE)
