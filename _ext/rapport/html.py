"""HTML output: the extension's stylesheet and reader-facing HTML details.

Runs at ``builder-inited`` (static files) and while writing HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

STATIC = Path(__file__).parent / "static"


def _add_static(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.config.html_static_path.append(str(STATIC))
        app.add_css_file("rapport.css")


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", _add_static)
