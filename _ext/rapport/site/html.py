"""HTML output: the extension's stylesheet and reader-facing HTML details.

Runs at ``config-inited`` (static files, the favicon), ``builder-inited`` (the
stylesheet) and while writing HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

STATIC = Path(__file__).resolve().parent.parent / "static"
FAVICON = STATIC / "rapport-favicon.svg"


def _add_static_path(app: Sphinx, config: Config) -> None:
    # at config-inited, not builder-inited: the value then is the same for every builder,
    # and alternating PDF and HTML builds on one environment do not see a changed config
    if str(STATIC) not in config.html_static_path:
        config.html_static_path.append(str(STATIC))
    # the site's icon in the browser tab (issue 24), unless conf.py names one of its own
    if not config.html_favicon:
        config.html_favicon = str(FAVICON)


def _add_css(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.add_css_file("rapport.css")


def setup(app: Sphinx) -> None:
    app.connect("config-inited", _add_static_path)
    app.connect("builder-inited", _add_css)
