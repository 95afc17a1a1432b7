"""Machine-readable export of the registers: ``beslut.json`` and ``faq.json``.

Runs at ``build-finished`` for HTML builders, on every build (full, incremental or
parallel), from the same index the pages use, so the export never lags behind the site.
Entries are in a fixed order (decisions newest first, FAQ by topic and declaration) and
the files are rewritten only when their content changes. JSON would escape control
characters, but the records end up in other people's HTML and spreadsheets, so they are
stripped like in every other output (:func:`rapport.trust.text.strip_controls_deep`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapport.entries import decisions, faq
from rapport.trust.text import strip_controls_deep

if TYPE_CHECKING:
    from sphinx.application import Sphinx

FORMAT_VERSION = 1
WEB_BUILDERS = ("html", "dirhtml")


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
    _write_if_changed(
        outdir / "beslut.json",
        {"version": FORMAT_VERSION, "projekt": app.config.project, "beslut": decisions.export_records(app)},
    )
    _write_if_changed(
        outdir / "faq.json",
        {"version": FORMAT_VERSION, "projekt": app.config.project, "faq": faq.export_records(app)},
    )


def setup(app: Sphinx) -> None:
    app.connect("build-finished", write_exports)
