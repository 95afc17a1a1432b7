"""Machine-readable export of the registers: ``beslut.json`` and ``faq.json``.

Runs at ``build-finished`` for HTML builders, on every build (full, incremental or
parallel), from the same index the pages use, so the export never lags behind the site.
Entries are in a fixed order (decisions newest first, FAQ by topic and declaration) and
the files are rewritten only when their content changes. They are not even made again
when nothing they are made from changed (the entries, who mentions them, the project's
name, the builder): serialising 1,500 entries with indentation took 0.1 s of every
incremental build at 520 reports. JSON would escape control
characters, but the records end up in other people's HTML and spreadsheets, so they are
stripped like in every other output (:func:`rapport.trust.text.strip_controls_deep`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapport import __version__
from rapport.entries import decisions, faq
from rapport.entries.references import get_index
from rapport.registry import digest_of, stable
from rapport.trust.text import strip_controls_deep

if TYPE_CHECKING:
    from sphinx.application import Sphinx

FORMAT_VERSION = 1
WEB_BUILDERS = ("html", "dirhtml")
#: what the files were last made from, in the doctree directory
STATE_FILE = "rapport-export.json"
FILES = ("beslut.json", "faq.json")


def _inputs(app: Sphinx) -> str:
    """A digest of everything the two files are made from."""
    index = get_index(app)
    mentions = sorted(
        (key, [(r.docname, r.title, r.compiled) for r in reports]) for key, reports in index.backlinks.items()
    )
    return digest_of(
        __version__,
        FORMAT_VERSION,
        app.config.project,
        app.builder.name,
        str(app.builder.outdir),
        stable(index.of_kind(decisions.KIND)),
        stable(index.of_kind(faq.KIND)),
        mentions,
    )


def _write_if_changed(path: Path, data: Any) -> None:
    text = json.dumps(strip_controls_deep(data), ensure_ascii=False, indent=2) + "\n"
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    path.write_text(text, encoding="utf-8")


def write_exports(app: Sphinx, exception: Exception | None) -> None:
    # the PDF builder is an HTML-format builder too; the export belongs to the web site
    if exception is not None or app.builder.name not in WEB_BUILDERS:
        return

    outdir = Path(app.builder.outdir)
    state = Path(app.doctreedir) / STATE_FILE
    inputs = _inputs(app)
    try:
        if state.read_text(encoding="utf-8") == inputs and all((outdir / name).is_file() for name in FILES):
            return
    except OSError:
        pass
    _write_if_changed(
        outdir / "beslut.json",
        {"version": FORMAT_VERSION, "projekt": app.config.project, "beslut": decisions.export_records(app)},
    )
    _write_if_changed(
        outdir / "faq.json",
        {"version": FORMAT_VERSION, "projekt": app.config.project, "faq": faq.export_records(app)},
    )
    state.write_text(inputs, encoding="utf-8")


def setup(app: Sphinx) -> None:
    app.connect("build-finished", write_exports)
