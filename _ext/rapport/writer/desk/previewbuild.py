"""The desk's preview builder: one Sphinx application kept warm, building on request.

Runs as its own process (``python -m rapport.writer.desk.previewbuild``), started by
:mod:`rapport.writer.desk.preview`. It is the project's real Sphinx build (the same
``conf.py``, extension, theme and templates as ``rapport bygg``), with drafts and
future reports visible (``rapport_preview``) as ``rapport förhandsgranska`` shows
them, into ``_build/skrivbord/``.

Why a process of its own that stays: ``rapport förhandsgranska`` starts a new build
for every save, which loads the environment of every page from disk (at 520 reports
most of its wait). Here the application and its environment stay in memory between
builds; each build is Sphinx's own incremental build of the changed files
(``Sphinx.build`` with the file names), so the page, its neighbours and the aggregate
pages it changes are written exactly as a full build writes them. It is a separate
process so that a crash or a hung build never takes the desk down, and so the desk's
memory stays small.

Search in the preview is Sphinx's own (``rapport_search = "sphinx"``): Pagefind's
index is a site-wide job of several seconds that the preview of one page does not
need; the page itself is the site's page.

Protocol: one JSON object per line on stdin (``{"build": ["docs/…md", …]}``), one per
line on stdout (``{"built": n, "seconds": s, "warnings": [...]}``); the first line out
is ``{"ready": …}`` after the first build.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

from sphinx.application import Sphinx

#: what the desk's preview differs in from ``rapport bygg`` (and why, above)
OVERRIDES = {"rapport_preview": True, "rapport_search": "sphinx"}


class _Stream(io.StringIO):
    """Sphinx's warning stream, read and emptied after each build."""

    def take(self) -> list[str]:
        lines = [line for line in self.getvalue().splitlines() if line.strip()]
        self.seek(0)
        self.truncate()
        return lines


def make_app(root: Path, srcdir: Path, out: Path) -> tuple[Sphinx, _Stream]:
    warnings = _Stream()
    app = Sphinx(
        str(srcdir),
        str(root),
        str(out / "html"),
        str(out / "doctrees"),
        "html",
        confoverrides=dict(OVERRIDES),
        status=None,
        warning=warnings,
        freshenv=False,
        warningiserror=False,
        parallel=0,
    )
    return app, warnings


def serve(root: Path, srcdir: Path, out: Path, stdin: io.TextIOBase, stdout: io.TextIOBase) -> int:
    started = time.perf_counter()
    app, warnings = make_app(root, srcdir, out)
    app.build(False, [])
    reply = {"ready": True, "seconds": round(time.perf_counter() - started, 3), "warnings": warnings.take()}
    stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
    stdout.flush()
    count = 0
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError:
            continue
        if request.get("stop"):
            break
        files = [Path(f).resolve() for f in request.get("build", []) if Path(f).is_file()]
        started = time.perf_counter()
        pages = {docname: page_bytes(app, docname) for docname in first_pages(app, files, warnings)}
        if pages:
            reply = {"id": request.get("id"), "stage": "page", "seconds": round(time.perf_counter() - started, 3)}
            stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
            stdout.flush()
        error = ""
        try:
            # Sphinx's incremental build: every changed file is read (by modification
            # time); the named ones and the pages the change makes stale are written
            app.build(False, files)
        except Exception as exc:  # noqa: BLE001 - one failed build must not end the preview
            error = f"{type(exc).__name__}: {exc}"
        count += 1
        reply = {
            "built": count,
            "id": request.get("id"),
            "stage": "full",
            "seconds": round(time.perf_counter() - started, 3),
            "warnings": warnings.take(),
            "error": error,
            # whether the whole build wrote the edited page differently from the first pass
            "changed": any(page_bytes(app, docname) != before for docname, before in pages.items()),
        }
        stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def page_bytes(app: Sphinx, docname: str) -> bytes:
    try:
        return Path(app.outdir, docname + app.builder.out_suffix).read_bytes()  # type: ignore[attr-defined]
    except OSError:
        return b""


def first_pages(app: Sphinx, files: list[Path], warnings: _Stream) -> list[str]:
    """The edited pages written at once, before the whole incremental build.

    The page is read and written by the same application, builder and translator as in
    the build; what it shows of other pages comes from the previous build (the whole
    build right after brings those up to date, and the desk reloads the page again if it
    changed). So the writer sees the text typed within a fraction of a second, where the
    whole build at 520 reports takes about a second more (the extension's checks across
    every page at ``env-updated`` and saving the environment). The page is marked unread
    afterwards (``all_docs``: its time of reading), so the whole build reads it again
    and every cross-page step sees the change. Any problem: no first pass, the build does it.
    """
    env, builder = app.env, app.builder
    done = []
    for path in files:
        docname = env.path2doc(str(path))
        if docname is None or docname not in env.all_docs:
            continue
        try:
            app.events.emit("env-purge-doc", env, docname)
            env.clear_doc(docname)
            builder.read_doc(docname)
            builder.prepare_writing({docname})
            doctree = env.get_and_resolve_doctree(docname, builder)
            builder.write_doc_serialized(docname, doctree)  # as Builder.write does, before write_doc
            builder.write_doc(docname, doctree)
        except Exception:  # noqa: BLE001 - the whole build that follows reads and writes it again
            continue
        finally:
            env.all_docs[docname] = 0  # read again by the whole build
        done.append(docname)
    warnings.take()  # the whole build gives this page's warnings again, complete
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rapport.writer.desk.previewbuild")
    parser.add_argument("root", type=Path)
    parser.add_argument("srcdir", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.root / "_ext"))
    # Sphinx's status output and our protocol must not mix: the protocol gets the real stdout
    protocol = sys.stdout
    sys.stdout = sys.stderr
    return serve(args.root.resolve(), args.srcdir.resolve(), args.out.resolve(), sys.stdin, protocol)  # type: ignore[arg-type]


if __name__ == "__main__":
    sys.exit(main())
